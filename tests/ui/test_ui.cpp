#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QTest>
#include <QTranslator>

#include "medsa/ui/main_window.h"
#include "medsa/ui/viewer_area.h"

using medsa::ui::MainWindow;

class TestUi : public QObject {
  Q_OBJECT

 private slots:
  void mainWindowHasMenusViewerAndStatusBar() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QCOMPARE(window.windowTitle(), QStringLiteral("Med-SA Studio"));
    QVERIFY(window.findChild<QMenu*>(QStringLiteral("fileMenu")));
    QVERIFY(window.findChild<QMenu*>(QStringLiteral("helpMenu")));
    QVERIFY(window.findChild<QAction*>(QStringLiteral("aboutAction")));

    auto* viewer = qobject_cast<medsa::ui::ViewerArea*>(window.centralWidget());
    QVERIFY(viewer);
    QCOMPARE(viewer, window.viewerArea());
    QVERIFY(viewer->isVisible());
    QCOMPARE(viewer->placeholderText(), QStringLiteral("No image open"));

    QVERIFY(window.statusBar()->isVisible());
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Ready"));
    window.setEngineDescription(QStringLiteral("LibTorch 1.13.1 \u00b7 CPU \u00b7 2 threads"));
    QCOMPARE(window.findChild<QLabel*>(QStringLiteral("engineLabel"))->text(),
             window.engineDescription());
  }

  void viewerPaintsPlaceholderOnBlack() {
    medsa::ui::ViewerArea viewer;
    viewer.resize(400, 300);
    const QImage image = viewer.grab().toImage();
    QCOMPARE(image.pixelColor(2, 2), QColor(Qt::black));
    // The centred hint is drawn in a light grey: some pixel near the middle must be lit.
    bool textDrawn = false;
    for (int x = 100; x < 300 && !textDrawn; ++x) textDrawn = qGray(image.pixel(x, 150)) > 60;
    QVERIFY(textDrawn);
  }

  void chineseTranslationCoversTheWindow() {
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(MEDSA_QM_DIR "/medsa_zh_CN.qm")));
    QCoreApplication::installTranslator(&translator);
    MainWindow window;
    QCOMPARE(window.viewerArea()->placeholderText(),
             QStringLiteral("\u672a\u6253\u5f00\u56fe\u50cf"));
    QCOMPARE(window.findChild<QMenu*>(QStringLiteral("fileMenu"))->title(),
             QStringLiteral("\u6587\u4ef6(&F)"));
    QCoreApplication::removeTranslator(&translator);
  }

  void quitClosesTheWindow() {
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.findChild<QAction*>(QStringLiteral("quitAction"))->trigger();
    QVERIFY(!window.isVisible());
  }
};

QTEST_MAIN(TestUi)
#include "test_ui.moc"
