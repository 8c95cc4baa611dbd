#include <QTest>

#include <vector>

#include "medsa/core/build_info.h"
#include "medsa/core/error.h"
#include "medsa/core/progress.h"
#include "medsa/core/sha256.h"

using namespace medsa;

namespace {

class RecordingSink : public ProgressSink {
 public:
  bool report(double fraction, std::string_view) override {
    fractions.push_back(fraction);
    return fractions.size() < stopAfter;
  }
  std::vector<double> fractions;
  size_t stopAfter = 1000;
};

}  // namespace

class TestCore : public QObject {
  Q_OBJECT

 private slots:
  void versionMatchesProject() {
    QCOMPARE(QString::fromStdString(std::string(projectVersion())).count(QLatin1Char('.')), 2);
    QCOMPARE(projectName(), std::string_view("Med-SA Studio"));
  }

  void errorNamesFileAndReason() {
    const Error error{ErrorCode::Truncated, "file ends after 12 of 512 header bytes",
                      "/data/a.nii"};
    QCOMPARE(error.describe(), std::string("/data/a.nii: file ends after 12 of 512 header bytes"));
    QCOMPARE(errorCodeName(error.code), std::string_view("truncated"));
    const Error noPath{ErrorCode::InvalidArgument, "--slice must be >= 0", {}};
    QCOMPARE(noPath.describe(), std::string("--slice must be >= 0"));
  }

  void resultHoldsValueOrError() {
    Result<int> good = 42;
    QVERIFY(good.ok());
    QCOMPARE(good.value(), 42);
    Result<int> bad = Error{ErrorCode::NotAnImage, "no magic", "x.png"};
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, ErrorCode::NotAnImage);
    Status fine;
    QVERIFY(fine.ok());
    Status failed = Error{ErrorCode::WriteFailed, "disk full", "out.nii.gz"};
    QVERIFY(!failed);
    QCOMPARE(failed.error().path, std::string("out.nii.gz"));
  }

  void progressScopeMapsOntoParentRange() {
    RecordingSink sink;
    ProgressScope scope(&sink, 0.5, 0.75);
    QVERIFY(scope.update(0.0));
    QVERIFY(scope.update(0.5));
    QVERIFY(scope.update(2.0));  // clamped
    QCOMPARE(sink.fractions, (std::vector<double>{0.5, 0.625, 0.75}));
  }

  void progressScopeStopsWhenSinkRefuses() {
    RecordingSink sink;
    sink.stopAfter = 2;
    CancellationToken token;
    ProgressScope scope(&sink, 0, 1, token);
    QVERIFY(scope.update(0.1));
    QVERIFY(!scope.update(0.2));
    QVERIFY(scope.cancelled());
    QVERIFY(token.isCancelled());  // the caller's copy sees it too
    QVERIFY(!scope.update(0.3));   // and no further report reaches the sink
    QCOMPARE(sink.fractions.size(), size_t(2));
  }

  void sha256MatchesNistVectors() {
    QCOMPARE(sha256Hex(""),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(sha256Hex("abc"),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
             std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    Sha256 pieces;  // a million 'a's, fed in uneven pieces
    const std::string chunk(997, 'a');
    std::size_t fed = 0;
    while (fed + chunk.size() <= 1000000) {
      pieces.update(chunk);
      fed += chunk.size();
    }
    pieces.update(std::string(1000000 - fed, 'a'));
    QCOMPARE(pieces.hexDigest(),
             std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  }

  void cancellationTokenIsShared() {
    CancellationToken token;
    ProgressScope scope(nullptr, 0, 1, token);
    QVERIFY(scope.update(0.5));  // a null sink accepts everything
    token.cancel();
    QVERIFY(!scope.update(0.6));
  }
};

QTEST_APPLESS_MAIN(TestCore)
#include "test_core.moc"
