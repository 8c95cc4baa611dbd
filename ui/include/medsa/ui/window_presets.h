#pragma once

#include <QList>
#include <QString>

#include "medsa/core/image.h"
#include "medsa/core/window_level.h"

namespace medsa::ui {

/// A named window for the View menu, with its shortcut key.
struct NamedWindow {
  QString name;
  WindowLevel window;
  QString shortcut;
};

/// CT brain, lung, abdomen and bone, in Hounsfield units.
QList<NamedWindow> ctWindowPresets();
/// A window from the 1st to the 99th percentile of the image's values (MR and anything without
/// a calibrated scale). Sampled, so it stays fast on large volumes.
WindowLevel percentileWindow(const Image& image, double low = 0.01, double high = 0.99);

}  // namespace medsa::ui
