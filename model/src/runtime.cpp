#include "medsa/model/runtime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <algorithm>
#include <mutex>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if __has_include(<omp.h>)
#include <omp.h>
#endif

#include "sam/onednn_linear.h"
#include "sam/relpos_attention.h"
#include "torch_compat.h"

namespace medsa::model {

RuntimeInfo runtimeInfo() {
  RuntimeInfo info;
  info.torchVersion = compat::torchVersion();
  info.cudaAvailable = torch::cuda::is_available();
  info.cudaDeviceCount = info.cudaAvailable ? static_cast<int>(torch::cuda::device_count()) : 0;
  info.threads = at::get_num_threads();
  info.mkldnnAvailable = at::hasMKLDNN();
  return info;
}

std::string cpuAttentionKernel(bool bf16) { return std::string(cpuAttentionKernelName(bf16)); }

std::string cpuEncoderLinears(bool bf16) {
  const std::string kernel = oneDnnLinearKernel(bf16 ? torch::kBFloat16 : torch::kFloat);
  return kernel.empty() ? std::string("libtorch") : "onednn " + kernel;
}

int defaultThreadCount() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int setThreadCount(int threads) {
  at::set_num_threads(threads > 0 ? threads : defaultThreadCount());
  return at::get_num_threads();
}

void releaseParallelWorkers() {
#if __has_include(<omp.h>)
  // OpenMP 5.0: frees the calling thread's pool (libgomp: only outside a parallel region).
  omp_pause_resource_all(omp_pause_soft);
#endif
}

void keepEncoderAllocationsResident() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    // 32 MB is the largest mmap threshold glibc accepts; trimming only beyond 256 MB of free
    // heap keeps the working set of one encoder pass.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
  });
#endif
}

}  // namespace medsa::model
