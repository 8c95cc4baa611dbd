#include "buffer_reuse.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace medsa::model {
namespace {

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer finds a use after free only in memory given back to the C library.
constexpr bool kReuseEnabled = false;
#else
constexpr bool kReuseEnabled = true;
#endif

/// The large buffers: those handed out (with their real size, which may exceed the tensor's)
/// and those kept for reuse. One mutex: a ViT-B encode makes a few thousand large allocations.
class LargeBufferPool {
 public:
  void* take(std::size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      // The smallest kept buffer that fits with at most 1/8 to spare: the blocks of one
      // encoder make tensors of a handful of sizes, and windowed and global blocks differ a
      // little in some of them.
      const auto fit = kept_.lower_bound(bytes);
      if (fit != kept_.end() && fit->first <= bytes + bytes / 8) {
        void* data = fit->second;
        handedOut_.emplace(data, fit->first);
        stats_.keptBytes -= fit->first;
        kept_.erase(fit);
        ++stats_.reused;
        return data;
      }
    }
    void* data = c10::alloc_cpu(bytes);  // throws on failure, as Torch's own allocator
    std::lock_guard lock(mutex_);
    handedOut_.emplace(data, bytes);
    ++stats_.fresh;
    return data;
  }

  /// Takes a buffer back; false if it was not handed out here.
  bool giveBack(void* data) {
    std::unique_lock lock(mutex_);
    const auto it = handedOut_.find(data);
    if (it == handedOut_.end()) return false;
    const std::size_t bytes = it->second;
    handedOut_.erase(it);
    if (scopes_ > 0 && stats_.keptBytes + bytes <= kMaxKeptBytes) {
      kept_.emplace(bytes, data);
      stats_.keptBytes += bytes;
      stats_.peakKeptBytes = std::max(stats_.peakKeptBytes, stats_.keptBytes);
      return true;
    }
    lock.unlock();
    c10::free_cpu(data);
    return true;
  }

  void enterScope() {
    std::lock_guard lock(mutex_);
    ++scopes_;
  }

  void leaveScope() {
    std::vector<void*> released;
    {
      std::lock_guard lock(mutex_);
      if (--scopes_ > 0) return;
      for (const auto& [bytes, data] : kept_) released.push_back(data);
      kept_.clear();
      stats_.keptBytes = 0;
    }
    for (void* data : released) c10::free_cpu(data);
  }

  BufferReuseStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  std::mutex mutex_;
  int scopes_ = 0;
  std::multimap<std::size_t, void*> kept_;
  std::unordered_map<void*, std::size_t> handedOut_;
  BufferReuseStats stats_;
};

// Never destroyed: tensors may be freed during static destruction at exit.
LargeBufferPool& pool() {
  static auto* instance = new LargeBufferPool();
  return *instance;
}

void releaseLarge(void* data) {
  if (!pool().giveBack(data)) c10::free_cpu(data);
}

/// Torch's CPU allocator (64-byte aligned memory from the C library) plus the pool for large
/// buffers.
class ReusingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(std::size_t bytes) const override {
    const c10::Device cpu(c10::DeviceType::CPU);
    if (bytes < kMinReusedBytes) {
      void* data = c10::alloc_cpu(bytes);
      return {data, data, &c10::free_cpu, cpu};
    }
    void* data = pool().take(bytes);
    return {data, data, &releaseLarge, cpu};
  }

  // raw_deallocate gets no size: releaseLarge looks the pointer up and frees small ones.
  c10::DeleterFnPtr raw_deleter() const override { return &releaseLarge; }

  // LibTorch 2.3 made copying through the allocator pure virtual (one of these two
  // signatures, depending on the version); on 1.13 they are unused members.
  void copy_data(void* dest, const void* src, std::size_t count) const {
    std::memcpy(dest, src, count);
  }
  void copy_data(void* dest, const void* src, std::size_t count, bool /*sync*/) const {
    std::memcpy(dest, src, count);
  }
};

void installOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    static auto* allocator = new ReusingCpuAllocator();
    // Priority above the default registration (0), so that it stays in place.
    c10::SetCPUAllocator(allocator, /*priority=*/1);
  });
}

bool reuseEnabled() {
  // MEDSA_BUFFER_REUSE=off leaves every buffer to the C library, for comparisons.
  static const bool enabled = [] {
    const char* value = std::getenv("MEDSA_BUFFER_REUSE");
    return kReuseEnabled && !(value && std::strcmp(value, "off") == 0);
  }();
  return enabled;
}

}  // namespace

BufferReuseScope::BufferReuseScope() : active_(reuseEnabled()) {
  if (!active_) return;
  installOnce();
  pool().enterScope();
}

BufferReuseScope::~BufferReuseScope() {
  if (active_) pool().leaveScope();
}

BufferReuseStats bufferReuseStats() { return pool().stats(); }

}  // namespace medsa::model
