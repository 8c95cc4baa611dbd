#include "medsa/model/runtime.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <algorithm>
#include <thread>

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

int defaultThreadCount() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

int setThreadCount(int threads) {
  at::set_num_threads(threads > 0 ? threads : defaultThreadCount());
  return at::get_num_threads();
}

}  // namespace medsa::model
