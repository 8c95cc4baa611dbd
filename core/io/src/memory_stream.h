#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <streambuf>
#include <vector>

namespace medsa::io {

/// An input stream buffer over bytes in memory that remembers short reads. GDCM clears the
/// stream's error state when Pixel Data is cut off ("use file at own risk") and pads it, so a
/// truncated file would otherwise decode to silent garbage; a large read that came back short
/// tells us the file is truncated.
class RecordingMemoryBuffer : public std::streambuf {
 public:
  explicit RecordingMemoryBuffer(const std::vector<std::uint8_t>& bytes);

  /// The largest request that came back short, and how much it got (0, 0 if none).
  std::size_t shortRequest() const { return shortRequest_; }
  std::size_t shortReceived() const { return shortReceived_; }

 protected:
  std::streamsize xsgetn(char* out, std::streamsize count) override;
  pos_type seekoff(off_type offset, std::ios_base::seekdir dir,
                   std::ios_base::openmode which) override;
  pos_type seekpos(pos_type position, std::ios_base::openmode which) override;

 private:
  std::size_t shortRequest_ = 0;
  std::size_t shortReceived_ = 0;
};

}  // namespace medsa::io
