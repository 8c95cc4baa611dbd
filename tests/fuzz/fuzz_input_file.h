#pragma once

// medsa_io reads paths (formats come from files: pairs, gzip, detached data), so each fuzz input
// is written to a file in a private temporary folder and read from there.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace medsa::fuzz {

/// Writes the input to <private temporary folder>/<name> and returns the path.
inline std::string writeInput(const std::uint8_t* data, std::size_t size, const char* name) {
  static const std::string folder = [] {
    char pattern[] = "/tmp/medsa-fuzz-XXXXXX";
    const char* made = mkdtemp(pattern);
    if (!made) std::abort();
    static std::string kept(made);
    // Removed when the fuzzer exits normally (a crash leaves it for inspection).
    std::atexit([] { std::filesystem::remove_all(kept); });
    return kept;
  }();
  const std::string path = folder + "/" + name;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

}  // namespace medsa::fuzz
