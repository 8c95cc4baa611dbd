#include "medsa/core/atomic_file.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace medsa {
namespace {

// A temporary file is "." + the target's name (less `suffix`) + this tag + "<pid>-<8 hex>" +
// `suffix`, beside the target.
constexpr std::string_view kTemporaryTag = ".tmp-";

/// strerror in the lower case of the middle of a sentence: "permission denied".
std::string reasonOf(int error) {
  std::string reason = std::strerror(error);
  if (!reason.empty())
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return reason;
}

std::string systemReason() { return std::strerror(errno); }

std::string folderOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

std::string nameOf(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// The file a path finally names: replacing a symbolic link itself would cut it from the file
/// the user meant (the link would become a private copy).
Result<std::string> followLinks(const std::string& path) {
  std::string current = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat info {};
    if (::lstat(current.c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) return current;
    std::string link(PATH_MAX, '\0');
    const ssize_t n = ::readlink(current.c_str(), link.data(), link.size());
    if (n < 0) {
      return Error{ErrorCode::WriteFailed,
                   "cannot read the symbolic link " + current + ": " + reasonOf(errno), path};
    }
    link.resize(static_cast<std::size_t>(n));
    if (link.empty()) return current;
    current = link.front() == '/' ? link : folderOf(current) + "/" + link;
  }
  return Error{ErrorCode::InvalidArgument, "too many levels of symbolic links", path};
}

/// Creates the empty temporary file beside `target`. Its name is hidden, never ends in the
/// target's own extension (unless `suffix` asks for it) and stays within NAME_MAX.
Result<int> createTemporary(const std::string& target, std::string_view suffix,
                            std::string* temporary) {
  const std::string folder = folderOf(target);
  std::string stem = nameOf(target);
  if (stem.size() >= suffix.size() &&
      stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0) {
    stem.resize(stem.size() - suffix.size());
  }
  if (stem.size() > 180) stem.resize(180);
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    char tag[32];
    std::snprintf(tag, sizeof tag, "%s%d-%08x", kTemporaryTag.data(), static_cast<int>(::getpid()),
                  static_cast<unsigned>(random()));
    *temporary = (folder == "/" ? "/." : folder + "/.") + stem + tag + std::string(suffix);
    const int fd = ::open(temporary->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return fd;
    if (errno == EEXIST) continue;
    const int error = errno;
    const std::string reason = error == ENOENT    ? std::string("the folder does not exist")
                               : error == ENOTDIR ? std::string("it is not a folder")
                                                  : reasonOf(error);
    return Error{ErrorCode::WriteFailed, "cannot write in folder " + folder + ": " + reason,
                 target};
  }
  return Error{ErrorCode::WriteFailed, "cannot find a free temporary name in " + folder, target};
}

/// Follows links, refuses what is not a regular file and creates the temporary file; the new
/// file keeps the permissions of the one it replaces (labels a user made private stay private).
Result<int> begin(const std::string& path, std::string_view suffix, FileReplacement* replacement) {
  Result<std::string> target = followLinks(path);
  if (!target) return target.error();
  replacement->target = target.value();
  struct stat info {};
  const bool exists = ::stat(replacement->target.c_str(), &info) == 0;
  if (exists && !S_ISREG(info.st_mode)) {
    return Error{ErrorCode::InvalidArgument,
                 "not a regular file (a device, a folder or a pipe): refusing to replace it",
                 replacement->target};
  }
  Result<int> fd = createTemporary(replacement->target, suffix, &replacement->temporary);
  if (fd && exists) ::fchmod(fd.value(), info.st_mode & 07777);
  return fd;
}

/// A rename is only durable once the folder holding both names is flushed too.
Status syncFolder(const std::string& folder, const std::string& target) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Error{ErrorCode::WriteFailed,
                 "the file was replaced, but its folder " + folder +
                     " cannot be opened to flush it to disk: " + reasonOf(errno),
                 target};
  }
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  // Some file systems (network and FUSE mounts) cannot flush a folder at all and say so with
  // EINVAL or ENOTSUP: there is nothing more to do there, and refusing every save would be worse.
  if (synced != 0 && error != EINVAL && error != ENOTSUP) {
    return Error{ErrorCode::WriteFailed,
                 "the file was replaced, but flushing its folder " + folder +
                     " to disk failed: " + reasonOf(error),
                 target};
  }
  return {};
}

/// The temporary file is complete and flushed: put it in place and make that durable.
Status commit(const FileReplacement& replacement) {
  if (::rename(replacement.temporary.c_str(), replacement.target.c_str()) != 0) {
    const std::string reason = reasonOf(errno);
    ::unlink(replacement.temporary.c_str());
    return Error{ErrorCode::WriteFailed, "cannot replace the file: " + reason, replacement.target};
  }
  return syncFolder(folderOf(replacement.target), replacement.target);
}

/// fsync, then close, whose error counts too (network file systems report write errors there).
Status flushAndClose(int fd, const FileReplacement& replacement) {
  if (::fsync(fd) != 0) {
    const std::string reason = reasonOf(errno);
    ::close(fd);
    abandonFileReplacement(replacement);
    return Error{ErrorCode::WriteFailed, "flush to disk failed: " + reason, replacement.target};
  }
  if (::close(fd) != 0) {
    const std::string reason = reasonOf(errno);
    abandonFileReplacement(replacement);
    return Error{ErrorCode::WriteFailed, "write failed: " + reason, replacement.target};
  }
  return {};
}

}  // namespace

Status writeFileAtomically(const std::string& path, std::string_view bytes) {
  FileReplacement replacement;
  Result<int> opened = begin(path, {}, &replacement);
  if (!opened) return opened.error();
  const int fd = opened.value();
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = reasonOf(errno);
      ::close(fd);
      abandonFileReplacement(replacement);
      return Error{ErrorCode::WriteFailed, "write failed: " + reason, replacement.target};
    }
    written += static_cast<std::size_t>(n);
  }
  if (Status flushed = flushAndClose(fd, replacement); !flushed) return flushed;
  return commit(replacement);
}

Result<FileReplacement> beginFileReplacement(const std::string& path, std::string_view suffix) {
  FileReplacement replacement;
  Result<int> opened = begin(path, suffix, &replacement);
  if (!opened) return opened.error();
  ::close(opened.value());  // the writer opens it again by name
  return replacement;
}

Status finishFileReplacement(const FileReplacement& replacement) {
  const int fd = ::open(replacement.temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const std::string reason = reasonOf(errno);
    abandonFileReplacement(replacement);
    return Error{ErrorCode::WriteFailed, "the written file cannot be reopened: " + reason,
                 replacement.target};
  }
  if (Status flushed = flushAndClose(fd, replacement); !flushed) return flushed;
  return commit(replacement);
}

void abandonFileReplacement(const FileReplacement& replacement) {
  if (!replacement.temporary.empty()) ::unlink(replacement.temporary.c_str());
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

std::optional<std::string> replacedNameOf(std::string_view temporaryName, std::string_view suffix) {
  if (temporaryName.size() < suffix.size() + 2 || temporaryName[0] != '.' ||
      temporaryName.substr(temporaryName.size() - suffix.size()) != suffix) {
    return std::nullopt;
  }
  const std::string_view name = temporaryName.substr(1, temporaryName.size() - 1 - suffix.size());
  const std::size_t tag = name.rfind(kTemporaryTag);
  if (tag == std::string_view::npos || tag == 0) return std::nullopt;
  // "<pid>-<8 hex digits>" and nothing else after the tag.
  const std::string_view rest = name.substr(tag + kTemporaryTag.size());
  const std::size_t dash = rest.find('-');
  const std::string_view pid = rest.substr(0, std::min(dash, rest.size()));
  const std::string_view random = dash < rest.size() ? rest.substr(dash + 1) : std::string_view();
  const auto digitsOnly = [](std::string_view text, bool hex) {
    for (char c : text) {
      const int code = static_cast<unsigned char>(c);
      if (!(hex ? std::isxdigit(code) : std::isdigit(code))) return false;
    }
    return true;
  };
  if (pid.empty() || !digitsOnly(pid, false) || random.size() != 8 || !digitsOnly(random, true)) {
    return std::nullopt;
  }
  return std::string(name.substr(0, tag)) + std::string(suffix);
}

}  // namespace medsa
