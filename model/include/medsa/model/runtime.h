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

/// Number of cores Torch should use by default: the hardware concurrency of this machine.
/// (LibTorch may start with 1 intra-op thread regardless, so this is set explicitly.)
int defaultThreadCount();

/// Sets Torch's intra-op thread count; 0 means defaultThreadCount(). Returns the count in effect.
int setThreadCount(int threads);

}  // namespace medsa::model
