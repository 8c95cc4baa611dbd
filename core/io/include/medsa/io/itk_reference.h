#pragma once

#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

// Plain ITK readers, as an ITK user would write them, for comparison: `medsa bench-io` times them
// beside medsa's own readers, and tests check that both agree on geometry and voxels.
namespace medsa::io {

/// itk::GDCMSeriesFileNames + itk::ImageSeriesReader<itk::Image<int16_t, 3>> with GDCMImageIO
/// on the first series of a folder.
Result<Image> readDicomSeriesWithItk(const std::string& folder);

/// itk::ImageFileReader<itk::Image<int16_t, 3>> (any format ITK's registered IOs read).
Result<Image> readVolumeWithItk(const std::string& path);

}  // namespace medsa::io
