// `medsa models list|download|verify` end to end: the real executable against a local HTTP
// server on 127.0.0.1 (on its own thread, so the test may wait for the child process).
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include "../ui/range_http_server.h"
#include "cli_runner.h"

using medsa::test::RangeHttpServer;
using medsa::test::Run;

namespace {

QString sha256(const QByteArray& bytes) {
  return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

}  // namespace

class TestCliModels : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    // Settings and the default models folder go to the temporary folder, not the user's.
    qputenv("HOME", dir_.path().toUtf8());
    qputenv("XDG_CONFIG_HOME", dir_.filePath(QStringLiteral("config")).toUtf8());
    qputenv("XDG_DATA_HOME", dir_.filePath(QStringLiteral("data")).toUtf8());
    qunsetenv("MEDSA_MODELS_DIR");
    body_ = QByteArray(2 << 20, Qt::Uninitialized);
    QRandomGenerator(5).fillRange(reinterpret_cast<quint32*>(body_.data()), body_.size() / 4);
  }

  void listShowsTheBuiltinCatalogue() {
    const Run run = medsa::test::runMedsa({"models", "list", "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QStringList ids;
    for (const QJsonValue& model : report["models"].toArray()) {
      const QJsonObject m = model.toObject();
      ids << m["id"].toString();
      QVERIFY(!m["licence"].toString().isEmpty() && !m["profile"].toString().isEmpty());
      QVERIFY(m["sha256"].isNull() || m["sha256"].toString().size() == 64);
      QVERIFY(!m["checksum_source"].toString().isEmpty());
    }
    for (const char* id : {"sam-vit-b", "sam-vit-l", "sam-vit-h", "medsam-vit-b"})
      QVERIFY2(ids.contains(QLatin1String(id)), id);
    QVERIFY(report["folder"].toString().startsWith(dir_.filePath(QStringLiteral("data"))));

    const Run text = medsa::test::runMedsa({"models", "list"});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains(QLatin1String("sam-vit-h")) &&
            text.out.contains(QLatin1String("download page only")));
  }

  void downloadVerifiesAndResumes() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    const QString catalogue = writeCatalogue(server.url(), sha256(body_));
    const QString folder = dir_.filePath(QStringLiteral("models"));
    server.cutAfter(1 << 20, 1);
    const Run run = medsa::test::runMedsa(
        {"models", "download", "m", "--catalogue", catalogue, "--dir", folder, "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(report["path"].toString(), folder + QStringLiteral("/m.pth"));
    QCOMPARE(report["sha256"].toString(), sha256(body_));
    QVERIFY(report["verified"].toBool());
    QCOMPARE(report["requests"].toInt(), 2);  // the broken connection was resumed
    QCOMPARE(server.requests().last().range, QByteArray("bytes=1048576-"));
    QCOMPARE(QDir(folder).entryList(QDir::Files), QStringList{QStringLiteral("m.pth")});

    const qsizetype asked = server.requests().size();
    const Run again = medsa::test::runMedsa(
        {"models", "download", "m", "--catalogue", catalogue, "--dir", folder});
    QCOMPARE(again.exitCode, 0);
    QVERIFY(again.out.contains(QLatin1String("already installed")));
    QCOMPARE(server.requests().size(), asked);  // nothing downloaded again

    const Run listed = medsa::test::runMedsa(
        {"models", "list", "--catalogue", catalogue, "--dir", folder, "--json"});
    const QJsonObject entry =
        QJsonDocument::fromJson(listed.out.toUtf8()).object()["models"].toArray()[0].toObject();
    QCOMPARE(entry["installed"].toString(), folder + QStringLiteral("/m.pth"));
  }

  void downloadFailuresSayWhy() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    const QString folder = dir_.filePath(QStringLiteral("failures"));
    // A wrong checksum: refused, deleted, exit 1.
    const QString wrong = writeCatalogue(server.url(), sha256("something else"));
    Run run =
        medsa::test::runMedsa({"models", "download", "m", "--catalogue", wrong, "--dir", folder});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("SHA-256 mismatch")) &&
                 run.err.contains(QLatin1String("deleted")),
             qPrintable(run.err));
    QCOMPARE(QDir(folder).entryList(QDir::Files), QStringList());
    // A server error: exit 1 naming the address and the status.
    server.setStatus(500);
    run = medsa::test::runMedsa({"models", "download", "m", "--catalogue",
                                 writeCatalogue(server.url(), sha256(body_)), "--dir", folder});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(server.url()) && run.err.contains(QLatin1String("500")),
             qPrintable(run.err));
    // Not a direct download (MedSAM's README gives a shared folder): exit 1, what to do instead.
    run = medsa::test::runMedsa({"models", "download", "medsam-vit-b", "--dir", folder});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("import")), qPrintable(run.err));
    // Usage: unknown model, missing name, options of another subcommand.
    run = medsa::test::runMedsa({"models", "download", "no-such-model"});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains(QLatin1String("sam-vit-b")));
    QCOMPARE(medsa::test::runMedsa({"models", "download"}).exitCode, 2);
    QCOMPARE(medsa::test::runMedsa({"models", "list", "--sha256", QString(64, QLatin1Char('a'))})
                 .exitCode,
             2);
    QCOMPARE(medsa::test::runMedsa({"models", "frobnicate"}).exitCode, 2);
  }

  void verifyJudgesAFile() {
    const QString catalogue =
        writeCatalogue(QStringLiteral("http://127.0.0.1:9/m.pth"), sha256(body_));
    const QString renamed = dir_.filePath(QStringLiteral("renamed.bin"));
    QVERIFY(writeFile(renamed, body_));
    Run run =
        medsa::test::runMedsa({"models", "verify", renamed, "--catalogue", catalogue, "--json"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(report["result"].toString(), QStringLiteral("verified"));
    QCOMPARE(report["model"].toString(), QStringLiteral("m"));

    QVERIFY(QDir().mkpath(dir_.filePath(QStringLiteral("bad"))));
    const QString damaged = dir_.filePath(QStringLiteral("bad/m.pth"));
    QVERIFY(writeFile(damaged, body_.left(1000)));
    run = medsa::test::runMedsa({"models", "verify", damaged, "--catalogue", catalogue});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(damaged) && run.err.contains(QLatin1String("differs")),
             qPrintable(run.err));

    run = medsa::test::runMedsa({"models", "verify", renamed, "--sha256", sha256(body_)});
    QCOMPARE(run.exitCode, 0);
    run = medsa::test::runMedsa({"models", "verify", renamed, "--sha256", sha256("x"), "--json"});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).object()["result"].toString(),
             QStringLiteral("mismatch"));

    // The built-in catalogue: a stray file is unknown, a MedSAM file cannot be verified.
    run = medsa::test::runMedsa({"models", "verify", renamed});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QLatin1String("no catalogue entry")));
    const QString medsam = dir_.filePath(QStringLiteral("bad/medsam_vit_b.pth"));
    QVERIFY(writeFile(medsam, "weights"));
    run = medsa::test::runMedsa({"models", "verify", medsam});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("no checksum")), qPrintable(run.err));

    run = medsa::test::runMedsa({"models", "verify", dir_.filePath(QStringLiteral("none.pth"))});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(dir_.filePath(QStringLiteral("none.pth"))));
    QCOMPARE(medsa::test::runMedsa({"models", "verify", renamed, "--sha256", "12"}).exitCode, 2);
  }

 private:
  QString writeCatalogue(const QString& url, const QString& sha) {
    const QString path = dir_.filePath(QStringLiteral("catalogue-%1.json").arg(++catalogues_));
    const QString json =
        QStringLiteral(
            "{\"format\": 1, \"models\": [{\"id\": \"m\", \"name\": \"Test model\", "
            "\"publisher\": \"P\", \"file\": \"m.pth\", \"url\": \"%1\", \"size\": %2, "
            "\"sha256\": \"%3\", \"checksum_source\": \"test\", \"licence\": \"Apache-2.0\", "
            "\"profile\": \"sam\", \"architecture\": \"vit_b\"}]}")
            .arg(url)
            .arg(body_.size())
            .arg(sha);
    return writeFile(path, json.toUtf8()) ? path : QString();
  }

  QTemporaryDir dir_;
  QByteArray body_;
  int catalogues_ = 0;
};

QTEST_GUILESS_MAIN(TestCliModels)
#include "test_cli_models.moc"
