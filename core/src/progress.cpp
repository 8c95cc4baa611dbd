#include "medsa/core/progress.h"

#include <algorithm>

namespace medsa {

ProgressScope::ProgressScope(ProgressSink* parent, double begin, double end,
                             CancellationToken token)
    : parent_(parent), begin_(begin), end_(end), token_(std::move(token)) {}

bool ProgressScope::update(double fraction, std::string_view stage) {
  if (token_.isCancelled()) return false;
  if (!parent_) return true;
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  const bool keepGoing = parent_->report(begin_ + (end_ - begin_) * clamped, stage);
  if (!keepGoing) token_.cancel();
  return keepGoing;
}

bool ProgressScope::cancelled() const { return token_.isCancelled(); }

}  // namespace medsa
