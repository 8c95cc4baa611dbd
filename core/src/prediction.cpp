#include <algorithm>

#include "medsa/core/segmentation_engine.h"

namespace medsa {

int Prediction::best() const {
  if (iou.empty()) return 0;
  return static_cast<int>(std::max_element(iou.begin(), iou.end()) - iou.begin());
}

}  // namespace medsa
