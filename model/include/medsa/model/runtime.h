#pragma once

#include <string>

namespace medsa::model {

/// What the LibTorch runtime of this build offers on this machine.
struct RuntimeInfo {
  std::string torchVersion;  ///< e.g. "1.13.1"
  bool cudaAvailable = false;
  int cudaDeviceCount = 0;
  int threads = 0;               ///< intra-op threads in use
  bool mkldnnAvailable = false;  ///< oneDNN, which provides the fast bf16 CPU kernels
};

RuntimeInfo runtimeInfo();

/// The image encoder's attention kernel on the CPU for an fp32 or a bf16 encoder: the tiled
/// kernel's instruction set ("avx512", "avx2", "portable") or "chunked" (docs/performance.md;
/// the environment variable MEDSA_ATTENTION_KERNEL overrides the choice).
std::string cpuAttentionKernel(bool bf16);

/// What runs the image encoder's linear layers on the CPU for an fp32 or a bf16 encoder:
/// "onednn <kernel>" (e.g. "onednn brg:avx512_core") or "libtorch" (docs/performance.md;
/// MEDSA_ONEDNN_LINEAR=off keeps LibTorch).
std::string cpuEncoderLinears(bool bf16);

/// Number of cores Torch should use by default: the hardware concurrency of this machine.
/// (LibTorch may start with 1 intra-op thread regardless, so this is set explicitly.)
int defaultThreadCount();

/// Sets Torch's intra-op thread count; 0 means defaultThreadCount(). Returns the count in effect.
int setThreadCount(int threads);

/// Ends the calling thread's parallel helper threads (LibTorch's OpenMP workers); its next
/// parallel work starts new ones, which costs milliseconds (so the engine thread, which answers
/// clicks, keeps its own). Each thread that ever ran LibTorch work in parallel keeps such workers
/// while it lives, and once a process holds more of them than there are cores, the OpenMP
/// runtime (libgomp) stops letting any worker spin between two parallel steps: each sleeps and
/// must be woken for the next, in every thread's work. A thread that is done computing for a
/// while (the app's model loader after a load, the trainer between steps and runs) calls this,
/// so that the engine thread's clicks and encodes keep spinning workers. Does nothing inside a
/// parallel region, nor where LibTorch's OpenMP runtime is not the one this library links (a
/// pip wheel's bundled libgomp).
void releaseParallelWorkers();

/// Keeps the encoder's short-lived tensors (up to 32 MB each) in the heap instead of returning
/// them to the kernel after every block. With glibc's defaults each one is mapped again and
/// page-faulted in; keeping them makes the bf16 ViT-B encoder ~4 % faster for ~90 MB more peak
/// memory. Larger blocks (image volumes) are still given back. Process-wide, applied once; does
/// nothing where the C library is not glibc. Called when a model is built.
void keepEncoderAllocationsResident();

}  // namespace medsa::model
