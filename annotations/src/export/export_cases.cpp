#include <QFile>
#include <QJsonDocument>

#include <vector>

#include "exporters.h"
#include "medsa/annotations/label_map_io.h"
#include "medsa/core/atomic_file.h"

namespace medsa::annotations::exporting {
namespace {

/// The image readers' format names of pictures (medsa_io's photo reader); the rest are volumes.
bool isPictureFormat(const std::string& format) {
  return format == "PNG" || format == "JPEG" || format == "TIFF" || format == "BMP";
}

Error withPath(Error error, const QString& path) {
  if (error.path.empty()) error.path = path.toStdString();
  return error;
}

}  // namespace

Error exportError(ErrorCode code, const std::string& reason, const QString& path) {
  return Error{code, reason, path.toStdString()};
}

Status caseProgress(const ExportContext& context, std::size_t index) {
  const std::size_t count = context.request.cases.size();
  const std::string stage =
      index < count ? "Exporting " + context.request.cases[index].id.toStdString() : "Finishing";
  if (!context.progress.update(count ? double(index) / double(count) : 1.0, stage)) {
    return exportError(ErrorCode::Cancelled, "the export was cancelled", context.request.out);
  }
  return {};
}

Result<CaseData> loadCase(const ExportContext& context, std::size_t index) {
  if (Status going = caseProgress(context, index); !going) return going.error();
  const ExportCase& item = context.request.cases[index];
  if (item.labelsPath.isEmpty()) {
    return exportError(ErrorCode::InvalidArgument,
                       "case " + item.id.toStdString() + " has no label map", item.imagePath);
  }
  Result<Image> image = context.read(item.imagePath, item.series);
  if (!image) return withPath(image.error(), item.imagePath);
  Result<LoadedLabelMap> loaded = loadLabelMap(item.labelsPath, image.value());
  if (!loaded) return withPath(loaded.error(), item.labelsPath);

  // A value the label set does not name would be exported without a name or a class.
  const Image& map = loaded->map.image();
  const std::uint16_t* values = map.data<std::uint16_t>();
  std::vector<bool> checked(65536, false);
  checked[0] = true;
  for (std::size_t i = 0; i < map.voxelCount(); ++i) {
    if (checked[values[i]]) continue;
    if (!context.request.labels.find(values[i])) {
      return exportError(
          ErrorCode::InvalidArgument,
          "label value " + std::to_string(values[i]) + " is not in the exported label set",
          item.labelsPath);
    }
    checked[values[i]] = true;
  }
  CaseData data;
  data.picture = isPictureFormat(image->metadata.format);
  data.image = std::move(image).value();
  data.labels = std::move(loaded->map);
  return data;
}

Status writeJson(const QString& path, const QJsonObject& json, bool readable) {
  const QByteArray bytes =
      QJsonDocument(json).toJson(readable ? QJsonDocument::Indented : QJsonDocument::Compact);
  return writeFileAtomically(QFile::encodeName(path).toStdString(),
                             std::string_view(bytes.constData(), std::size_t(bytes.size())));
}

}  // namespace medsa::annotations::exporting
