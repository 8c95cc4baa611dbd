#pragma once

#include <atomic>
#include <memory>
#include <string_view>

namespace medsa {

/// A flag shared between whoever asks for long work and the worker doing it.
/// Copies share the same flag; cancelling any copy cancels them all.
class CancellationToken {
 public:
  CancellationToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool isCancelled() const { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

/// Receives progress of long work. Implemented by the UI (a progress bar) or the CLI (a line on
/// stderr) and injected downward, so core, io and model never depend on a toolkit.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  /// fraction in [0, 1]; stage is a short English description ("Reading slices").
  /// Returns false when the user asked to stop; the worker then returns ErrorCode::Cancelled.
  virtual bool report(double fraction, std::string_view stage) = 0;
};

/// Maps a sub-task's [0, 1] onto a slice [begin, end] of a parent sink, so nested work reports
/// one monotone bar. A null parent is allowed and ignores every report; a cancelled token stops.
class ProgressScope {
 public:
  ProgressScope(ProgressSink* parent, double begin, double end, CancellationToken token = {});
  /// Reports the sub-task's own fraction; false means stop.
  bool update(double fraction, std::string_view stage = {});
  bool cancelled() const;

 private:
  ProgressSink* parent_;
  double begin_;
  double end_;
  CancellationToken token_;
};

}  // namespace medsa
