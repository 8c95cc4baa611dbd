#pragma once

#include <optional>

namespace medsa::annotations {

/// The time a user actively works on a case: the gaps between consecutive activity events
/// (clicks, strokes, keys), except gaps longer than the idle limit: a break is not annotation
/// time. Time comes from the caller, so a test drives it without waiting.
class ActiveTime {
 public:
  explicit ActiveTime(double idleLimitSeconds = 60) : idleLimit_(idleLimitSeconds) {}

  void activity(double nowSeconds) {
    if (last_) {
      const double gap = nowSeconds - *last_;
      if (gap > 0 && gap <= idleLimit_) total_ += gap;
    }
    last_ = nowSeconds;
  }
  double seconds() const { return total_; }
  /// The time counted so far, which is then forgotten (it has been recorded).
  double take() {
    const double taken = total_;
    total_ = 0;
    return taken;
  }
  /// A new case: the next event starts counting afresh.
  void restart() {
    total_ = 0;
    last_.reset();
  }

 private:
  double idleLimit_;
  std::optional<double> last_;
  double total_ = 0;
};

}  // namespace medsa::annotations
