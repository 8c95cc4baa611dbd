#pragma once
// Replaces the C library's fsync in the one test executable that includes this header (in one
// source file only): the static medsa libraries bind to this definition, so a test sees which
// files and folders were flushed to disk, in which order, and can make a flush fail as a failing
// disk would. Every call is still passed on to the kernel.
#include <cerrno>
#include <climits>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace medsa::test {

struct FsyncCall {
  std::string path;  ///< what the descriptor names, as the kernel spells it
  bool folder = false;
};

struct FsyncRecorder {
  std::mutex mutex;
  std::vector<FsyncCall> calls;
  int failFilesWith = 0;                         ///< errno for flushes of files; 0: they succeed
  int failFoldersWith = 0;                       ///< errno for flushes of folders; 0: they succeed
  std::function<void(const FsyncCall&)> onCall;  ///< runs before the flush, e.g. to look around

  void reset() {
    const std::lock_guard<std::mutex> lock(mutex);
    calls.clear();
    failFilesWith = failFoldersWith = 0;
    onCall = nullptr;
  }
};

inline FsyncRecorder& fsyncRecorder() {
  static FsyncRecorder recorder;
  return recorder;
}

}  // namespace medsa::test

extern "C" int fsync(int fd) {
  medsa::test::FsyncCall call;
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char target[PATH_MAX];
  const ssize_t n = ::readlink(link, target, sizeof target);
  if (n > 0) call.path.assign(target, static_cast<std::size_t>(n));
  struct stat info {};
  call.folder = ::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode);
  medsa::test::FsyncRecorder& recorder = medsa::test::fsyncRecorder();
  int fail = 0;
  std::function<void(const medsa::test::FsyncCall&)> onCall;
  {
    const std::lock_guard<std::mutex> lock(recorder.mutex);
    recorder.calls.push_back(call);
    fail = call.folder ? recorder.failFoldersWith : recorder.failFilesWith;
    onCall = recorder.onCall;
  }
  if (onCall) onCall(call);
  if (fail != 0) {
    errno = fail;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_fsync, fd));
}
