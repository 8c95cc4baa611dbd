#include "buffer_reuse.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <c10/util/Exception.h>
#include <torch/version.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <unordered_map>

#include "sam/vector_isa.h"

namespace medsa::model {
namespace {

// AddressSanitizer finds a use after free only in memory given back to the C library.
// LibTorch 2.x (the CUDA builds of GPU machines, which train on the GPU) changed the allocator
// interface from one version to the next: the pool is built against Debian's 1.13 only.
#if !defined(__SANITIZE_ADDRESS__) && TORCH_VERSION_MAJOR < 2
#define MEDSA_BUFFER_REUSE_BUILT 1
#endif

/// The pooled buffers: those handed out (with their real size, which may exceed the tensor's)
/// and those kept for reuse. One mutex: a ViT-B training step makes a few thousand pooled
/// allocations.
class BufferPool {
 public:
  /// Whether a scope lives: only then are buffers pooled.
  bool active() const { return scopes_.load(std::memory_order_relaxed) > 0; }

  void* take(std::size_t bytes) {
    {
      std::lock_guard lock(mutex_);
      // The smallest kept buffer that fits with at most 1/8 to spare: a step makes tensors of
      // a few hundred sizes, and some differ a little (windowed and global encoder blocks).
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
    void* data = nullptr;
    try {
      data = c10::alloc_cpu(bytes);
    } catch (const c10::Error&) {
      // The kept buffers may be what the memory went to: give them back and try once more
      // (a second failure is the caller's out-of-memory, as with Torch's own allocator).
      releaseKept();
      data = c10::alloc_cpu(bytes);
    }
    std::lock_guard lock(mutex_);
    handedOut_.emplace(data, bytes);
    return data;
  }

  /// Takes a buffer back; false if it was not handed out here.
  bool giveBack(void* data) {
    std::unique_lock lock(mutex_);
    const auto it = handedOut_.find(data);
    if (it == handedOut_.end()) return false;
    const std::size_t bytes = it->second;
    handedOut_.erase(it);
    if (active() && stats_.keptBytes + bytes <= kMaxKeptBytes) {
      kept_.emplace(bytes, data);
      stats_.keptBytes += bytes;
      return true;
    }
    lock.unlock();
    c10::free_cpu(data);
    return true;
  }

  void enterScope() { scopes_.fetch_add(1, std::memory_order_relaxed); }

  /// Frees the kept buffers when the last scope ends.
  void leaveScope() {
    if (scopes_.fetch_sub(1, std::memory_order_relaxed) == 1) releaseKept();
  }

  BufferReuseStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  /// Frees every kept buffer (outside the lock: freeing unmaps).
  void releaseKept() {
    std::multimap<std::size_t, void*> released;
    {
      std::lock_guard lock(mutex_);
      released.swap(kept_);
      stats_.keptBytes = 0;
    }
    for (const auto& [bytes, data] : released) c10::free_cpu(data);
  }

  std::mutex mutex_;
  std::atomic<int> scopes_{0};
  std::multimap<std::size_t, void*> kept_;
  std::unordered_map<void*, std::size_t> handedOut_;
  BufferReuseStats stats_;
};

// Never destroyed: tensors may be freed during static destruction at exit.
BufferPool& pool() {
  static auto* instance = new BufferPool();
  return *instance;
}

void releasePooled(void* data) {
  if (!pool().giveBack(data)) c10::free_cpu(data);
}

#if MEDSA_BUFFER_REUSE_BUILT
/// Torch's CPU allocator (64-byte aligned memory from the C library), with the pool for the
/// buffers that a scope alive asks to reuse.
class ReusingCpuAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(std::size_t bytes) const override {
    const c10::Device cpu(c10::DeviceType::CPU);
    if (bytes < kMinReusedBytes || !pool().active()) {
      void* data = c10::alloc_cpu(bytes);
      return {data, data, &c10::free_cpu, cpu};
    }
    void* data = pool().take(bytes);
    return {data, data, &releasePooled, cpu};
  }

  // raw_deallocate gets no size: releasePooled looks the pointer up and frees others.
  c10::DeleterFnPtr raw_deleter() const override { return &releasePooled; }
};

void installOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    static auto* allocator = new ReusingCpuAllocator();
    // Priority above the default registration (0), so that it stays in place.
    c10::SetCPUAllocator(allocator, /*priority=*/1);
  });
}
#else
void installOnce() {}
#endif

bool reuseEnabled() {
  // MEDSA_BUFFER_REUSE=off leaves every buffer to the C library, for comparisons.
  static const bool enabled = bufferReuseBuilt() && !environmentIs("MEDSA_BUFFER_REUSE", "off");
  return enabled;
}

}  // namespace

bool bufferReuseBuilt() {
#if MEDSA_BUFFER_REUSE_BUILT
  return true;
#else
  return false;
#endif
}

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
