// NIfTI / NRRD / PNG: each case's label map, values as in the label set, with the label set JSON
// beside it (label_map_io's conventions, so the app opens them again).
#include <QDir>

#include "exporters.h"
#include "medsa/annotations/label_map_io.h"

namespace medsa::annotations::exporting {

Status exportLabelMaps(const ExportContext& context) {
  const ExportFormat format = context.request.format;
  const QString extension = format == ExportFormat::Nifti  ? QStringLiteral(".nii.gz")
                            : format == ExportFormat::Nrrd ? QStringLiteral(".nrrd")
                                                           : QStringLiteral(".png");
  for (std::size_t i = 0; i < context.request.cases.size(); ++i) {
    Result<CaseData> data = loadCase(context, i);
    if (!data) return data.error();
    const ExportCase& item = context.request.cases[i];
    if (format == ExportFormat::Png && data->labels.image().size(2) > 1) {
      return exportError(ErrorCode::InvalidArgument,
                         "PNG export holds 2D pictures; case " + item.id.toStdString() +
                             " is a volume (export it as NIfTI or NRRD)",
                         item.imagePath);
    }
    const QString path = QDir(context.folder).filePath(item.id + extension);
    if (Status saved = saveLabelMap(data->labels, context.request.labels, path); !saved) {
      return saved;
    }
  }
  return {};
}

}  // namespace medsa::annotations::exporting
