#pragma once

#include <QString>

#include <functional>
#include <optional>
#include <vector>

#include "medsa/annotations/label_set.h"
#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"

namespace medsa::annotations {

/// What a dataset is exported as (docs: the README's export section).
enum class ExportFormat {
  Nifti,     ///< OUT/<case>.nii.gz + OUT/<case>.labels.json
  Nrrd,      ///< OUT/<case>.nrrd + OUT/<case>.labels.json
  Png,       ///< OUT/<case>.png + OUT/<case>.labels.json (2D pictures only)
  Coco,      ///< OUT/annotations.json + OUT/images/ (compressed RLE, pycocotools' encoding)
  NnUnet,    ///< OUT/DatasetNNN_Name/{dataset.json, imagesTr/, labelsTr/} (nnU-Net v2 raw)
  DicomSeg,  ///< OUT/<case>.dcm, one binary DICOM SEG per case (DICOM cases only)
};

/// "nifti", "nrrd", "png", "coco", "nnunet", "dicom-seg": the spellings of `medsa project export`.
QString exportFormatName(ExportFormat format);
std::optional<ExportFormat> exportFormatFromName(const QString& name);

/// One case of the dataset, as the project store knows it.
struct ExportCase {
  QString id;          ///< unique, file-name-safe case name ("case_007")
  QString imagePath;   ///< image file, or DICOM folder
  QString series;      ///< SeriesInstanceUID for a folder ("" otherwise)
  QString labelsPath;  ///< label map on the image's grid (NIfTI/NRRD for volumes, PNG for pictures)
};

struct ExportRequest {
  std::vector<ExportCase> cases;
  LabelSet labels;  ///< names, colours, values and optional codes; every value in a map is here
  QString out;      ///< output folder: must not exist or be empty
  ExportFormat format = ExportFormat::Nifti;
  int datasetId = 1;    ///< nnU-Net DatasetNNN (1..999)
  QString datasetName;  ///< nnU-Net dataset name part, COCO info, DICOM SEG series description
};

/// Reads a case's image the way the app does; injected so that annotations need not know how
/// (the app passes medsa_io's reader, selecting a DICOM folder's series by its UID).
using ExportImageReader = std::function<Result<Image>(const QString& path, const QString& series)>;

/// medsa_io's readImage, with `series` as ReadOptions::series: the reader the app uses.
ExportImageReader imageReaderFromIo();

/// Exports the cases in `request.format`. Atomic: everything is built in a temporary folder
/// beside OUT (".<OUT name>.medsa-export-<random>", locked while the export runs) and renamed to
/// OUT only when complete, so a failed, cancelled or killed export leaves nothing at OUT; the
/// temporary folders of killed exports are removed by the next export into the same parent.
/// Each case's image is read with `readImage` and its label map must lie on that image's grid
/// with every value in request.labels. Errors name the file and the reason.
Status exportDataset(const ExportRequest& request, const ExportImageReader& readImage,
                     ProgressSink* progress = nullptr, CancellationToken cancel = {});

}  // namespace medsa::annotations
