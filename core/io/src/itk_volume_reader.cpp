// NIfTI-1, NRRD and MetaImage through ITK's ImageIO objects directly (not itk::ImageFileReader),
// so no itk::Image template is instantiated per pixel type and the pixels land in our buffer.
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <vector>

#include "file_bytes.h"
#include "gzip_file.h"
#include "readers.h"

namespace medsa::io {
namespace {
namespace fs = std::filesystem;
using itk::IOComponentEnum;
using itk::IOPixelEnum;

itk::ImageIOBase::Pointer makeImageIO(FileFormat format) {
  switch (format) {
    case FileFormat::Nifti1:
      return itk::NiftiImageIO::New().GetPointer();
    case FileFormat::Nrrd:
      return itk::NrrdImageIO::New().GetPointer();
    case FileFormat::MetaImage:
      return itk::MetaImageIO::New().GetPointer();
    default:
      return nullptr;
  }
}

/// Our pixel type for an ITK component type: the same where we have it, else a wider one that
/// holds every value exactly.
bool mapComponent(IOComponentEnum component, PixelType* type) {
  switch (component) {
    case IOComponentEnum::UCHAR:
      *type = PixelType::U8;
      return true;
    case IOComponentEnum::CHAR:
    case IOComponentEnum::SHORT:
      *type = PixelType::I16;
      return true;
    case IOComponentEnum::USHORT:
      *type = PixelType::U16;
      return true;
    case IOComponentEnum::INT:
      *type = PixelType::I32;
      return true;
    case IOComponentEnum::FLOAT:
      *type = PixelType::F32;
      return true;
    case IOComponentEnum::UINT:
    case IOComponentEnum::LONG:
    case IOComponentEnum::ULONG:
    case IOComponentEnum::LONGLONG:
    case IOComponentEnum::ULONGLONG:
    case IOComponentEnum::DOUBLE:
      *type = PixelType::F64;
      return true;
    default:
      return false;
  }
}

template <typename Source>
void convertInto(const std::uint8_t* raw, std::size_t voxels, int sourceComponents, Image& image) {
  const auto* source = reinterpret_cast<const Source*>(raw);
  const int keep = image.components();
  visitPixels(image, [&](auto* out) {
    using Target = std::remove_pointer_t<decltype(out)>;
    for (std::size_t v = 0; v < voxels; ++v) {
      for (int c = 0; c < keep; ++c) {
        out[v * keep + c] = static_cast<Target>(source[v * sourceComponents + c]);
      }
    }
  });
}

void convertPixels(IOComponentEnum component, const std::uint8_t* raw, std::size_t voxels,
                   int sourceComponents, Image& image) {
  switch (component) {
    case IOComponentEnum::UCHAR:
      return convertInto<std::uint8_t>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::CHAR:
      return convertInto<std::int8_t>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::SHORT:
      return convertInto<std::int16_t>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::USHORT:
      return convertInto<std::uint16_t>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::INT:
      return convertInto<std::int32_t>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::UINT:
      return convertInto<std::uint32_t>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::LONG:
      return convertInto<long>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::ULONG:
      return convertInto<unsigned long>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::LONGLONG:
      return convertInto<long long>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::ULONGLONG:
      return convertInto<unsigned long long>(raw, voxels, sourceComponents, image);
    case IOComponentEnum::FLOAT:
      return convertInto<float>(raw, voxels, sourceComponents, image);
    default:
      return convertInto<double>(raw, voxels, sourceComponents, image);
  }
}

/// Value of a "key = value" / "key: value" line of a text header, or empty.
std::string headerValue(const std::string& path, const std::string& key, char separator) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::size_t read = 0;
  while (read < (1 << 16) && std::getline(in, line)) {
    read += line.size() + 1;
    if (line.rfind(key, 0) != 0) continue;
    const std::size_t sep = line.find(separator, key.size());
    if (sep == std::string::npos) continue;
    std::string value = line.substr(sep + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
      value.pop_back();
    }
    return value;
  }
  return {};
}

/// Bytes on disk behind a header: the file itself plus a detached data file when named.
std::uint64_t bytesOnDisk(const std::string& path, FileFormat format, std::uint64_t fileSize) {
  std::string dataFile;
  if (format == FileFormat::MetaImage) dataFile = headerValue(path, "ElementDataFile", '=');
  if (format == FileFormat::Nrrd) {
    dataFile = headerValue(path, "data file", ':');
    if (dataFile.empty()) dataFile = headerValue(path, "datafile", ':');
  }
  if (format == FileFormat::Nifti1 && lowerExtension(path) == ".hdr") {
    dataFile = fs::path(path).replace_extension(".img").string();
  }
  if (dataFile.empty() || dataFile == "LOCAL") return fileSize;
  fs::path data(dataFile);
  if (data.is_relative()) data = fs::path(path).parent_path() / data;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(data, ec);
  if (ec) {
    // A list or pattern of files (or a missing one, which ITK reports): no bound from us.
    return std::numeric_limits<std::uint64_t>::max() / 2048;
  }
  return fileSize + size;
}

/// Bytes a MetaImage element type takes, 0 if unknown.
std::size_t metaElementBytes(const std::string& type) {
  if (type == "MET_UCHAR" || type == "MET_CHAR") return 1;
  if (type == "MET_USHORT" || type == "MET_SHORT") return 2;
  if (type == "MET_UINT" || type == "MET_INT" || type == "MET_FLOAT") return 4;
  if (type == "MET_ULONG" || type == "MET_LONG" || type == "MET_DOUBLE" ||
      type == "MET_ULONG_LONG" || type == "MET_LONG_LONG") {
    return 8;
  }
  return 0;
}

/// MetaImage's reader (MetaIO) fills missing data with zeros; check that the data the header
/// announces (CompressedDataSize, or the raw size) is really there.
Status checkMetaImageData(const std::string& path, std::uint64_t fileSize) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  std::uint64_t headerEnd = 0;
  std::uint64_t voxels = 1;
  std::uint64_t channels = 1;
  std::uint64_t compressedSize = 0;
  bool compressed = false;
  bool sized = false;
  std::string elementType;
  std::string dataFile;
  while (headerEnd < (1 << 16) && std::getline(in, line)) {
    headerEnd += line.size() + 1;
    const std::size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq);
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    std::istringstream value(line.substr(eq + 1));
    if (key == "DimSize") {
      sized = true;
      std::int64_t n = 0;
      while (value >> n) voxels *= n > 0 ? static_cast<std::uint64_t>(n) : 0;
    } else if (key == "ElementNumberOfChannels") {
      value >> channels;
    } else if (key == "ElementType") {
      value >> elementType;
    } else if (key == "CompressedData") {
      std::string flag;
      value >> flag;
      compressed = flag == "True" || flag == "true";
    } else if (key == "CompressedDataSize") {
      value >> compressedSize;
    } else if (key == "ElementDataFile") {
      value >> dataFile;
      break;
    }
  }
  const std::size_t elementBytes = metaElementBytes(elementType);
  if (!sized || elementBytes == 0 || dataFile.empty()) return {};  // MetaIO decides
  std::uint64_t available = 0;
  std::string where = path;
  if (dataFile == "LOCAL") {
    available = fileSize > headerEnd ? fileSize - headerEnd : 0;
  } else {
    std::filesystem::path data(dataFile);
    if (data.is_relative()) data = std::filesystem::path(path).parent_path() / data;
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(data, ec);
    if (ec) {
      if (dataFile == "LIST" || dataFile.find('%') != std::string::npos) return {};
      return Error{ErrorCode::FileNotFound, "the data file " + data.string() + " is missing", path};
    }
    available = size;
    where = data.string();
  }
  const std::uint64_t needed =
      compressed ? compressedSize : voxels * channels * static_cast<std::uint64_t>(elementBytes);
  if (needed > available) {
    return Error{ErrorCode::Truncated,
                 "the data holds " + std::to_string(available) + " of the " +
                     std::to_string(needed) + " bytes the header announces",
                 where};
  }
  return {};
}

}  // namespace

Result<Image> readItkVolume(const std::string& path, FileFormat format) {
  Result<std::uint64_t> fileSize = regularFileSize(path);
  if (!fileSize) return fileSize.error();
  // ITK prints warnings (e.g. "Analyze file ... deprecated") to stderr; we report our own.
  static const bool quiet = [] {
    itk::Object::GlobalWarningDisplayOff();
    return true;
  }();
  (void)quiet;
  itk::ImageIOBase::Pointer io = makeImageIO(format);
  if (!io) return Error{ErrorCode::Internal, "no ITK reader for this format", path};
  const std::string formatName(fileFormatName(format));
  if (format == FileFormat::MetaImage) {
    if (Status status = checkMetaImageData(path, fileSize.value()); !status) {
      return status.error();
    }
  }
  try {
    if (!io->CanReadFile(path.c_str())) {
      return Error{ErrorCode::CorruptData, "not a readable " + formatName + " file", path};
    }
    io->SetFileName(path);
    io->ReadImageInformation();

    const unsigned dims = io->GetNumberOfDimensions();
    if (dims < 1) return Error{ErrorCode::CorruptData, "the header declares no axes", path};
    Image::Size size{1, 1, 1, 1};
    for (unsigned d = 0; d < dims; ++d) {
      const std::size_t n = io->GetDimensions(d);
      if (n == 0) return Error{ErrorCode::CorruptData, "an axis has size 0", path};
      if (d < 4) {
        size[d] = n;
      } else if (n != 1) {
        return Error{ErrorCode::UnsupportedFormat,
                     std::to_string(dims) + "-dimensional images are not supported (at most 4)",
                     path};
      }
    }
    const unsigned sourceComponents = io->GetNumberOfComponents();
    int components = 0;
    if (sourceComponents == 1) {
      components = 1;
    } else if (sourceComponents == 3 || sourceComponents == 4) {
      components = 3;  // RGB, or RGBA with its alpha dropped
    } else {
      return Error{ErrorCode::UnsupportedFormat,
                   "pixels with " + std::to_string(sourceComponents) +
                       " components are not supported (1, 3 or 4)",
                   path};
    }
    PixelType type = PixelType::U8;
    if (!mapComponent(io->GetComponentType(), &type)) {
      return Error{ErrorCode::UnsupportedFormat,
                   "pixel component type " +
                       itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                       " is not supported",
                   path};
    }

    const std::size_t voxels = size[0] * size[1] * size[2] * size[3];
    const std::size_t rawBytes = io->GetImageSizeInBytes();
    if (voxels == 0 || rawBytes / voxels != sourceComponents * io->GetComponentSize() ||
        rawBytes > plausibleDecodedBytes(bytesOnDisk(path, format, fileSize.value()))) {
      return Error{ErrorCode::CorruptData,
                   "the header announces more pixel data than the file can hold", path};
    }

    Result<Image> created = Image::create(size, components, type);
    if (!created) return Error{created.error().code, created.error().message, path};
    Image image = std::move(created).value();

    itk::ImageIORegion region(dims);
    for (unsigned d = 0; d < dims; ++d) region.SetSize(d, io->GetDimensions(d));
    io->SetIORegion(region);
    const bool direct = sourceComponents == static_cast<unsigned>(components) &&
                        rawBytes == image.byteCount() &&
                        pixelTypeSize(type) == io->GetComponentSize() &&
                        io->GetComponentType() != IOComponentEnum::CHAR &&
                        io->GetComponentType() != IOComponentEnum::UINT;
    if (direct) {
      io->Read(image.bytes());
    } else {
      std::vector<std::uint8_t> raw(rawBytes);
      io->Read(raw.data());
      convertPixels(io->GetComponentType(), raw.data(), voxels, static_cast<int>(sourceComponents),
                    image);
      if (sourceComponents == 4) image.metadata.warnings.push_back("alpha channel dropped");
    }

    ImageGeometry& g = image.geometry;
    for (unsigned d = 0; d < std::min(dims, 3u); ++d) {
      g.spacing[d] = io->GetSpacing(d);
      g.origin[d] = io->GetOrigin(d);
      const std::vector<double> column = io->GetDirection(d);
      for (unsigned row = 0; row < 3; ++row) {
        g.direction[row * 3 + d] = row < column.size() ? column[row] : (row == d ? 1.0 : 0.0);
      }
    }
    if (dims >= 4) g.timeSpacing = io->GetSpacing(3);
    if (Status status = checkGeometry(g, path); !status) return status.error();

    image.metadata.format = formatName;
    image.metadata.photometric = components == 3 ? "RGB" : "MONOCHROME2";
    return image;
  } catch (const itk::ExceptionObject& e) {
    // "ITK ERROR: NrrdImageIO(0x55...): reason" -> "reason"
    std::string what = e.GetDescription();
    if (const std::size_t cut = what.find("): ");
        what.rfind("ITK ERROR:", 0) == 0 && cut != std::string::npos) {
      what.erase(0, cut + 3);
    }
    const bool short_ = what.find("short") != std::string::npos ||
                        what.find("Truncat") != std::string::npos ||
                        what.find("end of file") != std::string::npos ||
                        what.find("failed to read") != std::string::npos;
    return errorFromException(
        short_ ? ErrorCode::Truncated : ErrorCode::CorruptData, path,
        (format == FileFormat::Nifti1 ? "Analyze" : formatName) + ": " + what);
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::ReadFailed, "not enough memory for the pixel data", path};
  } catch (const std::exception& e) {
    return errorFromException(ErrorCode::CorruptData, path, formatName + ": " + e.what());
  }
}

}  // namespace medsa::io
