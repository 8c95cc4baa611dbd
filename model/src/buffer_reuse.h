#pragma once
// Reuse of large CPU buffers within an encoder pass or a training run.
//
// Every block of a ViT encoder makes and frees the same large tensors (ViT-B: the MLP's 48 MB
// hidden activations, the 36 MB qkv output, 43 MB of padded windows). glibc maps every request
// of at least 32 MB anew (keepEncoderAllocationsResident raises its threshold to that maximum;
// smaller ones stay in its heap), so their pages were faulted in and zeroed again in every
// block. While a BufferReuseScope lives, a freed CPU buffer of the sizes its policy names is
// kept for the next tensor of (nearly) the same size instead; when the last scope ends the kept
// buffers are freed, so nothing stays resident between passes.

#include <cstddef>

namespace medsa::model {

/// Which freed CPU buffers a scope keeps: those of at least minBytes, up to maxKeptBytes in
/// all. With several scopes alive the least minBytes and the largest maxKeptBytes apply.
struct BufferReusePolicy {
  std::size_t minBytes;
  std::size_t maxKeptBytes;
};

/// An encoder pass: buffers from 32 MB, which glibc maps anew each time; smaller ones stay in
/// its heap (a 1 MB limit left as many page faults, 242 000 against 229 000 per ViT-B encode,
/// and 24 MB more at the peak). A ViT-B encode keeps up to 170 MB; ViT-H's tensors are 1.7
/// times larger.
inline constexpr BufferReusePolicy kEncoderPassReuse{std::size_t{32} << 20,
                                                     std::size_t{384} << 20};
/// Training steps: forward and backward free gigabytes of buffers from 1 MB up and glibc's
/// heap gives much of it back to the kernel between uses (ViT-B: 13.6 million page faults in
/// two steps). Whatever is kept was live before in the same kind of step, so the bound only
/// guards against a pathological mix of sizes.
inline constexpr BufferReusePolicy kTrainingReuse{std::size_t{1} << 20, std::size_t{8} << 30};

class BufferReuseScope {
 public:
  /// Installs the reusing CPU allocator on first use (process-wide; while no scope lives every
  /// allocation behaves exactly as before). Does nothing under AddressSanitizer or with
  /// MEDSA_BUFFER_REUSE=off.
  explicit BufferReuseScope(BufferReusePolicy policy = kEncoderPassReuse);
  ~BufferReuseScope();
  BufferReuseScope(const BufferReuseScope&) = delete;
  BufferReuseScope& operator=(const BufferReuseScope&) = delete;

 private:
  bool active_;
  BufferReusePolicy policy_;
};

/// What the reusing allocator did since the process started (tests and benchmarks).
struct BufferReuseStats {
  std::size_t reused = 0;         ///< allocations served from a kept buffer
  std::size_t fresh = 0;          ///< pooled allocations that went to the C library
  std::size_t keptBytes = 0;      ///< bytes kept for reuse right now
  std::size_t peakKeptBytes = 0;  ///< the most bytes kept at once
};
BufferReuseStats bufferReuseStats();

}  // namespace medsa::model
