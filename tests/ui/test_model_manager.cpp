// Model → Manage Models… as a user meets it (offscreen): download with a progress bar, pause,
// resume and cancel through the buttons, a verified or refused import, the defaults per modality
// remembered, and "Use" loading the model into the window.
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "fake_engine.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/model_manager_dialog.h"
#include "medsa/ui/model_menu.h"
#include "range_http_server.h"

using medsa::test::RangeHttpServer;
using medsa::ui::ModelCatalogue;
using medsa::ui::ModelDownloader;
using medsa::ui::ModelManagerDialog;
using medsa::ui::ModelStore;
using medsa::ui::zoomInSetting;

namespace {

constexpr int kWaitMs = 60000;  // a bound for a hung test, not a timing assertion

QString sha256(const QByteArray& bytes) {
  return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QPushButton* button(QWidget* dialog, const char* name) {
  return dialog->findChild<QPushButton*>(QLatin1String(name));
}

}  // namespace

class TestModelManager : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("medsa-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_model_manager"));
    QVERIFY(dir_.isValid());
    body_ = QByteArray(2 << 20, Qt::Uninitialized);
    QRandomGenerator(11).fillRange(reinterpret_cast<quint32*>(body_.data()), body_.size() / 4);
  }

  void init() {
    QSettings().clear();
    folder_ = dir_.filePath(QString::fromLatin1(QTest::currentTestFunction()));
    QVERIFY(QDir().mkpath(folder_));
  }

  void downloadShowsProgressAndTheModelCanBeUsed() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.holdAfter(600000);
    ModelManagerDialog dialog(store(server.url()));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.select(QStringLiteral("m"));
    QVERIFY(!button(&dialog, "useButton")->isEnabled());
    QVERIFY(button(&dialog, "downloadButton")->isEnabled());

    button(&dialog, "downloadButton")->click();
    auto* bar = dialog.findChild<QProgressBar*>(QStringLiteral("downloadProgress"));
    QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible() && bar->value() > 0, kWaitMs);
    QCOMPARE(bar->value(), int(1000.0 * 600000 / body_.size()));
    QVERIFY(bar->text().contains(QLatin1String("0.6 of 2.1 MB")));
    QVERIFY(button(&dialog, "pauseButton")->isEnabled());
    QVERIFY(!button(&dialog, "downloadButton")->isEnabled());

    button(&dialog, "pauseButton")->click();
    QCOMPARE(dialog.downloader()->state(), ModelDownloader::State::Paused);
    QVERIFY(dialog.message().contains(QLatin1String("m.pth.part")));
    QVERIFY(button(&dialog, "resumeButton")->isEnabled());
    QVERIFY(rowStatus(dialog).startsWith(QLatin1String("Partly downloaded")));

    button(&dialog, "resumeButton")->click();
    QTRY_COMPARE_WITH_TIMEOUT(dialog.downloader()->state(), ModelDownloader::State::Finished,
                              kWaitMs);
    QVERIFY2(dialog.message().contains(QLatin1String("verified")), qPrintable(dialog.message()));
    QCOMPARE(server.requests().last().range, QByteArray("bytes=600000-"));
    QCOMPARE(rowStatus(dialog), QStringLiteral("Installed"));
    QVERIFY(!bar->isVisible());

    QSignalSpy used(&dialog, &ModelManagerDialog::useModel);
    QVERIFY(button(&dialog, "useButton")->isEnabled());
    button(&dialog, "useButton")->click();
    QCOMPARE(used.size(), 1);
    QCOMPARE(used[0][0].toString(), folder_ + QStringLiteral("/m.pth"));
  }

  void cancelAndServerErrorsAreShown() {
    RangeHttpServer server(body_);
    QVERIFY(server.begin());
    server.holdAfter(300000);
    ModelManagerDialog dialog(store(server.url()));
    dialog.show();
    dialog.select(QStringLiteral("m"));
    button(&dialog, "downloadButton")->click();
    QTRY_VERIFY_WITH_TIMEOUT(dialog.downloader()->received() == 300000, kWaitMs);
    QVERIFY(button(&dialog, "cancelButton")->isEnabled());
    button(&dialog, "cancelButton")->click();
    QVERIFY(dialog.message().contains(QLatin1String("cancelled")));
    QCOMPARE(QDir(folder_).entryList(QDir::Files), QStringList());
    QCOMPARE(rowStatus(dialog), QStringLiteral("Not downloaded"));

    server.setStatus(404);
    button(&dialog, "downloadButton")->click();
    QTRY_COMPARE_WITH_TIMEOUT(dialog.downloader()->state(), ModelDownloader::State::Failed,
                              kWaitMs);
    QVERIFY2(
        dialog.message().contains(QLatin1String("404")) && dialog.message().contains(server.url()),
        qPrintable(dialog.message()));
  }

  void importsAreVerifiedOrRefused() {
    ModelManagerDialog dialog(store(QStringLiteral("http://127.0.0.1:9/m.pth")));
    // The right bytes under another name: verified by SHA-256 and recorded as the entry.
    const QString good = dir_.filePath(QStringLiteral("copy-of-m.bin"));
    QVERIFY(writeFile(good, body_));
    dialog.importFile(good);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), kWaitMs);
    QVERIFY2(dialog.message().contains(QLatin1String("imported as Test model")),
             qPrintable(dialog.message()));
    QCOMPARE(rowStatus(dialog), QStringLiteral("Installed"));

    // The entry's file name with other bytes: refused, and said why.
    const QString bad = folder_ + QStringLiteral("/sub/m.pth");
    QVERIFY(QDir().mkpath(folder_ + QStringLiteral("/sub")));
    QVERIFY(writeFile(bad, "not the model"));
    dialog.importFile(bad);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), kWaitMs);
    QVERIFY2(dialog.message().contains(QLatin1String("not imported")) &&
                 dialog.message().contains(sha256("not the model")),
             qPrintable(dialog.message()));
    QCOMPARE(dialog.store().installedPath(*dialog.store().catalogue().find(QStringLiteral("m"))),
             good);

    // A file no entry names: kept as another model, said to be unverified.
    const QString other = dir_.filePath(QStringLiteral("mine.safetensors"));
    QVERIFY(writeFile(other, "my own weights"));
    dialog.importFile(other);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isImporting(), kWaitMs);
    QVERIFY(dialog.message().contains(QLatin1String("not verified")));
    QCOMPARE(dialog.store().otherModels(), QStringList{other});
  }

  void defaultsPerModalityAreRemembered() {
    QVERIFY(writeFile(folder_ + QStringLiteral("/m.pth"), body_));
    {
      ModelManagerDialog dialog(store(QStringLiteral("http://127.0.0.1:9/m.pth")));
      auto* ct = dialog.findChild<QComboBox*>(QStringLiteral("default_ct"));
      QVERIFY(ct);
      const int index = ct->findData(QStringLiteral("m"));
      QVERIFY(index > 0);  // installed, so offered
      ct->setCurrentIndex(index);
      emit ct->activated(index);  // as a user's choice
    }
    ModelManagerDialog again(store(QStringLiteral("http://127.0.0.1:9/m.pth")));
    QCOMPARE(again.findChild<QComboBox*>(QStringLiteral("default_ct"))->currentData().toString(),
             QStringLiteral("m"));
    QVERIFY(again.findChild<QComboBox*>(QStringLiteral("default_mr"))
                ->currentData()
                .toString()
                .isEmpty());
    QCOMPARE(again.store().defaultModel(medsa::ui::Modality::Ct), QStringLiteral("m"));
  }

  void theModelMenuOpensTheManagerAndUseLoadsTheModel() {
    qputenv("MEDSA_MODELS_DIR", folder_.toUtf8());
    QVERIFY(writeFile(folder_ + QStringLiteral("/sam_vit_b_01ec64.pth"), "stand-in"));
    medsa::ui::MainWindow window;
    window.setAutosaveFolder(dir_.filePath(QStringLiteral("autosave")));
    QString loaded;
    window.setModelLoader([&loaded](const QString& path) -> medsa::ui::EngineFactory {
      loaded = path;
      return [] {
        return medsa::Result<std::unique_ptr<medsa::SegmentationEngine>>(
            std::unique_ptr<medsa::SegmentationEngine>(std::make_unique<FakeEngine>()));
      };
    });
    // The Model menu sits before Help.
    QStringList menus;
    for (QAction* action : window.menuBar()->actions())
      if (action->menu()) menus << action->menu()->objectName();
    const int model = menus.indexOf(QStringLiteral("modelMenu"));
    QVERIFY2(model >= 0 && model + 1 == menus.indexOf(QStringLiteral("helpMenu")),
             qPrintable(menus.join(QLatin1Char(' '))));
    auto* manage = window.findChild<QAction*>(QStringLiteral("manageModelsAction"));
    QVERIFY(manage);
    manage->trigger();
    auto* dialog = window.findChild<ModelManagerDialog*>(QStringLiteral("modelManagerDialog"));
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->store().folder(), folder_);
    QCOMPARE(dialog->findChild<QTableWidget*>(QStringLiteral("modelTable"))->rowCount(),
             int(dialog->store().catalogue().entries().size()));
    dialog->select(QStringLiteral("sam-vit-b"));
    QVERIFY(button(dialog, "useButton")->isEnabled());
    button(dialog, "useButton")->click();
    QCOMPARE(loaded, folder_ + QStringLiteral("/sam_vit_b_01ec64.pth"));
    QCOMPARE(QSettings().value(QStringLiteral("model/checkpoint")).toString(), loaded);
    // Closed and opened again: the same dialog (a download would have gone on meanwhile).
    dialog->close();
    manage->trigger();
    QCOMPARE(window.findChildren<ModelManagerDialog*>().size(), 1);
    qunsetenv("MEDSA_MODELS_DIR");
  }

  void theZoomInChoiceIsRememberedAndReloadsTheModel() {
    QSettings().remove(QStringLiteral("model/zoomIn"));
    QCOMPARE(zoomInSetting(), QStringLiteral("auto"));
    medsa::ui::MainWindow window;
    window.setAutosaveFolder(dir_.filePath(QStringLiteral("autosave")));
    QStringList loads;
    window.setModelLoader([&loads](const QString& path) -> medsa::ui::EngineFactory {
      loads << path + QLatin1Char(' ') + zoomInSetting();  // what the engine would be made with
      return [] {
        return medsa::Result<std::unique_ptr<medsa::SegmentationEngine>>(
            std::unique_ptr<medsa::SegmentationEngine>(std::make_unique<FakeEngine>()));
      };
    });
    auto* automatic = window.findChild<QAction*>(QStringLiteral("zoomIn_auto"));
    auto* never = window.findChild<QAction*>(QStringLiteral("zoomIn_off"));
    auto* always = window.findChild<QAction*>(QStringLiteral("zoomIn_on"));
    QVERIFY(automatic && never && always);
    QVERIFY(automatic->isChecked() && !never->isChecked() && !always->isChecked());
    // No model yet: the choice is remembered, nothing is loaded.
    never->trigger();
    QCOMPARE(QSettings().value(QStringLiteral("model/zoomIn")).toString(), QStringLiteral("off"));
    QVERIFY(loads.isEmpty());
    // With a model: the same model again, made with the new choice.
    window.loadModel(QStringLiteral("/models/a.safetensors"));
    always->trigger();
    QVERIFY(always->isChecked() && !never->isChecked());
    QCOMPARE(loads, (QStringList{QStringLiteral("/models/a.safetensors off"),
                                 QStringLiteral("/models/a.safetensors on")}));
    always->trigger();  // already the choice: no reload
    QCOMPARE(loads.size(), 2);
    // A window opened later shows the remembered choice; an unknown value reads as automatic.
    medsa::ui::MainWindow later;
    QVERIFY(later.findChild<QAction*>(QStringLiteral("zoomIn_on"))->isChecked());
    QSettings().setValue(QStringLiteral("model/zoomIn"), QStringLiteral("sometimes"));
    QCOMPARE(zoomInSetting(), QStringLiteral("auto"));
    QSettings().remove(QStringLiteral("model/zoomIn"));
  }

 private:
  ModelStore store(const QString& url) const {
    const QString json =
        QStringLiteral(
            "{\"format\": 1, \"models\": [{\"id\": \"m\", \"name\": \"Test model\", "
            "\"publisher\": \"P\", \"file\": \"m.pth\", \"url\": \"%1\", \"size\": %2, "
            "\"sha256\": \"%3\", \"checksum_source\": \"test\", \"licence\": \"Apache-2.0\", "
            "\"profile\": \"sam\", \"architecture\": \"vit_b\"}]}")
            .arg(url)
            .arg(body_.size())
            .arg(sha256(body_));
    auto catalogue = ModelCatalogue::parse(json.toUtf8(), QStringLiteral("test"));
    Q_ASSERT(catalogue.ok());
    return ModelStore(catalogue.value(), folder_);
  }

  static QString rowStatus(ModelManagerDialog& dialog) {
    auto* table = dialog.findChild<QTableWidget*>(QStringLiteral("modelTable"));
    return table->item(0, table->columnCount() - 1)->text();
  }

  QTemporaryDir dir_;
  QString folder_;
  QByteArray body_;
};

QTEST_MAIN(TestModelManager)
#include "test_model_manager.moc"
