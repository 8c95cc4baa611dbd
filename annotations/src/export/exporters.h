#pragma once

// The dataset exporters behind exportDataset(): each writes one format into the staging folder.
#include <QJsonObject>
#include <QString>

#include <cstddef>
#include <string>

#include "medsa/annotations/dataset_export.h"
#include "medsa/annotations/label_map.h"
#include "medsa/core/progress.h"

namespace medsa::annotations::exporting {

/// What every exporter gets: the request, the reader, the folder that becomes OUT, progress.
struct ExportContext {
  const ExportRequest& request;
  const ExportImageReader& read;
  QString folder;
  ProgressScope& progress;
};

/// A case read and checked.
struct CaseData {
  Image image;
  LabelMap labels;       ///< on the image's grid, every value in the request's label set
  bool picture = false;  ///< a photograph-like 2D file (PNG, JPEG, TIFF, BMP), not a volume
};

/// Reads case `index` (reporting progress first): its image with the injected reader, its label
/// map on that image's grid. Errors name the file: the image, or the label map.
Result<CaseData> loadCase(const ExportContext& context, std::size_t index);

/// Reports progress at case `index`; a Cancelled error when the user stopped the export.
Status caseProgress(const ExportContext& context, std::size_t index);

/// Writes JSON (indented when `readable`) to `path`.
Status writeJson(const QString& path, const QJsonObject& json, bool readable);

Error exportError(ErrorCode code, const std::string& reason, const QString& path);

Status exportLabelMaps(const ExportContext& context);  // Nifti, Nrrd, Png
Status exportCoco(const ExportContext& context);
Status exportNnUnet(const ExportContext& context);
Status exportDicomSeg(const ExportContext& context);

}  // namespace medsa::annotations::exporting
