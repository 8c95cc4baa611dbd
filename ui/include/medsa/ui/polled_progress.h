#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "medsa/core/progress.h"

namespace medsa::ui {

/// A ProgressSink that a worker thread writes and the UI thread polls with a timer: no signal per
/// report, no waiting on either side. Cancelling the token makes report() return false.
class PolledProgress : public ProgressSink {
 public:
  bool report(double fraction, std::string_view stage) override {
    fraction_.store(fraction, std::memory_order_relaxed);
    {
      std::lock_guard lock(mutex_);
      stage_.assign(stage.data(), stage.size());
    }
    return !token_.isCancelled();
  }
  double fraction() const { return fraction_.load(std::memory_order_relaxed); }
  std::string stage() const {
    std::lock_guard lock(mutex_);
    return stage_;
  }
  CancellationToken token() const { return token_; }
  void cancel() { token_.cancel(); }

 private:
  std::atomic<double> fraction_{0};
  mutable std::mutex mutex_;
  std::string stage_;
  CancellationToken token_;
};

}  // namespace medsa::ui
