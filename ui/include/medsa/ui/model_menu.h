#pragma once

#include <QString>

class QMenu;

namespace medsa::ui {

class MainWindow;

/// Adds the Model menu to the window's menu bar (before Help): Manage Models… opens the model
/// manager, whose "Use" loads the model through MainWindow::loadModel and remembers it; Zoom In
/// on Boxes and Corrections chooses the engine's zoom-in (Automatic, Always, Never), remembered
/// as zoomInSetting() and applied by loading the current model again.
QMenu* addModelMenu(MainWindow* window);

/// The remembered zoom-in choice: "auto" (also for a missing or unknown value), "on" or "off",
/// as the engine's --zoom-in takes them.
QString zoomInSetting();

}  // namespace medsa::ui
