#include "gzip_file.h"

#include <itk_zlib.h>

#include <algorithm>
#include <memory>

namespace medsa::io {
namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

// gzread takes an unsigned count; large reads go in chunks.
constexpr std::size_t kChunk = std::size_t(1) << 30;

struct Outcome {
  std::size_t bytes = 0;
  bool failed = false;
  bool truncated = false;  ///< zlib reached the end of the file inside the stream
  std::string reason;
};

Outcome readSome(gzFile file, std::uint8_t* out, std::size_t count) {
  Outcome outcome;
  while (outcome.bytes < count) {
    const auto want = static_cast<unsigned>(std::min(count - outcome.bytes, kChunk));
    const int got = gzread(file, out + outcome.bytes, want);
    if (got < 0) {
      int code = 0;
      const char* text = gzerror(file, &code);
      outcome.failed = true;
      outcome.truncated = code == Z_BUF_ERROR;
      outcome.reason = text && *text ? text : "corrupt compressed data";
      return outcome;
    }
    if (got == 0) {
      // End of data; zlib reports a stream cut inside its trailer only through gzerror.
      int code = Z_OK;
      const char* text = gzerror(file, &code);
      if (code == Z_BUF_ERROR) {
        outcome.failed = outcome.truncated = true;
        outcome.reason = text && *text ? text : "unexpected end of file";
      }
      break;
    }
    outcome.bytes += static_cast<std::size_t>(got);
  }
  return outcome;
}

Error streamError(const Outcome& outcome, const std::string& path) {
  if (outcome.truncated) {
    return Error{ErrorCode::Truncated, "the compressed stream ends early (" + outcome.reason + ")",
                 path};
  }
  return Error{ErrorCode::CorruptData, "damaged gzip stream (" + outcome.reason + ")", path};
}

}  // namespace

bool isGzip(const std::vector<std::uint8_t>& head) {
  return head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
}

Result<std::vector<std::uint8_t>> gunzipHead(const std::string& path, std::size_t maxBytes) {
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) return Error{ErrorCode::FileNotFound, "cannot open the file", path};
  std::vector<std::uint8_t> bytes(maxBytes);
  const Outcome outcome = readSome(file.get(), bytes.data(), maxBytes);
  // A short file is fine here (the caller checks what it needs); a broken stream is not,
  // unless it broke after the bytes we wanted.
  if (outcome.failed && outcome.bytes < maxBytes) return streamError(outcome, path);
  bytes.resize(outcome.bytes);
  return bytes;
}

Status gunzipRange(const std::string& path, std::uint64_t offset, std::size_t count,
                   std::uint8_t* out) {
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) return Error{ErrorCode::FileNotFound, "cannot open the file", path};
  gzbuffer(file.get(), 1 << 20);
  // Skip by reading: a forward gzseek does the same but hides where the stream broke.
  std::vector<std::uint8_t> skip(
      static_cast<std::size_t>(std::min<std::uint64_t>(offset, std::uint64_t(1) << 16)));
  std::uint64_t skipped = 0;
  while (skipped < offset) {
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(offset - skipped, skip.size()));
    const Outcome outcome = readSome(file.get(), skip.data(), want);
    if (outcome.failed) return streamError(outcome, path);
    if (outcome.bytes < want) {
      return Error{ErrorCode::Truncated,
                   "the data ends at byte " + std::to_string(skipped + outcome.bytes) +
                       ", before the pixel data at byte " + std::to_string(offset),
                   path};
    }
    skipped += want;
  }
  const Outcome outcome = readSome(file.get(), out, count);
  if (outcome.failed) return streamError(outcome, path);
  if (outcome.bytes < count) {
    return Error{ErrorCode::Truncated,
                 "the data holds " + std::to_string(outcome.bytes) + " of the " +
                     std::to_string(count) + " pixel bytes the header announces",
                 path};
  }
  // Read on to the end of the stream (a few bytes of padding at most) so zlib checks the CRC
  // and a damaged or cut file is reported rather than returned as garbage.
  std::vector<std::uint8_t> tailBuffer(1 << 16);
  std::uint64_t extra = 0;
  while (extra < (std::uint64_t(64) << 20)) {
    const Outcome tail = readSome(file.get(), tailBuffer.data(), tailBuffer.size());
    if (tail.failed) return streamError(tail, path);
    if (tail.bytes == 0) break;
    extra += tail.bytes;
  }
  return {};
}

}  // namespace medsa::io
