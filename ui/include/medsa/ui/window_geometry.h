#pragma once

class QMainWindow;

namespace medsa::ui {

/// Puts the window where the user left it (geometry and docks); the first time, sizes it to
/// most of the screen it is on and centres it, so its title bar and status bar both stay on the
/// screen whatever the window manager's frame adds.
void restoreWindowGeometry(QMainWindow& window);
/// Remembers the geometry and the docks for the next start.
void rememberWindowGeometry(const QMainWindow& window);

}  // namespace medsa::ui
