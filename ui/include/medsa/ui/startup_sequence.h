#pragma once

#include <QString>

namespace medsa::ui {

class MainWindow;

/// What the user asked for on the command line.
struct StartRequest {
  QString image;   ///< a file or folder to open, or a project (its folder, or a PostgreSQL URL)
  QString labels;  ///< a label map to open with it
  bool demo = false;
  bool demoPhoto = false;
  bool askBeforeRecovery = true;
};

/// What medsa-studio does once its window is up. Work autosaved by a session that crashed comes
/// first: it is offered, and only when none is recovered is the request opened. A label map
/// given with a recovered image is never put over the recovered labels without asking (the
/// usual Save / Discard / Cancel), and is not put on another image at all. A project opens
/// at the case the user was on (the caller refuses a label map with it: the project keeps its
/// cases' labels).
void runStartup(MainWindow& window, const StartRequest& request);

/// A project folder (one with project.medsa) or a PostgreSQL URL, rather than an image.
bool isProjectLocation(const QString& path);

}  // namespace medsa::ui
