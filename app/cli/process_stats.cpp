#include "process_stats.h"

#include <fstream>
#include <string>

namespace medsa::cli {

double peakResidentMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return -1;
}

}  // namespace medsa::cli
