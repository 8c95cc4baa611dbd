#include "medsa/annotations/label_map_io.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSet>

#include <cmath>

#include "medsa/core/atomic_file.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"

namespace medsa::annotations {

QString labelSetPathFor(const QString& labelMapPath) {
  QString base = labelMapPath;
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd", ".png"}) {
    const QString suffix = QString::fromLatin1(ext);
    if (base.endsWith(suffix, Qt::CaseInsensitive)) {
      base.chop(suffix.size());
      break;
    }
  }
  return base + QStringLiteral(".labels.json");
}

bool canSaveLabelsAs(const QString& path) {
  return !path.endsWith(QStringLiteral(".mhd"), Qt::CaseInsensitive) &&
         !path.endsWith(QStringLiteral(".nhdr"), Qt::CaseInsensitive);
}

Status saveLabelMap(const LabelMap& map, const LabelSet& labels, const QString& path) {
  if (map.isEmpty()) return Error{ErrorCode::InvalidArgument, "no label map to save", {}};
  // A detached header and its data file cannot be replaced as one: a crash between the two
  // would leave a header that describes other voxels. Labels are kept in one file.
  if (!canSaveLabelsAs(path)) {
    return Error{ErrorCode::InvalidArgument,
                 "labels are saved as one file (.nii.gz, .nii, .nrrd, .mha or .png); a .mhd or "
                 ".nhdr header keeps its voxels in a second file and cannot be replaced safely",
                 path.toStdString()};
  }
  Status written;
  const Image& image = map.image();
  if (path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive)) {
    if (image.size(2) != 1) {
      return Error{ErrorCode::InvalidArgument,
                   "PNG holds 2D label maps only; save a volume as NIfTI or NRRD",
                   path.toStdString()};
    }
    // 8-bit PNG opens in any viewer; 16-bit only when a value needs it.
    const std::uint16_t* data = image.data<std::uint16_t>();
    bool fits = true;
    for (std::size_t i = 0; i < image.voxelCount() && fits; ++i) fits = data[i] <= 255;
    if (fits) {
      Result<Image> u8 = Image::create(image.size(), 1, PixelType::U8);
      if (!u8) return u8.error();
      for (std::size_t i = 0; i < image.voxelCount(); ++i) {
        u8->data<std::uint8_t>()[i] = static_cast<std::uint8_t>(data[i]);
      }
      u8->geometry = image.geometry;
      written = io::writeImage(u8.value(), path.toStdString());
    } else {
      written = io::writeImage(image, path.toStdString());
    }
  } else {
    written = io::writeImage(image, path.toStdString());
  }
  if (!written) return written;
  const QByteArray json = QJsonDocument(labels.toJson()).toJson();
  return writeFileAtomically(labelSetPathFor(path).toStdString(),
                             std::string_view(json.constData(), std::size_t(json.size())));
}

Result<LoadedLabelMap> loadLabelMap(const QString& path, const Image& reference) {
  const std::string where = path.toStdString();
  Result<Image> read = io::readImage(where);
  if (!read) return read.error();
  const Image& image = read.value();
  if (image.components() != 1) {
    return Error{ErrorCode::InvalidArgument, "a label map has one component per voxel", where};
  }
  if (image.size(0) != reference.size(0) || image.size(1) != reference.size(1) ||
      image.size(2) != reference.size(2)) {
    return Error{ErrorCode::InvalidArgument,
                 "its size " + std::to_string(image.size(0)) + "x" + std::to_string(image.size(1)) +
                     "x" + std::to_string(image.size(2)) + " differs from the open image's " +
                     std::to_string(reference.size(0)) + "x" + std::to_string(reference.size(1)) +
                     "x" + std::to_string(reference.size(2)),
                 where};
  }
  // Pictures (PNG, JPEG) carry no geometry worth comparing; volumes must lie on the same grid.
  if (reference.size(2) > 1) {
    const ImageGeometry& a = image.geometry;
    const ImageGeometry& b = reference.geometry;
    for (int i = 0; i < 3; ++i) {
      if (std::abs(a.spacing[i] - b.spacing[i]) > 1e-3 * std::max(1.0, std::abs(b.spacing[i])) ||
          std::abs(a.origin[i] - b.origin[i]) > 1e-3 * std::max(1.0, std::abs(b.spacing[i]))) {
        return Error{ErrorCode::InvalidArgument,
                     "it is not aligned with the open image (spacing or origin differ)", where};
      }
    }
    for (int i = 0; i < 9; ++i) {
      if (std::abs(a.direction[i] - b.direction[i]) > 1e-3) {
        return Error{ErrorCode::InvalidArgument,
                     "it is not aligned with the open image (orientation differs)", where};
      }
    }
  }
  Result<LabelMap> created = LabelMap::createFor(reference);
  if (!created) return created.error();
  Image labels = created->image();
  QSet<quint16> values;
  for (std::size_t z = 0; z < image.size(2); ++z) {
    for (std::size_t y = 0; y < image.size(1); ++y) {
      for (std::size_t x = 0; x < image.size(0); ++x) {
        const double v = image.value(x, y, z);
        if (!(v >= 0 && v <= 65535 && v == std::floor(v))) {
          return Error{ErrorCode::InvalidArgument,
                       "voxel values must be whole numbers from 0 to 65535 (found " +
                           std::to_string(v) + ")",
                       where};
        }
        const auto value = static_cast<quint16>(v);
        labels.data<std::uint16_t>()[labels.componentIndex(x, y, z)] = value;
        if (value) values.insert(value);
      }
    }
  }
  LoadedLabelMap loaded;
  Result<LabelMap> map = LabelMap::fromImage(std::move(labels));
  if (!map) return map.error();
  loaded.map = std::move(map).value();

  const QString setPath = labelSetPathFor(path);
  if (QFileInfo::exists(setPath)) {
    Result<std::string> text = readWholeFile(setPath.toStdString(), 16 << 20);
    if (!text) return text.error();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(
        QByteArray(text->data(), static_cast<qsizetype>(text->size())), &parseError);
    if (!doc.isObject()) {
      return Error{ErrorCode::CorruptData, parseError.errorString().toStdString(),
                   setPath.toStdString()};
    }
    Result<LabelSet> set = LabelSet::fromJson(doc.object());
    if (!set) {
      Error error = set.error();
      if (error.path.empty()) error.path = setPath.toStdString();
      return error;
    }
    loaded.labels = std::move(set).value();
  }
  for (quint16 value : values) {
    if (loaded.labels.find(value)) continue;
    loaded.labels.insert(Label{value, QStringLiteral("Label %1").arg(value),
                               defaultLabelColour(value), true, false});
  }
  return loaded;
}

}  // namespace medsa::annotations
