#pragma once

#include <memory>

#include "medsa/core/image.h"

namespace medsa::app {

/// A CT-like abdominal phantom generated in code (no file, no licence question): air, body with
/// fat, lungs, liver with a hypodense lesion, kidneys, aorta and spine in Hounsfield units, on a
/// 1.5 x 1.5 x 2.5 mm LPS grid. Deterministic, so screenshots and tests are reproducible.
std::shared_ptr<Image> makeDemoPhantom();

}  // namespace medsa::app
