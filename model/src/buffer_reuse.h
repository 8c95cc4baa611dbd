#pragma once
// Reuse of CPU buffers within a training run.
//
// A training step's forward and backward passes make and free gigabytes of tensors, the same
// sizes in every step. glibc maps each request of 32 MB or more anew, and trims freed heap back
// to the kernel, so most of those pages were faulted in and zeroed again in every step: 13.6
// million page faults in two ViT-B steps, more time in the kernel than in the arithmetic. While
// a BufferReuseScope lives, a freed CPU buffer of at least kMinReusedBytes is kept for the next
// tensor of (nearly) the same size instead; when the last scope ends the kept buffers are
// freed.
//
// An inference encoder pass (SamModel::Impl::encode) holds a scope too: each ViT-B block's qkv
// and first MLP outputs (38 and 50 MB) are above glibc's largest mmap threshold and were
// faulted in anew in every block, ~60,000 page faults per encode. With the scope a bench of
// six encodes faulted 0.29 instead of 0.63 million pages and spent 1.7 instead of 3.0 s in the
// kernel; its peak memory grew by 30-65 MB (864 MB after one encode, 938 MB after three).

#include <cstddef>

namespace medsa::model {

/// Smaller buffers are left to the C library's heap.
inline constexpr std::size_t kMinReusedBytes = std::size_t{1} << 20;
/// At most this many bytes are kept at once; a buffer freed beyond it is freed. Whatever is kept
/// was live before in the same kind of step, so the bound only guards against a pathological
/// mix of sizes.
inline constexpr std::size_t kMaxKeptBytes = std::size_t{8} << 30;

class BufferReuseScope {
 public:
  /// Installs the reusing CPU allocator on first use. Process-wide: while a scope lives, the
  /// buffers of every thread are pooled; while none does every allocation behaves exactly as
  /// before. Does nothing where !bufferReuseBuilt() or with MEDSA_BUFFER_REUSE=off.
  BufferReuseScope();
  ~BufferReuseScope();
  BufferReuseScope(const BufferReuseScope&) = delete;
  BufferReuseScope& operator=(const BufferReuseScope&) = delete;

 private:
  bool active_;
};

/// Whether this build has the reusing allocator: not under AddressSanitizer (which finds a use
/// after free only in memory given back to the C library), and only against LibTorch 1.13,
/// whose allocator interface it implements (LibTorch 2.x builds are the GPU machines' CUDA
/// ones, which train on the GPU).
bool bufferReuseBuilt();

/// What the reusing allocator did since the process started (tests and benchmarks).
struct BufferReuseStats {
  std::size_t reused = 0;     ///< allocations served from a kept buffer
  std::size_t keptBytes = 0;  ///< bytes kept for reuse right now
};
BufferReuseStats bufferReuseStats();

}  // namespace medsa::model
