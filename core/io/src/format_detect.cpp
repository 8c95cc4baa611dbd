#include "format_detect.h"

#include <array>
#include <cctype>
#include <cstring>
#include <string_view>

#include "file_bytes.h"
#include "gzip_file.h"

namespace medsa::io {
namespace {

bool startsWith(const std::vector<std::uint8_t>& head, std::string_view magic, std::size_t at = 0) {
  return head.size() >= at + magic.size() &&
         std::memcmp(head.data() + at, magic.data(), magic.size()) == 0;
}

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[3]) | std::uint32_t(p[2]) << 8 | std::uint32_t(p[1]) << 16 |
         std::uint32_t(p[0]) << 24;
}

bool headerSizeIs(const std::vector<std::uint8_t>& head, std::uint32_t size) {
  return head.size() >= 4 && (le32(head.data()) == size || be32(head.data()) == size);
}

// MetaImage headers are "Key = Value" lines; these keys may come first.
bool looksLikeMetaImage(const std::vector<std::uint8_t>& head) {
  static constexpr std::array<std::string_view, 10> kKeys{
      "ObjectType",  "NDims",      "ObjectSubType", "Comment",        "DimSize",
      "ElementType", "BinaryData", "Name",          "ElementSpacing", "HeaderSize"};
  std::size_t i = 0;
  while (i < head.size() && std::isspace(head[i])) ++i;
  for (std::string_view key : kKeys) {
    if (!startsWith(head, key, i)) continue;
    std::size_t j = i + key.size();
    while (j < head.size() && (head[j] == ' ' || head[j] == '\t')) ++j;
    if (j < head.size() && head[j] == '=') return true;
  }
  return false;
}

// A DICOM stream without the 128-byte preamble starts with an element of group 0002 or 0008,
// little or big endian, explicit VR (two capital letters) or implicit.
bool looksLikeBareDicom(const std::vector<std::uint8_t>& head) {
  if (head.size() < 8) return false;
  const bool le = (head[0] == 0x02 || head[0] == 0x08) && head[1] == 0x00;
  const bool be = head[0] == 0x00 && (head[1] == 0x02 || head[1] == 0x08);
  if (!le && !be) return false;
  const bool explicitVr = std::isupper(head[4]) && std::isupper(head[5]);
  const std::uint32_t implicitLength = le ? le32(head.data() + 4) : be32(head.data() + 4);
  return explicitVr || implicitLength < 1024;
}

}  // namespace

std::string_view fileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::Dicom:
      return "DICOM";
    case FileFormat::Nifti1:
      return "NIfTI-1";
    case FileFormat::Nifti2:
      return "NIfTI-2";
    case FileFormat::Nrrd:
      return "NRRD";
    case FileFormat::MetaImage:
      return "MetaImage";
    case FileFormat::Png:
      return "PNG";
    case FileFormat::Jpeg:
      return "JPEG";
    case FileFormat::Tiff:
      return "TIFF";
    case FileFormat::Bmp:
      return "BMP";
    case FileFormat::Unknown:
      break;
  }
  return "unknown";
}

FileFormat detectFormatFromBytes(const std::vector<std::uint8_t>& head) {
  if (startsWith(head, "DICM", 128)) return FileFormat::Dicom;
  if (startsWith(head, "\x89PNG\r\n\x1a\n")) return FileFormat::Png;
  if (startsWith(head, "\xff\xd8\xff")) return FileFormat::Jpeg;
  if (startsWith(head, std::string_view("II*\0", 4)) ||
      startsWith(head, std::string_view("MM\0*", 4)) ||
      startsWith(head, std::string_view("II+\0", 4)) ||
      startsWith(head, std::string_view("MM\0+", 4))) {
    return FileFormat::Tiff;
  }
  if (startsWith(head, "NRRD000")) return FileFormat::Nrrd;
  if (headerSizeIs(head, 540) && (startsWith(head, std::string_view("n+2\0", 4), 4) ||
                                  startsWith(head, std::string_view("ni2\0", 4), 4))) {
    return FileFormat::Nifti2;
  }
  if (headerSizeIs(head, 348)) {
    // NIfTI-1 has a magic; an Analyze 7.5 header (which ITK's NIfTI reader also reads) has not.
    return FileFormat::Nifti1;
  }
  if (startsWith(head, "BM") && head.size() >= 18) {
    const std::uint32_t infoSize = le32(head.data() + 14);
    if (infoSize == 12 || infoSize == 40 || infoSize == 52 || infoSize == 56 || infoSize == 64 ||
        infoSize == 108 || infoSize == 124) {
      return FileFormat::Bmp;
    }
  }
  if (looksLikeMetaImage(head)) return FileFormat::MetaImage;
  if (looksLikeBareDicom(head)) return FileFormat::Dicom;
  return FileFormat::Unknown;
}

Result<FileFormat> detectFormat(const std::string& path) {
  Result<std::uint64_t> size = regularFileSize(path);
  if (!size) return size.error();
  if (size.value() == 0) return Error{ErrorCode::NotAnImage, "the file is empty", path};
  Result<std::vector<std::uint8_t>> head = readFileHead(path, kFormatProbeBytes);
  if (!head) return head.error();
  if (isGzip(head.value())) {
    Result<std::vector<std::uint8_t>> inner = gunzipHead(path, kFormatProbeBytes);
    if (!inner) return inner.error();
    const FileFormat format = detectFormatFromBytes(inner.value());
    // Only NIfTI is read from a gzip-compressed file.
    return format == FileFormat::Nifti1 || format == FileFormat::Nifti2 ? format
                                                                        : FileFormat::Unknown;
  }
  return detectFormatFromBytes(head.value());
}

}  // namespace medsa::io
