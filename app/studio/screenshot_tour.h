#pragma once

#include <QString>

namespace medsa::ui {
class MainWindow;
}

namespace medsa::app {

/// `medsa-studio --screenshots DIR`: drives the real window through the states a user meets (the
/// first start, the demo, AI points and boxes with their candidates, an accepted label, brush,
/// polygon, the photograph, every dialog, a project) and writes each as DIR/NN-name.png, for a
/// person to look at and for the README. Returns the exit status (1 when a picture is missing).
int runScreenshotTour(ui::MainWindow& window, const QString& folder);

}  // namespace medsa::app
