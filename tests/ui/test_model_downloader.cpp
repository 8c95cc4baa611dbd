// The model manager's rules without widgets: the catalogue, downloads against a local HTTP server
// (resume with range requests, pause, cancel, SHA-256 before the file takes its name, server
// errors), the judgement of imported files and the defaults per modality.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "medsa/ui/file_hasher.h"
#include "medsa/ui/model_catalogue.h"
#include "medsa/ui/model_downloader.h"
#include "medsa/ui/model_store.h"
#include "range_http_server.h"

using medsa::ErrorCode;
using medsa::test::RangeHttpServer;
using medsa::ui::CatalogueEntry;
using medsa::ui::FileVerdict;
using medsa::ui::ModelCatalogue;
using medsa::ui::ModelDownloader;
using medsa::ui::ModelStore;
using State = medsa::ui::ModelDownloader::State;

namespace {

constexpr int kWaitMs = 60000;  // a bound for a hung test, not a timing assertion

QByteArray randomBytes(qsizetype size, quint32 seed) {
  QByteArray bytes(size, Qt::Uninitialized);
  QRandomGenerator generator(seed);
  generator.fillRange(reinterpret_cast<quint32*>(bytes.data()), size / 4);
  return bytes;
}

QString sha256(const QByteArray& bytes) {
  return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

bool settled(const ModelDownloader& d) {
  return d.state() != State::Downloading && d.state() != State::Verifying;
}

}  // namespace

class TestModelDownloader : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("medsa-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_model_downloader"));
    QSettings().clear();
    QVERIFY(dir_.isValid());
    body_ = randomBytes(3 << 20, 7);
  }

  void init() {
    folder_ = dir_.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY(QDir().mkpath(folder_));
  }

  void builtinCatalogueNamesThePublishedModels() {
    const auto catalogue = ModelCatalogue::builtin();
    QVERIFY2(catalogue.ok(), catalogue.ok() ? "" : catalogue.error().describe().c_str());
    for (const char* id : {"sam-vit-b", "sam-vit-l", "sam-vit-h"}) {
      const CatalogueEntry* sam = catalogue->find(QLatin1String(id));
      QVERIFY2(sam, id);
      QVERIFY(sam->directDownload);
      QVERIFY(
          sam->url.startsWith(QLatin1String("https://dl.fbaipublicfiles.com/segment_anything/")));
      QVERIFY(sam->url.endsWith(sam->file));
      QVERIFY(sam->hasChecksum() && sam->size && *sam->size > 300000000);
      QCOMPARE(sam->profile, QStringLiteral("sam"));
      QCOMPARE(sam->licence, QStringLiteral("Apache-2.0"));
      QVERIFY(catalogue->findBySha256(sam->sha256.toUpper()) == sam);
    }
    const CatalogueEntry* medsam = catalogue->find(QStringLiteral("medsam-vit-b"));
    QVERIFY(medsam);
    QCOMPARE(medsam->profile, QStringLiteral("medsam"));
    // Its README gives a shared folder and no checksum: the catalogue must not pretend.
    QVERIFY(!medsam->directDownload && !medsam->hasChecksum() && !medsam->size);
    QVERIFY(medsam->url.startsWith(QLatin1String("https://drive.google.com/")));
    for (const CatalogueEntry& entry : catalogue->entries())
      QVERIFY2(!entry.checksumSource.isEmpty(), qPrintable(entry.id));
    QVERIFY(catalogue->find(QStringLiteral("sam_vit_h_4b8939.pth")));
  }

  void catalogueRefusesBadEntries_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("mention");
    QTest::newRow("not json") << QStringLiteral("{") << QStringLiteral("not valid JSON");
    QTest::newRow("format") << QStringLiteral("\"format\": 1") << QStringLiteral("'format'");
    QTest::newRow("licence") << QStringLiteral("\"licence\": \"Apache-2.0\"")
                             << QStringLiteral("'licence'");
    QTest::newRow("sha256") << QStringLiteral("\"sha256\": null") << QStringLiteral("'sha256'");
    QTest::newRow("file") << QStringLiteral("\"file\": \"m.pth\"") << QStringLiteral("plain file");
    QTest::newRow("url") << QStringLiteral("\"url\": \"http://h/m.pth\"")
                         << QStringLiteral("http(s) url");
    QTest::newRow("size") << QStringLiteral("\"size\": null") << QStringLiteral("'size'");
    QTest::newRow("profile") << QStringLiteral("\"profile\": \"sam\"") << QStringLiteral("profile");
    QTest::newRow("twice") << QStringLiteral("]") << QStringLiteral("used twice");
  }

  void catalogueRefusesBadEntries() {
    QFETCH(QString, change);
    QFETCH(QString, mention);
    const QString good = QStringLiteral(
        "{\"format\": 1, \"models\": [{\"id\": \"m\", \"name\": \"M\", \"publisher\": \"P\", "
        "\"file\": \"m.pth\", \"url\": \"http://h/m.pth\", \"size\": null, \"sha256\": null, "
        "\"checksum_source\": \"none\", \"licence\": \"Apache-2.0\", \"profile\": \"sam\", "
        "\"architecture\": \"vit_b\"}]}");
    QVERIFY(ModelCatalogue::parse(good.toUtf8(), QStringLiteral("good.json")).ok());
    QString bad = good;
    const QMap<QString, QString> replacement{
        {QStringLiteral("{"), QStringLiteral("{")},
        {QStringLiteral("\"format\": 1"), QStringLiteral("\"format\": 2")},
        {QStringLiteral("\"licence\": \"Apache-2.0\""), QStringLiteral("\"licence\": \"\"")},
        {QStringLiteral("\"sha256\": null"), QStringLiteral("\"sha256\": \"abc\"")},
        {QStringLiteral("\"file\": \"m.pth\""), QStringLiteral("\"file\": \"../m.pth\"")},
        {QStringLiteral("\"url\": \"http://h/m.pth\""), QStringLiteral("\"url\": \"ftp://h/m\"")},
        {QStringLiteral("\"size\": null"), QStringLiteral("\"size\": -4")},
        {QStringLiteral("\"profile\": \"sam\""), QStringLiteral("\"profile\": \"clip\"")}};
    if (change == QLatin1String("{")) {
      bad = QStringLiteral("{");
    } else if (change == QLatin1String("]")) {
      const int start = good.indexOf(QLatin1Char('[')) + 1;
      const QString model = good.mid(start, good.lastIndexOf(QLatin1Char(']')) - start);
      bad.replace(QLatin1Char(']'), QStringLiteral(", ") + model + QLatin1Char(']'));
    } else {
      bad.replace(change, replacement.value(change));
    }
    const auto parsed = ModelCatalogue::parse(bad.toUtf8(), QStringLiteral("bad.json"));
    QVERIFY(!parsed.ok());
    const QString message = QString::fromStdString(parsed.error().describe());
    QVERIFY2(message.startsWith(QLatin1String("bad.json: ")) && message.contains(mention),
             qPrintable(message));
  }

  void downloadsAndVerifies() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    ModelDownloader downloader;
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Finished);
    QVERIFY(downloader.verified());
    QCOMPARE(downloader.sha256(), sha256(body_));
    QCOMPARE(fileSha(downloader.targetPath()), sha256(body_));
    QCOMPARE(leftovers(), QStringList{QStringLiteral("m.pth")});
    QCOMPARE(server.requests().size(), 1);
    QVERIFY(server.requests()[0].range.isEmpty());
  }

  void interruptedDownloadResumesWithARangeRequest() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.cutAfter(1 << 20);
    ModelDownloader downloader;
    downloader.setResumeAutomatically(false);
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Interrupted);
    QCOMPARE(QFileInfo(downloader.partPath()).size(), qint64(1 << 20));
    QVERIFY(!QFileInfo::exists(downloader.targetPath()));
    const QString message = QString::fromStdString(downloader.error().describe());
    QVERIFY2(message.startsWith(server.url()) && message.contains(QLatin1String("m.pth.part")),
             qPrintable(message));

    QVERIFY(downloader.resume());
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Finished);
    QCOMPARE(fileSha(downloader.targetPath()), sha256(body_));
    // Qt may have asked once more on its own after the cut (without a range, and dropped the
    // answer); the resume is the one request with a range.
    const QList<QByteArray> ranges = rangesAsked(server);
    QCOMPARE(ranges, QList<QByteArray>{"bytes=1048576-"});
    QCOMPARE(server.requests().last().ifRange, QByteArray("\"v1\""));
    QCOMPARE(leftovers(), QStringList{QStringLiteral("m.pth")});
  }

  void brokenConnectionsAreResumedAutomatically() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.cutAfter(700000, 2);
    ModelDownloader downloader;
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Finished);
    QCOMPARE(fileSha(downloader.targetPath()), sha256(body_));
    // Each resume asks from where the part ends. (Qt may also repeat a cut request on its own,
    // and then drops the answer: which of the two cuts each request met varies.)
    const QList<QByteArray> ranges = rangesAsked(server);
    QVERIFY(ranges.contains("bytes=700000-"));
    for (const QByteArray& range : ranges)
      QVERIFY2(range == "bytes=700000-" || range == "bytes=1400000-", range.constData());
  }

  void aNewDownloaderContinuesTheKeptPart() {
    // As after quitting the program mid-download: the part and its record are all there is.
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.cutAfter(1234567);
    {
      ModelDownloader first;
      first.setResumeAutomatically(false);
      QVERIFY(first.start(entry(server), folder_));
      QTRY_VERIFY_WITH_TIMEOUT(settled(first), kWaitMs);
      QCOMPARE(first.state(), State::Interrupted);
    }
    QVERIFY(QFileInfo::exists(folder_ + QStringLiteral("/m.pth.part.json")));
    ModelDownloader second;
    QVERIFY(second.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(second), kWaitMs);
    QCOMPARE(second.state(), State::Finished);
    QCOMPARE(server.requests().last().range, QByteArray("bytes=1234567-"));
    QCOMPARE(fileSha(second.targetPath()), sha256(body_));
  }

  void pauseKeepsThePartAndResumeContinues() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.holdAfter(500000);
    ModelDownloader downloader;
    QSignalSpy progress(&downloader, &ModelDownloader::progress);
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(downloader.received() == 500000, kWaitMs);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(1).toLongLong(), qint64(body_.size()));
    downloader.pause();
    QCOMPARE(downloader.state(), State::Paused);
    QCOMPARE(QFileInfo(downloader.partPath()).size(), qint64(500000));
    QVERIFY(downloader.resume());
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Finished);
    QCOMPARE(rangesAsked(server), QList<QByteArray>{"bytes=500000-"});
    QCOMPARE(fileSha(downloader.targetPath()), sha256(body_));
  }

  void aFileChangedOnTheServerIsDownloadedAgainWhole() {
    // If-Range: the server's file is not the one the part began, so it sends all of the new one;
    // mixing the old part with the new tail would fail the checksum.
    const QByteArray changed = randomBytes(body_.size(), 8);
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.cutAfter(1 << 20);
    ModelDownloader downloader;
    downloader.setResumeAutomatically(false);
    CatalogueEntry model = entry(server);
    model.sha256 = sha256(changed);
    QVERIFY(downloader.start(model, folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Interrupted);
    server.setBody(changed, "\"v2\"");
    QVERIFY(downloader.resume());
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Finished);
    QCOMPARE(fileSha(downloader.targetPath()), sha256(changed));
  }

  void aServerIgnoringRangesSendsAllAgain() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.cutAfter(1 << 20);
    server.setHonourRange(false);
    ModelDownloader downloader;
    downloader.setResumeAutomatically(false);
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QVERIFY(downloader.resume());
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Finished);
    QCOMPARE(fileSha(downloader.targetPath()), sha256(body_));
  }

  void wrongChecksumIsRefusedAndTheFileDeleted() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    CatalogueEntry model = entry(server);
    model.sha256 = sha256("another file");
    ModelDownloader downloader;
    QVERIFY(downloader.start(model, folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Failed);
    QCOMPARE(downloader.error().code, ErrorCode::CorruptData);
    const QString message = QString::fromStdString(downloader.error().describe());
    QVERIFY2(message.contains(QLatin1String("SHA-256 mismatch")) &&
                 message.contains(sha256(body_)) && message.contains(model.sha256) &&
                 message.contains(QLatin1String("deleted")) &&
                 message.startsWith(downloader.targetPath()),
             qPrintable(message));
    QCOMPARE(leftovers(), QStringList());
  }

  void aSizeOtherThanTheCataloguesIsRefused() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    CatalogueEntry model = entry(server);
    model.size = body_.size() + 1;
    ModelDownloader downloader;
    QVERIFY(downloader.start(model, folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Failed);
    QVERIFY(QString::fromStdString(downloader.error().message)
                .contains(QLatin1String("catalogue says")));
    QCOMPARE(leftovers(), QStringList());
  }

  void serverErrorsAreReported_data() {
    QTest::addColumn<int>("status");
    QTest::newRow("404") << 404;
    QTest::newRow("500") << 500;
  }

  void serverErrorsAreReported() {
    QFETCH(int, status);
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.setStatus(status);
    ModelDownloader downloader;
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Failed);
    QCOMPARE(QString::fromStdString(downloader.error().path), server.url());
    const QString message = QString::fromStdString(downloader.error().message);
    QVERIFY2(message.contains(QStringLiteral("server answered %1").arg(status)),
             qPrintable(message));
    QCOMPARE(leftovers(), QStringList());
  }

  void anUnreachableServerIsReported() {
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    CatalogueEntry model;
    model.id = model.name = model.file = QStringLiteral("m.pth");
    model.directDownload = true;
    model.url = QStringLiteral("http://127.0.0.1:%1/m.pth").arg(closed.serverPort());
    closed.close();
    ModelDownloader downloader;
    QVERIFY(downloader.start(model, folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Failed);
    QCOMPARE(QString::fromStdString(downloader.error().path), model.url);
    QVERIFY(QString::fromStdString(downloader.error().message)
                .contains(QLatin1String("cannot download")));
    QCOMPARE(leftovers(), QStringList());
  }

  void cancelLeavesNoFile() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.holdAfter(400000);
    ModelDownloader downloader;
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(downloader.received() == 400000, kWaitMs);
    QVERIFY(!leftovers().isEmpty());
    downloader.cancel();
    QCOMPARE(downloader.state(), State::Cancelled);
    QCOMPARE(leftovers(), QStringList());

    // Cancelling a paused download deletes its part too.
    server.holdAfter(300000);
    QVERIFY(downloader.start(entry(server), folder_));
    QTRY_VERIFY_WITH_TIMEOUT(downloader.received() == 300000, kWaitMs);
    downloader.pause();
    QVERIFY(!leftovers().isEmpty());
    downloader.cancel();
    QCOMPARE(leftovers(), QStringList());
  }

  void aModelWithoutChecksumIsKeptAndSaidUnverified() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    CatalogueEntry model = entry(server);
    model.sha256.clear();
    model.size.reset();
    ModelDownloader downloader;
    QVERIFY(downloader.start(model, folder_));
    QTRY_VERIFY_WITH_TIMEOUT(settled(downloader), kWaitMs);
    QCOMPARE(downloader.state(), State::Finished);
    QVERIFY(!downloader.verified());
    QCOMPARE(downloader.sha256(), sha256(body_));
  }

  void refusedStartsSayWhy() {
    const auto catalogue = ModelCatalogue::builtin();
    QVERIFY(catalogue.ok());
    ModelDownloader downloader;
    QVERIFY(!downloader.start(*catalogue->find(QStringLiteral("medsam-vit-b")), folder_));
    const QString why = QString::fromStdString(downloader.error().message);
    QVERIFY2(why.contains(QLatin1String("https://drive.google.com/")) &&
                 why.contains(QLatin1String("import")),
             qPrintable(why));
    QVERIFY(!downloader.start(*catalogue->find(QStringLiteral("starter")), folder_));

    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    QVERIFY(writeFile(folder_ + QStringLiteral("/m.pth"), "mine"));
    QVERIFY(!downloader.start(entry(server), folder_));
    QCOMPARE(QString::fromStdString(downloader.error().path), folder_ + QStringLiteral("/m.pth"));
    QCOMPARE(server.requests().size(), 0);
    QFile file(folder_ + QStringLiteral("/m.pth"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("mine"));  // never overwritten
  }

  void filesAreJudgedAgainstTheCatalogue() {
    const auto catalogue = ModelCatalogue::parse(catalogueJson(), QStringLiteral("test"));
    QVERIFY2(catalogue.ok(), catalogue.ok() ? "" : catalogue.error().describe().c_str());
    const QString renamed = folder_ + QStringLiteral("/renamed.bin");
    QVERIFY(writeFile(renamed, body_));
    const auto hash = medsa::ui::sha256OfFile(renamed);
    QVERIFY(hash.ok());
    QCOMPARE(hash.value(), sha256(body_));
    FileVerdict verdict = judgeFile(catalogue.value(), renamed, hash.value());
    QCOMPARE(verdict.kind, FileVerdict::Kind::Verified);
    QCOMPARE(verdict.entry->id, QStringLiteral("m"));

    verdict = judgeFile(catalogue.value(), folder_ + QStringLiteral("/m.pth"), sha256("other"));
    QCOMPARE(verdict.kind, FileVerdict::Kind::Mismatch);
    QCOMPARE(verdict.expected, sha256(body_));
    verdict = judgeFile(catalogue.value(), folder_ + QStringLiteral("/free.pth"), sha256("other"));
    QCOMPARE(verdict.kind, FileVerdict::Kind::Unverified);
    QCOMPARE(verdict.entry->id, QStringLiteral("free"));
    verdict = judgeFile(catalogue.value(), renamed, sha256("other"));
    QCOMPARE(verdict.kind, FileVerdict::Kind::Unknown);

    const auto missing = medsa::ui::sha256OfFile(folder_ + QStringLiteral("/none.pth"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, ErrorCode::FileNotFound);
    QCOMPARE(QString::fromStdString(missing.error().path), folder_ + QStringLiteral("/none.pth"));
    medsa::CancellationToken token;
    token.cancel();
    QCOMPARE(medsa::ui::sha256OfFile(renamed, nullptr, token).error().code, ErrorCode::Cancelled);
  }

  void theStoreKnowsWhatIsHereAndTheDefaults() {
    QSettings().clear();
    auto catalogue = ModelCatalogue::parse(catalogueJson(), QStringLiteral("test"));
    QVERIFY(catalogue.ok());
    ModelStore store(catalogue.value(), folder_);
    const CatalogueEntry& m = *store.catalogue().find(QStringLiteral("m"));
    const CatalogueEntry& free = *store.catalogue().find(QStringLiteral("free"));
    QVERIFY(store.installedPath(m).isEmpty());
    QVERIFY(writeFile(folder_ + QStringLiteral("/m.pth.part"), "12345"));
    QCOMPARE(store.partialBytes(m), qint64(5));
    QVERIFY(writeFile(folder_ + QStringLiteral("/m.pth"), body_));
    QCOMPARE(store.installedPath(m), folder_ + QStringLiteral("/m.pth"));

    const QString elsewhere = dir_.filePath(QStringLiteral("elsewhere.pth"));
    QVERIFY(writeFile(elsewhere, "free weights"));
    store.rememberImport(free, elsewhere);
    const QString other = dir_.filePath(QStringLiteral("other.safetensors"));
    QVERIFY(writeFile(other, "other weights"));
    store.rememberOtherModel(other);
    store.rememberOtherModel(other);
    store.setDefaultModel(medsa::ui::Modality::Ct, QStringLiteral("m"));
    store.setDefaultModel(medsa::ui::Modality::Photo, other);

    // Another store (the next start, or `medsa models list`) reads the same settings.
    const ModelStore again(catalogue.value(), folder_);
    QCOMPARE(again.installedPath(free), elsewhere);
    QCOMPARE(again.otherModels(), QStringList{other});
    QCOMPARE(again.defaultModel(medsa::ui::Modality::Ct), QStringLiteral("m"));
    QCOMPARE(again.resolve(again.defaultModel(medsa::ui::Modality::Ct)),
             folder_ + QStringLiteral("/m.pth"));
    QCOMPARE(again.resolve(again.defaultModel(medsa::ui::Modality::Photo)), other);
    QVERIFY(again.defaultModel(medsa::ui::Modality::Mr).isEmpty());
    store.setDefaultModel(medsa::ui::Modality::Ct, QString());
    QVERIFY(again.defaultModel(medsa::ui::Modality::Ct).isEmpty());
    QVERIFY(QFile::remove(other));
    QVERIFY(again.otherModels().isEmpty());  // gone files are not offered
  }

 private:
  CatalogueEntry entry(const RangeHttpServer& server) const {
    CatalogueEntry model;
    model.id = QStringLiteral("m");
    model.name = QStringLiteral("Test model");
    model.file = QStringLiteral("m.pth");
    model.url = server.url();
    model.directDownload = true;
    model.size = body_.size();
    model.sha256 = sha256(body_);
    return model;
  }

  QByteArray catalogueJson() const {
    return QStringLiteral(
               "{\"format\": 1, \"models\": ["
               "{\"id\": \"m\", \"name\": \"M\", \"publisher\": \"P\", \"file\": \"m.pth\", "
               "\"url\": \"http://127.0.0.1:9/m.pth\", \"size\": %1, \"sha256\": \"%2\", "
               "\"checksum_source\": \"test\", \"licence\": \"Apache-2.0\", \"profile\": \"sam\", "
               "\"architecture\": \"vit_b\"},"
               "{\"id\": \"free\", \"name\": \"Free\", \"publisher\": \"P\", \"file\": "
               "\"free.pth\", \"url\": \"http://127.0.0.1:9/free.pth\", \"size\": null, "
               "\"sha256\": null, \"checksum_source\": \"none\", \"licence\": \"MIT\", "
               "\"profile\": \"medsam\", \"architecture\": \"vit_b\"}]}")
        .arg(body_.size())
        .arg(sha256(body_))
        .toUtf8();
  }

  static QList<QByteArray> rangesAsked(const RangeHttpServer& server) {
    QList<QByteArray> ranges;
    for (const RangeHttpServer::Request& request : server.requests())
      if (!request.range.isEmpty()) ranges.append(request.range);
    return ranges;
  }

  QStringList leftovers() const { return QDir(folder_).entryList(QDir::Files, QDir::Name); }

  static QString fileSha(const QString& path) {
    const auto hash = medsa::ui::sha256OfFile(path);
    return hash.ok() ? hash.value() : QString();
  }

  QTemporaryDir dir_;
  QString folder_;
  QByteArray body_;
};

QTEST_GUILESS_MAIN(TestModelDownloader)
#include "test_model_downloader.moc"
