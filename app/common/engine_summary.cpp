#include "engine_summary.h"

#include "medsa/model/runtime.h"

namespace medsa::app {

std::string configureAndDescribeEngine() {
  model::setThreadCount(0);
  const model::RuntimeInfo info = model::runtimeInfo();
  std::string device = info.cudaAvailable
                           ? "CUDA (" + std::to_string(info.cudaDeviceCount) + " GPU)"
                           : std::string("CPU");
  return "LibTorch " + info.torchVersion + " \u00b7 " + device + " \u00b7 " +
         std::to_string(info.threads) + (info.threads == 1 ? " thread" : " threads");
}

}  // namespace medsa::app
