#pragma once
// Reuse of large CPU buffers within one encoder pass.
//
// Every block of a ViT encoder makes and frees the same large tensors (ViT-B: the MLP's 48 MB
// hidden activations, the 36 MB qkv output, 43 MB of padded windows). glibc maps every request
// of at least 32 MB anew (keepEncoderAllocationsResident raises its threshold to that maximum;
// smaller ones stay in its heap), so their pages were faulted in and zeroed again in every
// block. While a BufferReuseScope lives, a freed CPU buffer of at least kMinReusedBytes is kept
// for the next tensor of (nearly) the same size instead; when the last scope ends the kept
// buffers are freed, so nothing stays resident between passes.

#include <cstddef>

namespace medsa::model {

class BufferReuseScope {
 public:
  /// Installs the reusing CPU allocator on first use (process-wide; allocations below
  /// kMinReusedBytes, and every allocation while no scope lives, behave exactly as before).
  /// Does nothing under AddressSanitizer or with MEDSA_BUFFER_REUSE=off.
  BufferReuseScope();
  ~BufferReuseScope();
  BufferReuseScope(const BufferReuseScope&) = delete;
  BufferReuseScope& operator=(const BufferReuseScope&) = delete;

 private:
  bool active_;
};

/// What the reusing allocator did since the process started (tests and benchmarks).
struct BufferReuseStats {
  std::size_t reused = 0;        ///< allocations served from a kept buffer
  std::size_t fresh = 0;         ///< large allocations that went to the C library
  std::size_t keptBytes = 0;     ///< bytes kept for reuse right now
  std::size_t peakKeptBytes = 0; ///< the most bytes kept at once
};
BufferReuseStats bufferReuseStats();

/// Buffers smaller than this are left to the C library, whose heap keeps them (a 1 MB limit
/// left as many page faults, 242 000 against 229 000 per ViT-B encode, and 24 MB more at
/// the peak).
inline constexpr std::size_t kMinReusedBytes = std::size_t{32} << 20;
/// At most this many bytes are kept at once; a freed buffer beyond it is freed. ViT-B keeps
/// up to 170 MB, ViT-H's tensors are 1.7 times larger.
inline constexpr std::size_t kMaxKeptBytes = std::size_t{384} << 20;

}  // namespace medsa::model
