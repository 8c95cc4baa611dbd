#pragma once

#include <string_view>

namespace medsa {

/// The product version, e.g. "0.1.0" (from the top-level project() call).
std::string_view projectVersion();
/// The product name as shown to users.
std::string_view projectName();

}  // namespace medsa
