// NIfTI-1 and NIfTI-2, single files (.nii, .nii.gz) and header/image pairs (.hdr + .img). Our own
// reader: ITK 5.2's NiftiImageIO does not know NIfTI-2, and it fills a truncated or damaged
// file's missing voxels silently, where we must report an error. Geometry follows exactly what
// ITK 5.2 does for NIfTI-1 (tests/io compares both on every file):
//   - the sform is used when sform_code is SCANNER_ANAT (1), or when sform_code > 0 and
//     qform_code is 0; its 3x3 part divided by pixdim must then be orthonormal, otherwise the
//     qform is used (and with no qform that is an error);
//   - otherwise the qform (quaternion, qfac in pixdim[0]) when qform_code > 0;
//   - with both codes 0, identity direction and zero origin;
// then RAS is turned into LPS by negating x and y.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "file_bytes.h"
#include "gzip_file.h"
#include "readers.h"

namespace medsa::io {
namespace {

constexpr std::size_t kHeader1Bytes = 348;
constexpr std::size_t kHeader2Bytes = 540;

/// Reads little- or big-endian fields of the header.
class HeaderView {
 public:
  HeaderView(const std::uint8_t* bytes, bool swap) : bytes_(bytes), swap_(swap) {}
  template <typename T>
  T get(std::size_t offset) const {
    std::array<std::uint8_t, sizeof(T)> raw;
    std::memcpy(raw.data(), bytes_ + offset, sizeof(T));
    if (swap_) std::reverse(raw.begin(), raw.end());
    T value;
    std::memcpy(&value, raw.data(), sizeof(T));
    return value;
  }

 private:
  const std::uint8_t* bytes_;
  bool swap_;
};

struct DataType {
  PixelType type;
  std::size_t bytes;  ///< per voxel in the file
  int components;     ///< in the file
};

bool dataTypeOf(std::int16_t code, DataType* out) {
  switch (code) {
    case 2:  // UINT8
      *out = {PixelType::U8, 1, 1};
      return true;
    case 4:  // INT16
      *out = {PixelType::I16, 2, 1};
      return true;
    case 8:  // INT32
      *out = {PixelType::I32, 4, 1};
      return true;
    case 16:  // FLOAT32
      *out = {PixelType::F32, 4, 1};
      return true;
    case 64:  // FLOAT64
      *out = {PixelType::F64, 8, 1};
      return true;
    case 256:  // INT8
      *out = {PixelType::I16, 1, 1};
      return true;
    case 512:  // UINT16
      *out = {PixelType::U16, 2, 1};
      return true;
    case 768:   // UINT32
    case 1024:  // INT64
    case 1280:  // UINT64
      *out = {PixelType::F64, code == 768 ? 4u : 8u, 1};
      return true;
    case 128:  // RGB24
      *out = {PixelType::U8, 3, 3};
      return true;
    case 2304:  // RGBA32
      *out = {PixelType::U8, 4, 4};
      return true;
    default:
      return false;
  }
}

template <typename T>
T loadSwapped(const std::uint8_t* p, bool swap) {
  std::array<std::uint8_t, sizeof(T)> raw;
  std::memcpy(raw.data(), p, sizeof(T));
  if (swap) std::reverse(raw.begin(), raw.end());
  T value;
  std::memcpy(&value, raw.data(), sizeof(T));
  return value;
}

/// File sample (code, size) at p as a double.
double sampleAt(std::int16_t code, const std::uint8_t* p, bool swap) {
  switch (code) {
    case 2:
    case 128:
    case 2304:
      return *p;
    case 256:
      return static_cast<std::int8_t>(*p);
    case 4:
      return loadSwapped<std::int16_t>(p, swap);
    case 512:
      return loadSwapped<std::uint16_t>(p, swap);
    case 8:
      return loadSwapped<std::int32_t>(p, swap);
    case 768:
      return loadSwapped<std::uint32_t>(p, swap);
    case 1024:
      return static_cast<double>(loadSwapped<std::int64_t>(p, swap));
    case 1280:
      return static_cast<double>(loadSwapped<std::uint64_t>(p, swap));
    case 16:
      return loadSwapped<float>(p, swap);
    default:
      return loadSwapped<double>(p, swap);
  }
}

using Matrix = std::array<double, 9>;

bool orthonormal(const Matrix& m) {
  for (int a = 0; a < 3; ++a) {
    for (int b = a; b < 3; ++b) {
      double dot = 0;
      for (int r = 0; r < 3; ++r) dot += m[r * 3 + a] * m[r * 3 + b];
      if (!std::isfinite(dot) || std::abs(dot - (a == b ? 1.0 : 0.0)) > 1e-4) return false;
    }
  }
  return true;
}

/// The qform rotation (NIfTI-1 spec, nifti1.h) with qfac applied to the third column.
Matrix quaternionMatrix(double b, double c, double d, double qfac) {
  double a = 1.0 - (b * b + c * c + d * d);
  if (a < 1e-7) {  // b, c, d describe a 180-degree turn: normalise them
    const double norm = std::sqrt(b * b + c * c + d * d);
    b /= norm;
    c /= norm;
    d /= norm;
    a = 0;
  } else {
    a = std::sqrt(a);
  }
  Matrix r{
      a * a + b * b - c * c - d * d, 2 * (b * c - a * d),           2 * (b * d + a * c),
      2 * (b * c + a * d),           a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
      2 * (b * d - a * c),           2 * (c * d + a * b),           a * a + d * d - c * c - b * b};
  for (int row = 0; row < 3; ++row) r[row * 3 + 2] *= qfac;
  return r;
}

struct Header {
  bool swap = false;
  bool singleFile = true;
  std::int16_t datatype = 0;
  std::array<std::int64_t, 8> dim{};
  std::array<double, 8> pixdim{};
  std::int64_t voxOffset = 0;
  double sclSlope = 0;
  double sclInter = 0;
  std::int32_t qformCode = 0;
  std::int32_t sformCode = 0;
  double quatern[3]{};
  double qoffset[3]{};
  double srow[3][4]{};
  std::string description;
};

Header parseHeader2(const std::uint8_t* bytes, bool swap) {
  const HeaderView v(bytes, swap);
  Header h;
  h.swap = swap;
  h.singleFile = bytes[5] == '+';
  h.datatype = v.get<std::int16_t>(12);
  for (int i = 0; i < 8; ++i) h.dim[i] = v.get<std::int64_t>(16 + 8 * i);
  for (int i = 0; i < 8; ++i) h.pixdim[i] = v.get<double>(104 + 8 * i);
  h.voxOffset = v.get<std::int64_t>(168);
  h.sclSlope = v.get<double>(176);
  h.sclInter = v.get<double>(184);
  h.qformCode = v.get<std::int32_t>(344);
  h.sformCode = v.get<std::int32_t>(348);
  for (int i = 0; i < 3; ++i) h.quatern[i] = v.get<double>(352 + 8 * i);
  for (int i = 0; i < 3; ++i) h.qoffset[i] = v.get<double>(376 + 8 * i);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) h.srow[r][c] = v.get<double>(400 + 32 * r + 8 * c);
  }
  const char* text = reinterpret_cast<const char*>(bytes + 240);
  h.description.assign(text, strnlen(text, 80));
  return h;
}

Header parseHeader1(const std::uint8_t* bytes, bool swap) {
  const HeaderView v(bytes, swap);
  Header h;
  h.swap = swap;
  h.singleFile = bytes[345] == '+';
  h.datatype = v.get<std::int16_t>(70);
  for (int i = 0; i < 8; ++i) h.dim[i] = v.get<std::int16_t>(40 + 2 * i);
  for (int i = 0; i < 8; ++i) h.pixdim[i] = v.get<float>(76 + 4 * i);
  // Like nifti1_io: a float offset, and never inside the header of a single file.
  const double offset = v.get<float>(108);
  h.voxOffset =
      std::isfinite(offset) && offset > 0 && offset < 9e18 ? static_cast<std::int64_t>(offset) : 0;
  h.sclSlope = v.get<float>(112);
  h.sclInter = v.get<float>(116);
  h.qformCode = v.get<std::int16_t>(252);
  h.sformCode = v.get<std::int16_t>(254);
  for (int i = 0; i < 3; ++i) h.quatern[i] = v.get<float>(256 + 4 * i);
  for (int i = 0; i < 3; ++i) h.qoffset[i] = v.get<float>(268 + 4 * i);
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 4; ++c) h.srow[r][c] = v.get<float>(280 + 16 * r + 4 * c);
  }
  const char* text = reinterpret_cast<const char*>(bytes + 148);
  h.description.assign(text, strnlen(text, 80));
  return h;
}

/// Direction and origin in LPS per the rules at the top of this file.
Result<ImageGeometry> geometryOf(const Header& h, const std::string& path) {
  ImageGeometry g;
  for (int i = 0; i < 3; ++i) {
    const double s = std::abs(h.pixdim[i + 1]);
    g.spacing[i] = (s > 0 && std::isfinite(s)) ? s : 1.0;
  }
  const double t = std::abs(h.pixdim[4]);
  g.timeSpacing = (t > 0 && std::isfinite(t)) ? t : 1.0;

  const bool useSform = h.sformCode == 1 || (h.sformCode > 0 && h.qformCode <= 0);
  Matrix ras{1, 0, 0, 0, 1, 0, 0, 0, 1};
  std::array<double, 3> offset{0, 0, 0};
  bool found = false;
  if (useSform) {
    Matrix m;
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r * 3 + c] = h.srow[r][c] / g.spacing[c];
    }
    if (orthonormal(m)) {
      ras = m;
      offset = {h.srow[0][3], h.srow[1][3], h.srow[2][3]};
      found = true;
    }
  }
  if (!found && h.qformCode > 0) {
    const double qfac = h.pixdim[0] < 0 ? -1.0 : 1.0;
    ras = quaternionMatrix(h.quatern[0], h.quatern[1], h.quatern[2], qfac);
    offset = {h.qoffset[0], h.qoffset[1], h.qoffset[2]};
    found = true;
  }
  if (!found && (h.sformCode > 0 || h.qformCode > 0)) {
    return Error{ErrorCode::CorruptData,
                 "the sform is not a rotation and scaling, and there is no qform", path};
  }
  if (found) {
    for (int c = 0; c < 3; ++c) {
      g.direction[0 * 3 + c] = -ras[0 * 3 + c];
      g.direction[1 * 3 + c] = -ras[1 * 3 + c];
      g.direction[2 * 3 + c] = ras[2 * 3 + c];
    }
    g.origin = {-offset[0], -offset[1], offset[2]};
  }
  return g;
}

/// Where the voxels are: the same file (single-file NIfTI) or the .img beside a .hdr.
struct DataSource {
  std::string path;
  std::uint64_t offset = 0;
  bool compressed = false;
  std::uint64_t fileBytes = 0;
};

Result<DataSource> dataSourceOf(const Header& h, int version, const std::string& path,
                                bool compressed, std::uint64_t fileBytes) {
  DataSource source{path, static_cast<std::uint64_t>(std::max<std::int64_t>(h.voxOffset, 0)),
                    compressed, fileBytes};
  if (h.singleFile) {
    // The data never starts inside the header and its 4-byte extension flag.
    source.offset = std::max<std::uint64_t>(source.offset, version == 1 ? 352 : 544);
    return source;
  }
  std::string base = path;
  const std::string ext = lowerExtension(path);
  if (ext == ".hdr.gz") base.resize(base.size() - 3);
  if (lowerExtension(base) != ".hdr") {
    return Error{ErrorCode::UnsupportedFormat,
                 "a NIfTI header of a .hdr/.img pair must be named .hdr", path};
  }
  base.resize(base.size() - 4);
  for (const char* suffix : {".img", ".IMG", ".img.gz", ".IMG.GZ"}) {
    Result<std::uint64_t> size = regularFileSize(base + suffix);
    if (size) {
      source.path = base + suffix;
      source.compressed = std::string(suffix).size() > 4;
      source.fileBytes = size.value();
      return source;
    }
  }
  return Error{ErrorCode::FileNotFound, "the image file " + base + ".img is missing", path};
}

Status readRange(const DataSource& source, std::uint8_t* out, std::size_t count) {
  if (source.compressed) return gunzipRange(source.path, source.offset, count, out);
  if (source.offset + count > source.fileBytes) {
    return Error{ErrorCode::Truncated,
                 "the file has " + std::to_string(source.fileBytes) + " bytes; the header needs " +
                     std::to_string(source.offset + count),
                 source.path};
  }
  std::FILE* file = std::fopen(source.path.c_str(), "rb");
  if (!file) return Error{ErrorCode::FileNotFound, "cannot open the file", source.path};
  const bool ok = std::fseek(file, static_cast<long>(source.offset), SEEK_SET) == 0 &&
                  std::fread(out, 1, count, file) == count;
  std::fclose(file);
  if (!ok) return Error{ErrorCode::ReadFailed, "cannot read the pixel data", source.path};
  return {};
}

}  // namespace

bool hasNiftiMagic(const std::vector<std::uint8_t>& head) {
  auto magicAt = [&](std::size_t at, const char* a, const char* b) {
    return head.size() >= at + 4 &&
           (std::memcmp(head.data() + at, a, 4) == 0 || std::memcmp(head.data() + at, b, 4) == 0);
  };
  return magicAt(344, "n+1\0", "ni1\0") || magicAt(4, "n+2\0", "ni2\0");
}

Result<Image> readNifti(const std::string& path) {
  Result<std::uint64_t> fileSize = regularFileSize(path);
  if (!fileSize) return fileSize.error();
  Result<std::vector<std::uint8_t>> head = readFileHead(path, kHeader2Bytes);
  if (!head) return head.error();
  const bool compressed = isGzip(head.value());
  if (compressed) head = gunzipHead(path, kHeader2Bytes);
  if (!head) return head.error();
  if (head->size() < 4) {
    return Error{ErrorCode::Truncated, "the file ends inside the NIfTI header", path};
  }
  const std::uint8_t* bytes = head->data();
  const auto sizeLe = loadSwapped<std::int32_t>(bytes, false);
  const auto sizeBe = loadSwapped<std::int32_t>(bytes, true);
  const int version = (sizeLe == 540 || sizeBe == 540) ? 2 : 1;
  const std::size_t headerBytes = version == 2 ? kHeader2Bytes : kHeader1Bytes;
  if (head->size() < headerBytes) {
    return Error{ErrorCode::Truncated,
                 "the file ends after " + std::to_string(head->size()) + " of the " +
                     std::to_string(headerBytes) + " NIfTI header bytes",
                 path};
  }
  const bool swap = sizeLe != static_cast<std::int32_t>(headerBytes);
  const bool analyze = !hasNiftiMagic(head.value());
  if (analyze && (version == 2 || compressed)) {
    return Error{ErrorCode::CorruptData, "a NIfTI header without the NIfTI magic", path};
  }
  const Header h = version == 2 ? parseHeader2(bytes, swap) : parseHeader1(bytes, swap);

  DataType type;
  if (!dataTypeOf(h.datatype, &type)) {
    return Error{ErrorCode::UnsupportedFormat,
                 "NIfTI datatype " + std::to_string(h.datatype) + " is not supported", path};
  }
  const std::int64_t ndim = h.dim[0];
  if (ndim < 1 || ndim > 7) {
    return Error{ErrorCode::CorruptData, "dim[0] is " + std::to_string(ndim) + ", not 1 to 7",
                 path};
  }
  Image::Size size{1, 1, 1, 1};
  std::uint64_t voxels = 1;
  for (std::int64_t d = 1; d <= ndim; ++d) {
    if (h.dim[d] < 1) {
      return Error{ErrorCode::CorruptData, "dim[" + std::to_string(d) + "] is below 1", path};
    }
    if (d > 4 && h.dim[d] != 1) {
      return Error{ErrorCode::UnsupportedFormat,
                   "NIfTI images with more than 4 dimensions are not supported", path};
    }
    if (d <= 4) size[d - 1] = static_cast<std::size_t>(h.dim[d]);
    if (static_cast<std::uint64_t>(h.dim[d]) > (std::uint64_t(1) << 40) / voxels) {
      return Error{ErrorCode::CorruptData, "the dimensions are implausibly large", path};
    }
    voxels *= static_cast<std::uint64_t>(h.dim[d]);
  }
  const std::uint64_t dataBytes = voxels * type.bytes;
  Result<DataSource> source = dataSourceOf(h, version, path, compressed, fileSize.value());
  if (!source) return source.error();
  // Checked before anything is allocated: the sizes come from the header.
  if (source->compressed && source->offset + dataBytes > plausibleDecodedBytes(source->fileBytes)) {
    return Error{ErrorCode::CorruptData,
                 "the header announces more pixel data than the file can hold", path};
  }
  if (!source->compressed && source->offset + dataBytes > source->fileBytes) {
    return Error{ErrorCode::Truncated,
                 "the file has " + std::to_string(source->fileBytes) + " bytes; the header needs " +
                     std::to_string(source->offset + dataBytes),
                 source->path};
  }

  if (analyze) {
    // Analyze 7.5 (same layout for sizes): the data size is checked above, its orientation
    // conventions are left to ITK.
    Result<Image> image = readItkVolume(path, FileFormat::Nifti1);
    if (image) image->metadata.format = "Analyze";
    return image;
  }

  Result<ImageGeometry> geometry = geometryOf(h, path);
  if (!geometry) return geometry.error();
  if (Status status = checkGeometry(geometry.value(), path); !status) return status.error();

  // NIfTI scaling applies when the slope is a finite non-zero number other than identity; as in
  // ITK the result is then float.
  const bool scaled = std::isfinite(h.sclSlope) && h.sclSlope != 0 && std::isfinite(h.sclInter) &&
                      !(h.sclSlope == 1 && h.sclInter == 0);
  const int components = type.components == 1 ? 1 : 3;
  Result<Image> created = Image::create(size, components, scaled ? PixelType::F32 : type.type);
  if (!created) return Error{created.error().code, created.error().message, path};
  Image image = std::move(created).value();

  // The common case (native byte order, no scaling, a type we keep as is) reads straight into
  // the image; everything else goes through a conversion buffer.
  const bool direct = !scaled && !h.swap && type.components != 4 &&
                      image.byteCount() == static_cast<std::size_t>(dataBytes) &&
                      h.datatype != 256 && h.datatype != 768;
  if (direct) {
    if (Status status = readRange(source.value(), image.bytes(), image.byteCount()); !status) {
      return status.error();
    }
  } else {
    std::vector<std::uint8_t> raw;
    try {
      raw.resize(static_cast<std::size_t>(dataBytes));
    } catch (const std::bad_alloc&) {
      return Error{ErrorCode::ReadFailed, "not enough memory for the pixel data", path};
    }
    if (Status status = readRange(source.value(), raw.data(), raw.size()); !status) {
      return status.error();
    }
    const std::size_t sampleBytes = type.components == 1 ? type.bytes : 1;
    const std::size_t count = static_cast<std::size_t>(voxels);
    visitPixels(image, [&](auto* out) {
      using T = std::remove_pointer_t<decltype(out)>;
      for (std::size_t v = 0; v < count; ++v) {
        for (int c = 0; c < components; ++c) {
          const std::uint8_t* p = raw.data() + v * type.bytes + c * sampleBytes;
          double value = sampleAt(h.datatype, p, h.swap);
          if (scaled) value = value * h.sclSlope + h.sclInter;
          out[v * components + c] = static_cast<T>(value);
        }
      }
    });
  }

  image.geometry = geometry.value();
  image.metadata.format = version == 2 ? "NIfTI-2" : "NIfTI-1";
  image.metadata.photometric = components == 3 ? "RGB" : "MONOCHROME2";
  image.metadata.seriesDescription = h.description;
  if (type.components == 4) image.metadata.warnings.push_back("alpha channel dropped");
  return image;
}

}  // namespace medsa::io
