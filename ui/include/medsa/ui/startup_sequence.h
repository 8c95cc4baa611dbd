#pragma once

#include <QString>

namespace medsa::ui {

class MainWindow;

/// What the user asked for on the command line.
struct StartRequest {
  QString image;   ///< a file or folder to open
  QString labels;  ///< a label map to open with it
  bool demo = false;
  bool demoPhoto = false;
  bool askBeforeRecovery = true;
};

/// What medsa-studio does once its window is up. Work autosaved by a session that crashed comes
/// first: it is offered, and only when none is recovered is the request opened. A label map
/// given with a recovered image is never put over the recovered labels without asking (the
/// usual Save / Discard / Cancel), and is not put on another image at all.
void runStartup(MainWindow& window, const StartRequest& request);

}  // namespace medsa::ui
