#pragma once

#include <memory>

#include "medsa/core/image.h"

namespace medsa::app {

/// The built-in fundus photograph (a 768 x 768 RGB JPEG embedded in the app: scikit-image's
/// retina.jpg from Wikimedia Commons, CC0 1.0; see app/studio/resources/README.md). Lets a new
/// user try 2D segmentation without finding an image first. Null if the resource is missing.
std::shared_ptr<Image> makeDemoFundus();

}  // namespace medsa::app
