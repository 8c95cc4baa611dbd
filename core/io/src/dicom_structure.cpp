#include "dicom_structure.h"

#include <itk_zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>
#include <vector>

namespace medsa::io {
namespace {

constexpr std::uint32_t kUndefined = 0xffffffffu;
constexpr int kMaxDepth = 32;

bool isKnownVr(std::uint8_t a, std::uint8_t b) {
  static constexpr std::array<std::string_view, 34> kVrs{
      "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT",
      "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
      "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
  const char vr[2] = {static_cast<char>(a), static_cast<char>(b)};
  return std::any_of(kVrs.begin(), kVrs.end(),
                     [&](std::string_view v) { return v[0] == vr[0] && v[1] == vr[1]; });
}

bool hasLongLength(std::string_view vr) {
  static constexpr std::array<std::string_view, 13> kLong{"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                          "SV", "UC", "UN", "UR", "UT", "UV"};
  return std::find(kLong.begin(), kLong.end(), vr) != kLong.end();
}

class Walker {
 public:
  Walker(const std::uint8_t* data, const std::string& path) : d_(data), path_(path) {}

  bool bigEndian = false;
  bool stopAtPixelData = false;
  bool encapsulated = false;  ///< the transfer syntax compresses Pixel Data
  DicomLayout* layout = nullptr;

  std::uint16_t u16(std::size_t at) const {
    return bigEndian ? static_cast<std::uint16_t>(d_[at] << 8 | d_[at + 1])
                     : static_cast<std::uint16_t>(d_[at + 1] << 8 | d_[at]);
  }
  std::uint32_t u32(std::size_t at) const {
    return bigEndian ? std::uint32_t(u16(at)) << 16 | u16(at + 2)
                     : std::uint32_t(u16(at + 2)) << 16 | u16(at);
  }

  Error truncated() const {
    return Error{ErrorCode::Truncated, "the file ends inside a DICOM element", path_};
  }
  Error corrupt(const std::string& what, std::size_t at) const {
    return Error{ErrorCode::CorruptData,
                 "invalid DICOM structure at byte " + std::to_string(at) + ": " + what, path_};
  }

  /// Elements until `end`, or until an item delimiter when `untilDelimiter`.
  Status dataSet(std::size_t& pos, std::size_t end, bool explicitVr, int depth, bool topLevel,
                 bool untilDelimiter) {
    if (depth > kMaxDepth) return corrupt("sequences nested too deeply", pos);
    while (true) {
      if (pos == end && !untilDelimiter) return {};
      if (pos + 8 > end) return truncated();
      const std::uint16_t group = u16(pos);
      const std::uint16_t element = u16(pos + 2);
      if (group == 0xfffe) {
        if (untilDelimiter && element == 0xe00d) {
          if (u32(pos + 4) != 0) return corrupt("an item delimiter with a length", pos);
          pos += 8;
          return {};
        }
        return corrupt("unexpected item or delimiter", pos);
      }
      const bool pixelData = topLevel && group == 0x7fe0 && element == 0x0010;
      std::string_view vr;
      std::uint32_t length = 0;
      std::size_t header = 8;
      if (explicitVr) {
        if (!isKnownVr(d_[pos + 4], d_[pos + 5]))
          return corrupt("unknown value representation", pos);
        vr = std::string_view(reinterpret_cast<const char*>(d_ + pos + 4), 2);
        if (hasLongLength(vr)) {
          if (pos + 12 > end) return truncated();
          length = u32(pos + 8);
          header = 12;
        } else {
          length = u16(pos + 6);
        }
      } else {
        length = u32(pos + 4);
      }
      pos += header;
      if (pixelData && encapsulated != (length == kUndefined)) {
        // GDCM reads a compressed syntax's Pixel Data as fragments whatever its length says.
        return corrupt(encapsulated ? "Pixel Data of defined length in a compressed transfer syntax"
                                    : "Pixel Data of undefined length in a native transfer syntax",
                       pos - header);
      }
      if (pixelData) {
        layout->pixelDataElement = pos - header;
        layout->pixelDataOffset = pos;
        if (length != kUndefined) layout->pixelDataLength = length;
        if (stopAtPixelData) return {};
      }
      if (length == kUndefined) {
        const bool fragments = pixelData && (!explicitVr || vr == "OB" || vr == "OW");
        if (fragments) {
          if (Status s = sequence(pos, end, false, explicitVr, depth, true); !s) return s;
          continue;
        }
        if (explicitVr && vr != "SQ" && vr != "UN") {
          return corrupt("undefined length on a " + std::string(vr) + " element", pos - header);
        }
        // Undefined-length UN holds implicit little-endian items.
        const bool nestedExplicit = explicitVr && vr == "SQ";
        if (Status s = sequence(pos, end, false, nestedExplicit, depth, false); !s) return s;
        continue;
      }
      if (length > end - pos) {
        if (!pixelData) return truncated();
        return Error{ErrorCode::Truncated,
                     "the pixel data ends after " + std::to_string(end - pos) + " of " +
                         std::to_string(length) + " bytes",
                     path_};
      }
      if (explicitVr && vr == "SQ") {
        std::size_t inner = pos;
        if (Status s = sequence(inner, pos + length, true, true, depth, false); !s) return s;
      }
      pos += length;
    }
  }

  /// Items up to `end` (defined length) or to the sequence delimiter.
  Status sequence(std::size_t& pos, std::size_t end, bool defined, bool explicitVr, int depth,
                  bool fragments) {
    if (depth + 1 > kMaxDepth) return corrupt("sequences nested too deeply", pos);
    while (true) {
      if (defined && pos == end) return {};
      if (pos + 8 > end) return truncated();
      const std::uint16_t group = u16(pos);
      const std::uint16_t element = u16(pos + 2);
      const std::uint32_t length = u32(pos + 4);
      if (group != 0xfffe) return corrupt("an item was expected in a sequence", pos);
      pos += 8;
      if (element == 0xe0dd) {
        if (defined) return corrupt("sequence delimiter in a sequence of defined length", pos - 8);
        // GDCM reads a delimiter's length as a fragment size (and allocates it).
        if (length != 0) return corrupt("a sequence delimiter with a length", pos - 8);
        return {};
      }
      if (element != 0xe000) return corrupt("an item was expected in a sequence", pos - 8);
      if (length == kUndefined) {
        if (fragments) return corrupt("a pixel data fragment of undefined length", pos - 8);
        if (Status s = dataSet(pos, end, explicitVr, depth + 1, false, true); !s) return s;
        continue;
      }
      if (length > end - pos) return truncated();
      if (!fragments) {
        std::size_t inner = pos;
        if (Status s = dataSet(inner, pos + length, explicitVr, depth + 1, false, false); !s) {
          return s;
        }
      }
      pos += length;
    }
  }

 private:
  const std::uint8_t* d_;
  const std::string& path_;
};

/// Raw deflate (no zlib header) of the data set after the meta information.
Result<std::vector<std::uint8_t>> inflateDataSet(const std::uint8_t* data, std::size_t size,
                                                 const std::string& path) {
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) {
    return Error{ErrorCode::Internal, "zlib initialisation failed", path};
  }
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 1 << 16> chunk;
  stream.next_in = const_cast<Bytef*>(data);
  stream.avail_in = static_cast<uInt>(std::min<std::size_t>(size, 0xffffffffu));
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = chunk.data();
    stream.avail_out = chunk.size();
    status = inflate(&stream, Z_NO_FLUSH);
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - stream.avail_out));
    if (out.size() > size * 1100 + (1 << 20)) status = Z_DATA_ERROR;  // not real DICOM
  }
  inflateEnd(&stream);
  if (status == Z_BUF_ERROR) {
    return Error{ErrorCode::Truncated, "the deflated data set ends early", path};
  }
  if (status != Z_STREAM_END) {
    return Error{ErrorCode::CorruptData, "the deflated data set is damaged", path};
  }
  return out;
}

/// Whether the element at `at` looks like explicit VR (a known VR in bytes 4-5).
bool looksExplicit(const std::uint8_t* data, std::size_t size, std::size_t at) {
  return at + 6 <= size && isKnownVr(data[at + 4], data[at + 5]);
}

}  // namespace

Result<DicomLayout> walkDicom(const std::uint8_t* data, std::size_t size, bool stopAtPixelData,
                              const std::string& path) {
  DicomLayout layout;
  std::size_t pos = 0;
  const bool preamble = size >= 132 && std::memcmp(data + 128, "DICM", 4) == 0;
  Walker meta(data, path);
  // The file meta information (group 0002) follows the preamble, or starts a file without one.
  const bool bareMeta = !preamble && size >= 2 && data[0] == 0x02 && data[1] == 0x00;
  // Anything else makes GDCM guess the byte order from the first tag, differently from us (it
  // reads a high element number as big endian): refuse what GDCM would have to guess about.
  if (preamble && (size < 134 || data[132] != 0x02 || data[133] != 0x00)) {
    return Error{ErrorCode::CorruptData, "no file meta information after the DICM prefix", path};
  }
  if (!preamble && !bareMeta) {
    const unsigned group = size >= 2 ? unsigned(data[0]) | unsigned(data[1]) << 8 : 0;
    if (group != 0x0008 && group != 0x0800) {
      return Error{ErrorCode::CorruptData, "the data does not start like a DICOM data set", path};
    }
  }
  if (preamble || bareMeta) {
    pos = preamble ? 132 : 0;
    // File meta information: explicit VR little endian, group 0002.
    std::optional<std::size_t> metaEnd;  // from the group length, when there is one
    while (pos + 8 <= size && data[pos] == 0x02 && data[pos + 1] == 0x00) {
      if (!isKnownVr(data[pos + 4], data[pos + 5])) {
        return Error{ErrorCode::CorruptData, "invalid file meta information", path};
      }
      const std::string_view vr(reinterpret_cast<const char*>(data + pos + 4), 2);
      // Only the VRs the standard uses in group 0002: GDCM's meta reader asserts on others.
      if (vr != "UL" && vr != "OB" && vr != "UI" && vr != "SH" && vr != "AE" && vr != "UR") {
        return Error{ErrorCode::CorruptData,
                     "a " + std::string(vr) + " element in the file meta information", path};
      }
      const bool isLong = hasLongLength(vr);
      if (isLong && pos + 12 > size) return meta.truncated();
      const std::uint32_t length = isLong ? meta.u32(pos + 8) : meta.u16(pos + 6);
      const std::size_t value = pos + (isLong ? 12 : 8);
      if (length == kUndefined || length > size - value) return meta.truncated();
      if (data[pos + 2] == 0x00 && data[pos + 3] == 0x00 && length == 4) {
        metaEnd = value + 4 + meta.u32(value);
      }
      if (data[pos + 2] == 0x10 && data[pos + 3] == 0x00) {
        std::string uid(reinterpret_cast<const char*>(data + value), length);
        while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.pop_back();
        layout.transferSyntax = uid;
      }
      pos = value + length;
    }
    if (pos + 8 > size && pos != size) return meta.truncated();
    // GDCM reads as many meta bytes as the group length says, and asserts when that ends
    // anywhere but after the last group 0002 element.
    if (metaEnd && *metaEnd != pos) {
      return Error{ErrorCode::CorruptData,
                   "the file meta information group length does not match its elements", path};
    }
  }
  // GDCM asserts when the stream ends right after the meta information.
  if (pos >= size) {
    return Error{ErrorCode::NotAnImage, "the file has no data set after its meta information",
                 path};
  }
  layout.dataSetOffset = pos;
  const std::string& ts = layout.transferSyntax;
  layout.bigEndian = ts == "1.2.840.10008.1.2.2";
  layout.deflated = ts == "1.2.840.10008.1.2.1.99";
  if (!preamble && !bareMeta) {
    // No meta information: little or big endian from the first tag's group (0008 is typical).
    layout.bigEndian = size >= 2 && data[0] == 0x00 && data[1] != 0x00;
  }

  std::vector<std::uint8_t> inflated;
  const std::uint8_t* body = data;
  std::size_t bodySize = size;
  if (layout.deflated) {
    Result<std::vector<std::uint8_t>> result = inflateDataSet(data + pos, size - pos, path);
    if (!result) return result.error();
    inflated = std::move(result).value();
    body = inflated.data();
    bodySize = inflated.size();
    pos = 0;
  }
  // The transfer syntax says implicit or explicit, but files lie; like GDCM and pydicom we go by
  // what the first element looks like.
  layout.explicitVr = pos == bodySize || looksExplicit(body, bodySize, pos);
  Walker walker(body, path);
  walker.bigEndian = layout.bigEndian;
  walker.encapsulated = !ts.empty() && ts != "1.2.840.10008.1.2" && ts != "1.2.840.10008.1.2.1" &&
                        ts != "1.2.840.10008.1.2.2" && ts != "1.2.840.10008.1.2.1.99";
  // A deflated file reaches GDCM whole, so all of it must be sound, Pixel Data or not.
  walker.stopAtPixelData = stopAtPixelData && !layout.deflated;
  walker.layout = &layout;
  if (Status status = walker.dataSet(pos, bodySize, layout.explicitVr, 0, true, false); !status) {
    return status.error();
  }
  if (layout.deflated) {
    // Offsets refer to the inflated data; they mean nothing for the file.
    layout.pixelDataElement.reset();
    layout.pixelDataOffset.reset();
  }
  return layout;
}

}  // namespace medsa::io
