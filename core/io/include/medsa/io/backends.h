#pragma once

#include <string>
#include <vector>

namespace medsa::io {

/// A library medsa_io reads or writes images with, and its version (shown by `medsa --version`).
struct Backend {
  std::string name;     ///< "ITK", "GDCM", "DCMTK", "OpenCV"
  std::string version;  ///< as the library reports it at run time or compile time
  std::string purpose;  ///< what we use it for
};

std::vector<Backend> imageBackends();

}  // namespace medsa::io
