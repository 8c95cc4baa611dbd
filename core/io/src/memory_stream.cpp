#include "memory_stream.h"

#include <algorithm>
#include <cstring>

namespace medsa::io {

RecordingMemoryBuffer::RecordingMemoryBuffer(const std::vector<std::uint8_t>& bytes) {
  // std::streambuf wants char* even for input-only use; nothing writes through it.
  char* begin = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
  setg(begin, begin, begin + bytes.size());
}

std::streamsize RecordingMemoryBuffer::xsgetn(char* out, std::streamsize count) {
  const std::streamsize available = egptr() - gptr();
  const std::streamsize n = std::min(count, available);
  if (n > 0) {
    std::memcpy(out, gptr(), static_cast<std::size_t>(n));
    setg(eback(), gptr() + n, egptr());
  }
  if (n<count&& static_cast<std::size_t>(count)> shortRequest_) {
    shortRequest_ = static_cast<std::size_t>(count);
    shortReceived_ = static_cast<std::size_t>(std::max<std::streamsize>(n, 0));
  }
  return n;
}

RecordingMemoryBuffer::pos_type RecordingMemoryBuffer::seekoff(off_type offset,
                                                               std::ios_base::seekdir dir,
                                                               std::ios_base::openmode which) {
  if (!(which & std::ios_base::in)) return pos_type(off_type(-1));
  off_type base = 0;
  if (dir == std::ios_base::cur) base = gptr() - eback();
  if (dir == std::ios_base::end) base = egptr() - eback();
  const off_type target = base + offset;
  if (target < 0 || target > egptr() - eback()) return pos_type(off_type(-1));
  setg(eback(), eback() + target, egptr());
  return pos_type(target);
}

RecordingMemoryBuffer::pos_type RecordingMemoryBuffer::seekpos(pos_type position,
                                                               std::ios_base::openmode which) {
  return seekoff(off_type(position), std::ios_base::beg, which);
}

}  // namespace medsa::io
