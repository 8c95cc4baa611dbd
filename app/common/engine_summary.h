#pragma once

#include <string>

namespace medsa::app {

/// One line describing the engine runtime, e.g. "LibTorch 1.13.1 · CPU · 2 threads".
/// Sets Torch's thread count to the machine's cores first, since LibTorch may start with one.
std::string configureAndDescribeEngine();

}  // namespace medsa::app
