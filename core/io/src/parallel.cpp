#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace medsa::io {

Status parallelFor(std::size_t count, const std::function<Status(std::size_t)>& work,
                   ProgressScope& progress, std::string_view stage, const std::string& path) {
  if (count == 0) return {};
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::atomic<bool> stop{false};
  std::mutex errorMutex;
  std::optional<std::pair<std::size_t, Error>> failure;

  auto runOne = [&]() -> bool {
    const std::size_t i = next.fetch_add(1);
    if (i >= count || stop.load()) return false;
    Status status = work(i);
    if (!status) {
      const std::lock_guard<std::mutex> lock(errorMutex);
      // The lowest failing index wins, so the reported error does not depend on timing.
      if (!failure || i < failure->first) failure = std::make_pair(i, status.error());
      stop = true;
      return false;
    }
    done.fetch_add(1);
    return true;
  };

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t helpers = std::min<std::size_t>(std::min(cores, 8u) - 1, count - 1);
  std::vector<std::thread> threads;
  try {
    for (std::size_t t = 0; t < helpers; ++t) {
      threads.emplace_back([&] {
        while (runOne()) {
        }
      });
    }
  } catch (const std::system_error&) {
    // No more threads: the ones started and this one finish the work.
  }
  bool cancelled = false;
  while (runOne()) {
    if (!progress.update(static_cast<double>(done.load()) / static_cast<double>(count), stage)) {
      cancelled = true;
      stop = true;
    }
  }
  for (std::thread& thread : threads) thread.join();
  if (failure) return failure->second;
  if (cancelled || progress.cancelled()) return Error{ErrorCode::Cancelled, "cancelled", path};
  progress.update(1.0, stage);
  return {};
}

}  // namespace medsa::io
