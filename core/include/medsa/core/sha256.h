#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "medsa/core/error.h"

namespace medsa {

/// SHA-256 (FIPS 180-4), used to tie an adapter file to the exact base checkpoint it was trained
/// on. medsa_core has no crypto library (it must build where only a compiler and LibTorch
/// exist), so this small implementation lives here; it is checked against the NIST vectors.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  /// The digest as 64 lowercase hex digits; the object must not be updated afterwards.
  std::string hexDigest();

 private:
  void block(const std::uint8_t* data);
  std::uint32_t state_[8];
  std::uint8_t buffer_[64];
  std::size_t buffered_ = 0;
  std::uint64_t length_ = 0;
};

std::string sha256Hex(std::string_view bytes);
/// Hashes a file in 1 MiB pieces; errors name the file.
Result<std::string> sha256File(const std::string& path);

}  // namespace medsa
