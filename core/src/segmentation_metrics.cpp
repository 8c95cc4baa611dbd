#include "medsa/core/segmentation_metrics.h"

#include <algorithm>

namespace medsa {

double Overlap::dice() const {
  const std::int64_t sum = predicted + target;
  return sum == 0 ? 1.0 : 2.0 * static_cast<double>(intersection) / static_cast<double>(sum);
}

double Overlap::iou() const {
  const std::int64_t united = predicted + target - intersection;
  return united == 0 ? 1.0 : static_cast<double>(intersection) / static_cast<double>(united);
}

Overlap overlap(const std::vector<std::uint8_t>& predicted,
                const std::vector<std::uint8_t>& target) {
  Overlap o;
  const std::size_t n = std::min(predicted.size(), target.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool p = predicted[i] != 0, t = target[i] != 0;
    o.predicted += p;
    o.target += t;
    o.intersection += p && t;
  }
  return o;
}

double dice(const std::vector<std::uint8_t>& predicted, const std::vector<std::uint8_t>& target) {
  return overlap(predicted, target).dice();
}

double iou(const std::vector<std::uint8_t>& predicted, const std::vector<std::uint8_t>& target) {
  return overlap(predicted, target).iou();
}

int clicksToReach(const std::vector<double>& iouAfterClick, double threshold, int cap) {
  const int n = std::min(static_cast<int>(iouAfterClick.size()), cap);
  for (int i = 0; i < n; ++i) {
    if (iouAfterClick[static_cast<std::size_t>(i)] >= threshold) return i + 1;
  }
  return cap;
}

}  // namespace medsa
