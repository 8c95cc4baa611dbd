#pragma once

#include <optional>
#include <string>
#include <vector>

namespace medsa::cli {

/// Where the shipped starter model lives relative to the executable's folder (bin/): the same in
/// an installed package and in the build tree, where the build copies it.
inline constexpr const char* kStarterRelativePath = "../share/medsa-studio/models/starter.safetensors";

/// The places findStarterModel() looks, in order (for error messages).
std::vector<std::string> starterModelCandidates();
/// The shipped starter model's path, or nullopt when it is in none of the candidate places.
std::optional<std::string> findStarterModel();

}  // namespace medsa::cli
