#include "medsa/annotations/dataset_export.h"

#include <QFile>
#include <QRegularExpression>
#include <QSet>

#include "export_staging.h"
#include "exporters.h"
#include "medsa/io/image_reader.h"

namespace medsa::annotations {
namespace {

using exporting::exportError;

constexpr std::pair<ExportFormat, const char*> kFormatNames[] = {
    {ExportFormat::Nifti, "nifti"},   {ExportFormat::Nrrd, "nrrd"},
    {ExportFormat::Png, "png"},       {ExportFormat::Coco, "coco"},
    {ExportFormat::NnUnet, "nnunet"}, {ExportFormat::DicomSeg, "dicom-seg"}};

/// Everything that can be refused before a file is written.
Status validate(const ExportRequest& request) {
  const QString& out = request.out;
  if (request.cases.empty()) {
    return exportError(ErrorCode::InvalidArgument, "there are no cases to export", out);
  }
  if (request.labels.isEmpty()) {
    return exportError(ErrorCode::InvalidArgument, "the label set is empty", out);
  }
  // Case ids become file names; they must also differ on case-insensitive file systems.
  static const QRegularExpression safeName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));
  QSet<QString> ids;
  for (const ExportCase& item : request.cases) {
    if (!safeName.match(item.id).hasMatch() || item.id.size() > 200) {
      return exportError(ErrorCode::InvalidArgument,
                         "case id '" + item.id.toStdString() +
                             "' is not a file name (letters, digits, '.', '_', '-')",
                         item.imagePath);
    }
    if (ids.contains(item.id.toLower())) {
      return exportError(ErrorCode::InvalidArgument,
                         "case id '" + item.id.toStdString() + "' appears twice", item.imagePath);
    }
    ids.insert(item.id.toLower());
  }
  const bool named = request.format == ExportFormat::Coco ||
                     request.format == ExportFormat::NnUnet ||
                     request.format == ExportFormat::DicomSeg;
  QSet<QString> names;
  for (const Label& label : request.labels.labels()) {
    if (!named) break;
    if (label.name.trimmed().isEmpty() || names.contains(label.name)) {
      return exportError(ErrorCode::InvalidArgument,
                         "label names must be unique and not empty (label " +
                             std::to_string(label.value) + " is '" + label.name.toStdString() +
                             "')",
                         out);
    }
    names.insert(label.name);
  }
  if (request.format == ExportFormat::NnUnet) {
    static const QRegularExpression datasetName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_-]*$"));
    if (request.datasetId < 1 || request.datasetId > 999) {
      return exportError(ErrorCode::InvalidArgument,
                         "nnU-Net dataset ids have 3 digits: " + std::to_string(request.datasetId) +
                             " is not in 1..999",
                         out);
    }
    if (!datasetName.match(request.datasetName).hasMatch()) {
      return exportError(ErrorCode::InvalidArgument,
                         "the nnU-Net dataset name '" + request.datasetName.toStdString() +
                             "' must be letters, digits, '_' or '-'",
                         out);
    }
    if (names.contains(QStringLiteral("background"))) {
      return exportError(ErrorCode::InvalidArgument,
                         "nnU-Net reserves the label name 'background' for value 0", out);
    }
    // nnU-Net treats a label named "ignore" as its ignore label, which must be the highest.
    if (names.contains(QStringLiteral("ignore")) &&
        request.labels.labels().back().name != QStringLiteral("ignore")) {
      return exportError(ErrorCode::InvalidArgument,
                         "nnU-Net's 'ignore' label must have the highest value", out);
    }
  }
  return {};
}

}  // namespace

QString exportFormatName(ExportFormat format) {
  for (const auto& [value, name] : kFormatNames) {
    if (value == format) return QString::fromLatin1(name);
  }
  return {};
}

std::optional<ExportFormat> exportFormatFromName(const QString& name) {
  for (const auto& [value, text] : kFormatNames) {
    if (name == QLatin1String(text)) return value;
  }
  return std::nullopt;
}

ExportImageReader imageReaderFromIo() {
  return [](const QString& path, const QString& series) {
    io::ReadOptions options;
    options.series = series.toStdString();
    return io::readImage(QFile::encodeName(path).toStdString(), options);
  };
}

Status exportDataset(const ExportRequest& request, const ExportImageReader& readImage,
                     ProgressSink* progress, CancellationToken cancel) {
  if (Status valid = validate(request); !valid) return valid;
  Result<std::unique_ptr<exporting::ExportStaging>> staging =
      exporting::ExportStaging::begin(request.out);
  if (!staging) return staging.error();

  ProgressScope scope(progress, 0, 1, cancel);
  const exporting::ExportContext context{request, readImage, staging.value()->folder(), scope};
  Status exported;
  switch (request.format) {
    case ExportFormat::Nifti:
    case ExportFormat::Nrrd:
    case ExportFormat::Png:
      exported = exporting::exportLabelMaps(context);
      break;
    case ExportFormat::Coco:
      exported = exporting::exportCoco(context);
      break;
    case ExportFormat::NnUnet:
      exported = exporting::exportNnUnet(context);
      break;
    case ExportFormat::DicomSeg:
      exported = exporting::exportDicomSeg(context);
      break;
  }
  if (!exported) return exported;  // the staging folder goes with `staging`
  if (Status going = exporting::caseProgress(context, request.cases.size()); !going) return going;
  return staging.value()->publish();
}

}  // namespace medsa::annotations
