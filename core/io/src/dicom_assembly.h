#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "dicom_header.h"
#include "medsa/core/error.h"

// Pure geometry of a DICOM series, without pixels: which frame of which file goes to which
// (z, t) slot, and the volume's geometry. Separate from decoding so the rules are easy to follow.
namespace medsa::io {

struct SlotPlan {
  std::size_t file = 0;   ///< index into the headers
  std::size_t frame = 0;  ///< frame within that file
  std::size_t z = 0;
  std::size_t t = 0;
};

struct VolumePlan {
  std::size_t columns = 0;
  std::size_t rows = 0;
  std::size_t depth = 1;        ///< z
  std::size_t times = 1;        ///< t
  std::vector<SlotPlan> slots;  ///< one per kept frame; dropped duplicates are absent
  ImageGeometry geometry;
  std::vector<double> frameTimesMs;
  std::vector<std::string> warnings;
};

/// Orders the frames of consistent headers into a volume: by position along the slice normal
/// (Instance Number without positions), repeated positions as time points, duplicates dropped,
/// gaps and uneven spacing reported. InconsistentSeries when the files cannot form one volume.
Result<VolumePlan> planVolume(const std::vector<DicomHeader>& headers);

}  // namespace medsa::io
