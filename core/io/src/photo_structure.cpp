#include "photo_structure.h"

#include <cstring>
#include <map>
#include <optional>

namespace medsa::io {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[3]) << 24 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[1]) << 8 | p[0];
}
std::uint16_t le16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[1] << 8 | p[0]); }

Error truncated(const std::string& path, const std::string& what) {
  return Error{ErrorCode::Truncated, what, path};
}
Error corrupt(const std::string& path, const std::string& what) {
  return Error{ErrorCode::CorruptData, what, path};
}

/// The SHORT/LONG values of the first IFD of a classic TIFF structure, by tag. Entries of other
/// types, and values pointing outside the block, are left out.
std::optional<std::map<std::uint16_t, std::vector<std::uint32_t>>> readFirstIfd(
    const std::uint8_t* data, std::size_t size) {
  if (size < 8) return std::nullopt;
  const bool little = data[0] == 'I' && data[1] == 'I';
  const bool big = data[0] == 'M' && data[1] == 'M';
  if (!little && !big) return std::nullopt;
  auto u16 = [&](std::size_t at) { return little ? le16(data + at) : be16(data + at); };
  auto u32 = [&](std::size_t at) { return little ? le32(data + at) : be32(data + at); };
  if (u16(2) != 42) return std::nullopt;  // BigTIFF (43) and others: not walked
  const std::uint32_t ifd = u32(4);
  if (ifd < 8 || static_cast<std::uint64_t>(ifd) + 2 > size) return std::nullopt;
  const std::uint16_t entries = u16(ifd);
  if (static_cast<std::uint64_t>(ifd) + 2 + std::uint64_t(entries) * 12 > size) {
    return std::nullopt;
  }
  std::map<std::uint16_t, std::vector<std::uint32_t>> tags;
  for (std::uint16_t e = 0; e < entries; ++e) {
    const std::size_t at = ifd + 2 + std::size_t(e) * 12;
    const std::uint16_t tag = u16(at);
    const std::uint16_t type = u16(at + 2);
    const std::uint32_t count = u32(at + 4);
    if (type != 3 && type != 4) continue;
    const std::size_t itemSize = type == 3 ? 2 : 4;
    if (count == 0 || count > size / itemSize) continue;
    const std::size_t bytes = itemSize * count;
    std::size_t valueAt = at + 8;
    if (bytes > 4) {
      valueAt = u32(at + 8);
      if (valueAt > size || bytes > size - valueAt) continue;
    }
    std::vector<std::uint32_t> values(count);
    for (std::uint32_t i = 0; i < count; ++i) {
      values[i] = type == 3 ? u16(valueAt + 2 * i) : u32(valueAt + 4 * i);
    }
    tags[tag] = std::move(values);
  }
  return tags;
}

}  // namespace

int tiffOrientation(const std::uint8_t* data, std::size_t size) {
  const auto tags = readFirstIfd(data, size);
  if (!tags) return 1;
  const auto it = tags->find(0x0112);
  if (it == tags->end() || it->second.empty()) return 1;
  const std::uint32_t value = it->second.front();
  return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
}

Result<PhotoStructure> checkJpeg(const std::vector<std::uint8_t>& bytes, const std::string& path) {
  const std::size_t n = bytes.size();
  PhotoStructure result;
  bool sawFrame = false;
  bool sawScan = false;
  std::size_t pos = 2;  // after SOI
  while (true) {
    if (pos >= n) return truncated(path, "the JPEG data ends before its end-of-image marker");
    if (bytes[pos] != 0xFF) {
      return corrupt(path, "JPEG: expected a marker at byte " + std::to_string(pos));
    }
    while (pos < n && bytes[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) return truncated(path, "the JPEG data ends inside a marker");
    const std::uint8_t marker = bytes[pos++];
    if (marker == 0xD9) break;  // EOI
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0xD8) continue;
    if (pos + 2 > n) return truncated(path, "the JPEG data ends inside a segment header");
    const std::size_t length = be16(bytes.data() + pos);
    if (length < 2) return corrupt(path, "JPEG: a segment has an invalid length");
    if (pos + length > n) {
      return truncated(path, "the JPEG data ends inside a segment (byte " + std::to_string(n) +
                                 " of " + std::to_string(pos + length) + ")");
    }
    const std::uint8_t* payload = bytes.data() + pos + 2;
    const std::size_t payloadSize = length - 2;
    if (marker == 0xE1 && payloadSize > 6 && std::memcmp(payload, "Exif\0\0", 6) == 0 && !sawScan) {
      result.orientation = tiffOrientation(payload + 6, payloadSize - 6);
    }
    if ((marker >= 0xC0 && marker <= 0xC3) || (marker >= 0xC5 && marker <= 0xC7) ||
        (marker >= 0xC9 && marker <= 0xCB) || (marker >= 0xCD && marker <= 0xCF)) {
      sawFrame = true;
    }
    pos += length;
    if (marker == 0xDA) {  // SOS: entropy-coded data follows, up to the next real marker
      sawScan = true;
      while (true) {
        if (pos + 1 >= n) return truncated(path, "the JPEG image data is cut off");
        if (bytes[pos] == 0xFF) {
          const std::uint8_t next = bytes[pos + 1];
          if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
            pos += 2;
            continue;
          }
          if (next == 0xFF) {
            ++pos;
            continue;
          }
          break;
        }
        ++pos;
      }
    }
  }
  if (!sawFrame || !sawScan) return corrupt(path, "JPEG without image data");
  return result;
}

Result<PhotoStructure> checkPng(const std::vector<std::uint8_t>& bytes, const std::string& path) {
  const std::size_t n = bytes.size();
  PhotoStructure result;
  std::size_t pos = 8;
  bool first = true;
  while (true) {
    if (pos + 8 > n) return truncated(path, "the PNG data ends before its IEND chunk");
    const std::uint32_t length = be32(bytes.data() + pos);
    const std::string type(reinterpret_cast<const char*>(bytes.data() + pos + 4), 4);
    if (length > 0x7fffffffu) return corrupt(path, "PNG: a chunk has an invalid length");
    if (first && type != "IHDR") return corrupt(path, "PNG: the first chunk is not IHDR");
    first = false;
    if (static_cast<std::uint64_t>(pos) + 12 + length > n) {
      return truncated(path, "the PNG data ends inside its " + type + " chunk");
    }
    if (type == "eXIf") result.orientation = tiffOrientation(bytes.data() + pos + 8, length);
    if (type == "IEND") break;
    pos += 12 + static_cast<std::size_t>(length);
  }
  return result;
}

Result<PhotoStructure> checkTiff(const std::vector<std::uint8_t>& bytes, const std::string& path) {
  PhotoStructure result;
  if (bytes.size() >= 4 && bytes[2] + bytes[3] == 43) return result;  // BigTIFF: OpenCV decides
  const auto tags = readFirstIfd(bytes.data(), bytes.size());
  if (!tags) return corrupt(path, "TIFF: the first image directory is unreadable");
  const auto orientation = tags->find(0x0112);
  if (orientation != tags->end() && !orientation->second.empty() &&
      orientation->second.front() >= 1 && orientation->second.front() <= 8) {
    result.orientation = static_cast<int>(orientation->second.front());
  }
  // Strips (273/279) or tiles (324/325): every block must lie inside the file.
  for (auto [offsetsTag, countsTag] : {std::pair{273, 279}, std::pair{324, 325}}) {
    const auto offsets = tags->find(static_cast<std::uint16_t>(offsetsTag));
    const auto counts = tags->find(static_cast<std::uint16_t>(countsTag));
    if (offsets == tags->end() || counts == tags->end()) continue;
    if (offsets->second.size() != counts->second.size()) {
      return corrupt(path, "TIFF: strip offsets and byte counts disagree");
    }
    for (std::size_t i = 0; i < offsets->second.size(); ++i) {
      if (std::uint64_t(offsets->second[i]) + counts->second[i] > bytes.size()) {
        return truncated(path, "the TIFF file ends inside its image data");
      }
    }
  }
  return result;
}

Result<PhotoStructure> checkBmp(const std::vector<std::uint8_t>& bytes, const std::string& path) {
  PhotoStructure result;
  if (bytes.size() < 26) return truncated(path, "the BMP header is cut off");
  const std::uint32_t dataOffset = le32(bytes.data() + 10);
  const std::uint32_t infoSize = le32(bytes.data() + 14);
  std::int64_t width = 0;
  std::int64_t height = 0;
  std::uint32_t bits = 0;
  std::uint32_t compression = 0;
  if (infoSize == 12) {
    width = le16(bytes.data() + 18);
    height = le16(bytes.data() + 20);
    bits = le16(bytes.data() + 24);
  } else {
    if (bytes.size() < 34) return truncated(path, "the BMP header is cut off");
    width = static_cast<std::int32_t>(le32(bytes.data() + 18));
    height = static_cast<std::int32_t>(le32(bytes.data() + 22));
    bits = le16(bytes.data() + 28);
    compression = le32(bytes.data() + 30);
  }
  if (width <= 0 || height == 0 || bits == 0) return corrupt(path, "BMP: invalid image size");
  if (compression == 0 || compression == 3) {  // uncompressed rows, padded to 4 bytes
    const std::uint64_t rowBytes = (static_cast<std::uint64_t>(width) * bits + 31) / 32 * 4;
    const std::uint64_t need =
        dataOffset + rowBytes * static_cast<std::uint64_t>(height < 0 ? -height : height);
    if (need > bytes.size()) return truncated(path, "the BMP file ends inside its pixel data");
  }
  return result;
}

}  // namespace medsa::io
