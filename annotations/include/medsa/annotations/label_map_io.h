#pragma once

#include <QString>

#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_set.h"
#include "medsa/core/error.h"
#include "medsa/core/progress.h"

namespace medsa::annotations {

/// The label set file saved beside a label map: "ct_seg.nii.gz" -> "ct_seg.labels.json".
QString labelSetPathFor(const QString& labelMapPath);

/// Writes the map in the format its extension names (.nii, .nii.gz, .nrrd, .mha on the image's
/// grid and geometry; .png for a 2D image, 8-bit when every value fits) and the label set beside
/// it. Both are written under temporary names and renamed.
/// False for the kinds labels are never saved as: a detached header (.mhd, .nhdr) keeps its
/// voxels in a second file, and the two cannot be replaced as one.
bool canSaveLabelsAs(const QString& path);

Status saveLabelMap(const LabelMap& map, const LabelSet& labels, const QString& path);

struct LoadedLabelMap {
  LabelMap map;
  LabelSet labels;
};

/// Reads a label map for `reference` (the open image): it must have the same grid (size, and for
/// volumes the same spacing, origin and direction within 1e-3) and hold non-negative integers up
/// to 65535. The label set comes from the file beside it; values without an entry get a default
/// name and colour. Errors name the file and the reason.
Result<LoadedLabelMap> loadLabelMap(const QString& path, const Image& reference);

}  // namespace medsa::annotations
