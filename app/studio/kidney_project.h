#pragma once

#include <QString>

#include "medsa/core/error.h"

namespace medsa::app {

/// A project of `cases` demo phantoms (each a distinct image) whose kidneys are labelled and
/// marked done, created as `parent`/Kidneys: enough for the trainer to run a cycle (one case is
/// held out). Used by the screenshot tour and the click benchmark. Returns the project folder.
Result<QString> makeKidneyProject(const QString& parent, int cases = 3);

}  // namespace medsa::app
