#pragma once

#include <QSignalSpy>
#include <QTest>

#include "medsa/ui/engine_controller.h"
#include "medsa/ui/main_window.h"
#include "volume_fixture.h"

/// Shows `window` (1200 x 800) with autosaves in `autosaveFolder` and the sphere volume as its
/// demo, loads `factory`'s engine on the engine thread and waits for it, then opens the demo.
/// Uses QVERIFY: callers check QTest::currentTestFailed() where it matters.
inline void showSphereWithEngine(medsa::ui::MainWindow& window, const QString& autosaveFolder,
                                 medsa::ui::EngineFactory factory, int loadTimeoutMs = 5000) {
  window.setAutosaveFolder(autosaveFolder);
  window.setDemoProvider([] { return makeSphereVolume(); });
  window.resize(1200, 800);
  window.show();
  QVERIFY(QTest::qWaitForWindowExposed(&window));
  QSignalSpy loaded(window.engine(), &medsa::ui::EngineController::engineLoaded);
  window.engine()->load(std::move(factory), QStringLiteral("test engine"));
  QVERIFY(loaded.wait(loadTimeoutMs));
  window.openDemo();
}
