#include "medsa/core/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace medsa {
namespace {

std::string systemReason() { return std::strerror(errno); }

}  // namespace

Status writeFileAtomically(const std::string& path, std::string_view bytes) {
  std::random_device random;
  const std::string temporary =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return Error{ErrorCode::WriteFailed, "cannot create a temporary file: " + systemReason(), path};
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = systemReason();
      ::close(fd);
      ::unlink(temporary.c_str());
      return Error{ErrorCode::WriteFailed, "write failed: " + reason, path};
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string reason = systemReason();
    ::close(fd);
    ::unlink(temporary.c_str());
    return Error{ErrorCode::WriteFailed, "flush to disk failed: " + reason, path};
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = systemReason();
    ::unlink(temporary.c_str());
    return Error{ErrorCode::WriteFailed, "cannot replace the file: " + reason, path};
  }
  return {};
}

Result<std::string> readWholeFile(const std::string& path, std::size_t maxBytes) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Error{errno == ENOENT ? ErrorCode::FileNotFound : ErrorCode::ReadFailed, systemReason(),
                 path};
  }
  if (S_ISDIR(info.st_mode)) return Error{ErrorCode::ReadFailed, "is a folder, not a file", path};
  if (static_cast<std::size_t>(info.st_size) > maxBytes) {
    return Error{ErrorCode::ReadFailed,
                 "file too large (" + std::to_string(info.st_size) + " bytes)", path};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::ReadFailed, "cannot open: " + systemReason(), path};
  if (!S_ISREG(info.st_mode)) {  // a pipe or device: its size is unknown until it ends
    std::string bytes;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      bytes.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (bytes.size() > maxBytes) return Error{ErrorCode::ReadFailed, "stream too large", path};
    }
    return bytes;
  }
  std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) {
    return Error{ErrorCode::ReadFailed,
                 "read failed after " + std::to_string(in.gcount()) + " bytes", path};
  }
  return bytes;
}

}  // namespace medsa
