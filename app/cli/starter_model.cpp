#include "starter_model.h"

#include <filesystem>
#include <system_error>

namespace medsa::cli {

std::vector<std::string> starterModelCandidates() {
  namespace fs = std::filesystem;
  std::error_code error;
  // The executable's own folder, not the working directory: `medsa` may be started from anywhere.
  const fs::path self = fs::canonical("/proc/self/exe", error);
  if (error) return {};
  return {(self.parent_path() / kStarterRelativePath).lexically_normal().string()};
}

std::optional<std::string> findStarterModel() {
  for (const std::string& candidate : starterModelCandidates()) {
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error)) return candidate;
  }
  return std::nullopt;
}

}  // namespace medsa::cli
