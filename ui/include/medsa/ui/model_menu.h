#pragma once

class QMenu;

namespace medsa::ui {

class MainWindow;

/// Adds the Model menu to the window's menu bar (before Help): Manage Models… opens the model
/// manager, whose "Use" loads the model through MainWindow::loadModel and remembers it.
QMenu* addModelMenu(MainWindow* window);

}  // namespace medsa::ui
