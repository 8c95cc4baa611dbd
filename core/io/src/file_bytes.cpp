#include "file_bytes.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace medsa::io {
namespace fs = std::filesystem;

Result<std::uint64_t> regularFileSize(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    return Error{ErrorCode::FileNotFound, "no such file", path};
  }
  if (!fs::is_regular_file(status)) {
    return Error{ErrorCode::InvalidArgument, "not a regular file", path};
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return Error{ErrorCode::ReadFailed, "cannot get the size: " + ec.message(), path};
  return static_cast<std::uint64_t>(size);
}

Result<std::vector<std::uint8_t>> readFileHead(const std::string& path, std::size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::FileNotFound, std::strerror(errno), path};
  std::vector<std::uint8_t> bytes(maxBytes);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(maxBytes));
  if (in.bad()) return Error{ErrorCode::ReadFailed, "read error", path};
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

Result<std::vector<std::uint8_t>> readWholeFile(const std::string& path, std::size_t maxBytes) {
  Result<std::uint64_t> size = regularFileSize(path);
  if (!size) return size.error();
  if (size.value() > maxBytes) {
    return Error{ErrorCode::ReadFailed,
                 "file too large (" + std::to_string(size.value() >> 20) + " MiB)", path};
  }
  Result<std::vector<std::uint8_t>> bytes =
      readFileHead(path, static_cast<std::size_t>(size.value()));
  if (bytes && bytes->size() != size.value()) {
    return Error{ErrorCode::ReadFailed, "the file changed while it was read", path};
  }
  return bytes;
}

std::string lowerExtension(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.size() > 3 && name.ends_with(".gz")) {
    const std::string stem = name.substr(0, name.size() - 3);
    const std::size_t dot = stem.rfind('.');
    return dot == std::string::npos ? ".gz" : stem.substr(dot) + ".gz";
  }
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? std::string() : name.substr(dot);
}

Error errorFromException(ErrorCode code, const std::string& path, const std::string& what) {
  // Library messages often carry "file:line" prefixes and trailing newlines; keep the reason.
  std::string message = what;
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  if (message.empty()) message = "unknown failure in the image library";
  return Error{code, message, path};
}

}  // namespace medsa::io
