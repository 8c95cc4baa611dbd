#pragma once

#include <cstdint>
#include <vector>

namespace medsa {

/// Pixel counts of a predicted mask against a target (non-zero = object).
struct Overlap {
  std::int64_t intersection = 0, predicted = 0, target = 0;
  /// 2|P n T| / (|P| + |T|); 1 when both are empty (nothing to find, nothing found).
  double dice() const;
  /// |P n T| / |P u T|; 1 when both are empty.
  double iou() const;
};

/// Counts over the shorter of the two masks; callers pass masks of one size.
Overlap overlap(const std::vector<std::uint8_t>& predicted,
                const std::vector<std::uint8_t>& target);
double dice(const std::vector<std::uint8_t>& predicted, const std::vector<std::uint8_t>& target);
double iou(const std::vector<std::uint8_t>& predicted, const std::vector<std::uint8_t>& target);

/// NoC@threshold (RITM's number of clicks): the 1-based index of the first click after which the
/// IoU reaches `threshold`, or `cap` when no click in the list does.
int clicksToReach(const std::vector<double>& iouAfterClick, double threshold, int cap = 20);

}  // namespace medsa
