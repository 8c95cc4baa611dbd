#include "dicom_assembly.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

namespace medsa::io {
namespace {

using Vec3 = std::array<double, 3>;

double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 scaled(const Vec3& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
Vec3 minus(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3 plus(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
double length(const Vec3& a) { return std::sqrt(dot(a, a)); }

// Two slices closer than this along the normal are at the same position. DS values carry about
// 1e-4 mm of rounding; real slice spacings are far above 0.01 mm.
constexpr double kSamePosition = 0.01;
constexpr std::size_t kMaxListed = 3;

std::string mm(double value) {
  std::ostringstream out;
  out.precision(4);
  out << value << " mm";
  return out.str();
}

struct Frame {
  std::size_t file = 0;
  std::size_t frame = 0;
  std::optional<Vec3> position;
  double along = 0;  ///< position projected on the normal
};

Error inconsistent(const std::string& path, const std::string& what) {
  return Error{ErrorCode::InconsistentSeries, what, path};
}

Status checkConsistent(const std::vector<DicomHeader>& headers) {
  const DicomHeader& first = headers.front();
  const bool firstGrey = first.photometric.rfind("MONOCHROME", 0) == 0;
  for (const DicomHeader& h : headers) {
    auto differs = [&](const std::string& what, auto mine, auto theirs) {
      std::ostringstream text;
      text << what << " is " << mine << " where " << first.path << " has " << theirs;
      return inconsistent(h.path, text.str());
    };
    if (h.rows != first.rows || h.columns != first.columns) {
      return differs("the image size", std::to_string(h.columns) + "x" + std::to_string(h.rows),
                     std::to_string(first.columns) + "x" + std::to_string(first.rows));
    }
    if (h.samplesPerPixel != first.samplesPerPixel) {
      return differs("Samples per Pixel", h.samplesPerPixel, first.samplesPerPixel);
    }
    if (h.bitsAllocated != first.bitsAllocated) {
      return differs("Bits Allocated", h.bitsAllocated, first.bitsAllocated);
    }
    if (h.pixelRepresentation != first.pixelRepresentation) {
      return differs("Pixel Representation", h.pixelRepresentation, first.pixelRepresentation);
    }
    if ((h.photometric.rfind("MONOCHROME", 0) == 0) != firstGrey) {
      return differs("the photometric interpretation", h.photometric, first.photometric);
    }
    if (first.orientation && h.orientation) {
      for (std::size_t i = 0; i < 6; ++i) {
        if (std::abs((*h.orientation)[i] - (*first.orientation)[i]) > 1e-3) {
          return inconsistent(h.path, "Image Orientation (Patient) differs from " + first.path);
        }
      }
    }
  }
  return {};
}

/// Sets the direction (and in-plane spacing) from the first header.
Result<Vec3> setDirection(const DicomHeader& first, ImageGeometry* g,
                          std::vector<std::string>* warnings) {
  Vec3 row{1, 0, 0};
  Vec3 col{0, 1, 0};
  if (first.orientation) {
    const auto& o = *first.orientation;
    row = {o[0], o[1], o[2]};
    col = {o[3], o[4], o[5]};
    const double rowLength = length(row);
    const double colLength = length(col);
    if (std::abs(rowLength - 1) > 0.05 || std::abs(colLength - 1) > 0.05 ||
        std::abs(dot(row, col)) > 0.05) {
      return Error{ErrorCode::CorruptData,
                   "Image Orientation (Patient) is not two perpendicular unit vectors", first.path};
    }
    // Files round the cosines to a few digits: make them exactly orthonormal.
    row = scaled(row, 1 / rowLength);
    col = minus(col, scaled(row, dot(row, col)));
    col = scaled(col, 1 / length(col));
  }
  const Vec3 normal = cross(row, col);
  for (int r = 0; r < 3; ++r) {
    g->direction[r * 3 + 0] = row[r];
    g->direction[r * 3 + 1] = col[r];
    g->direction[r * 3 + 2] = normal[r];
  }
  if (first.pixelSpacing) {
    const auto& ps = *first.pixelSpacing;  // (between rows, between columns)
    if (ps[0] > 0 && ps[1] > 0) {
      g->spacing[0] = ps[1];
      g->spacing[1] = ps[0];
    } else {
      warnings->push_back("Pixel Spacing is not positive; 1 mm assumed");
    }
  }
  return normal;
}

double sliceSpacingFromTags(const DicomHeader& h) {
  if (h.spacingBetweenSlices && *h.spacingBetweenSlices > 0) return *h.spacingBetweenSlices;
  if (h.sliceThickness && *h.sliceThickness > 0) return *h.sliceThickness;
  return 1.0;
}

std::vector<double> frameTimes(const DicomHeader& h) {
  std::vector<double> times(h.frames, 0.0);
  if (h.frameTimeVectorMs.size() == h.frames) {
    // Each entry is the time since the previous frame (the first one's is ignored).
    for (std::size_t k = 1; k < h.frames; ++k) times[k] = times[k - 1] + h.frameTimeVectorMs[k];
  } else {
    for (std::size_t k = 0; k < h.frames; ++k) times[k] = static_cast<double>(k) * h.frameTimeMs;
  }
  return times;
}

/// Sort key for frames at the same position: time, then acquisition, then instance, then file.
auto temporalKey(const std::vector<DicomHeader>& headers, const Frame& f) {
  const DicomHeader& h = headers[f.file];
  return std::make_tuple(h.triggerTime.value_or(0.0), h.acquisitionNumber.value_or(0),
                         h.instanceNumber.value_or(0), h.path, f.frame);
}

void addListed(std::vector<std::string>* warnings, std::size_t index, const std::string& text) {
  if (index < kMaxListed) warnings->push_back(text);
}

}  // namespace

Result<VolumePlan> planVolume(const std::vector<DicomHeader>& headers) {
  if (headers.empty()) return Error{ErrorCode::Internal, "no DICOM files to assemble", {}};
  if (Status status = checkConsistent(headers); !status) return status.error();
  const DicomHeader& first = headers.front();

  VolumePlan plan;
  plan.columns = first.columns;
  plan.rows = first.rows;
  ImageGeometry& g = plan.geometry;
  Result<Vec3> normalResult = setDirection(first, &g, &plan.warnings);
  if (!normalResult) return normalResult.error();
  const Vec3 normal = normalResult.value();
  g.spacing[2] = sliceSpacingFromTags(first);
  if (first.position) g.origin = *first.position;

  // A cine loop: its frames are the t axis.
  const bool anyTime = std::any_of(headers.begin(), headers.end(),
                                   [](const DicomHeader& h) { return h.framesAreTime(); });
  if (anyTime) {
    if (headers.size() > 1) {
      return inconsistent(first.path,
                          "the series holds several multi-frame cine files; open them one by one");
    }
    plan.times = first.frames;
    for (std::size_t k = 0; k < first.frames; ++k) plan.slots.push_back({0, k, 0, k});
    plan.frameTimesMs = frameTimes(first);
    if (first.frameTimeMs > 0) {
      g.timeSpacing = first.frameTimeMs;
    } else if (first.frames > 1 && plan.frameTimesMs.back() > 0) {
      g.timeSpacing = plan.frameTimesMs.back() / static_cast<double>(first.frames - 1);
    }
    return plan;
  }

  // Every frame of every file, with its position when known.
  std::vector<Frame> frames;
  const bool severalFiles = headers.size() > 1;
  for (std::size_t f = 0; f < headers.size(); ++f) {
    const DicomHeader& h = headers[f];
    const bool perFrame = h.framePositions.size() == h.frames;
    const bool grid = h.gridFrameOffsets.size() == h.frames && h.position;
    if (severalFiles && h.frames > 1 && !perFrame && !grid) {
      return inconsistent(h.path,
                          "a multi-frame file without per-frame positions in a series of several "
                          "files");
    }
    for (std::size_t k = 0; k < h.frames; ++k) {
      Frame frame{f, k, std::nullopt, 0};
      if (perFrame) {
        frame.position = h.framePositions[k];
      } else if (grid) {
        frame.position =
            plus(*h.position, scaled(normal, h.gridFrameOffsets[k] - h.gridFrameOffsets[0]));
      } else if (h.frames == 1) {
        frame.position = h.position;
      }
      if (frame.position) frame.along = dot(*frame.position, normal);
      frames.push_back(frame);
    }
  }

  const bool positioned =
      std::all_of(frames.begin(), frames.end(), [](const Frame& f) { return f.position; });
  if (!positioned || frames.size() == 1) {
    // Storage order: Instance Number across files, frame order within a file.
    const bool numbered = std::all_of(headers.begin(), headers.end(), [](const DicomHeader& h) {
      return h.instanceNumber.has_value();
    });
    if (severalFiles) {
      std::stable_sort(frames.begin(), frames.end(), [&](const Frame& a, const Frame& b) {
        return temporalKey(headers, a) < temporalKey(headers, b);
      });
      plan.warnings.push_back(
          numbered ? "slices have no Image Position (Patient): ordered by Instance Number"
                   : "slices have neither Image Position (Patient) nor Instance Number: ordered "
                     "by file name");
    }
    if (frames.size() > 1 && !first.spacingBetweenSlices && !first.sliceThickness) {
      plan.warnings.push_back("the slice spacing is unknown: 1 mm assumed");
    }
    plan.depth = frames.size();
    for (std::size_t z = 0; z < frames.size(); ++z) {
      plan.slots.push_back({frames[z].file, frames[z].frame, z, 0});
    }
    if (frames.front().position) g.origin = *frames.front().position;
    return plan;
  }

  std::stable_sort(frames.begin(), frames.end(), [&](const Frame& a, const Frame& b) {
    if (std::abs(a.along - b.along) >= kSamePosition) return a.along < b.along;
    return temporalKey(headers, a) < temporalKey(headers, b);
  });
  // Frames at one position form a group.
  std::vector<std::vector<Frame>> groups;
  for (const Frame& frame : frames) {
    if (groups.empty() || std::abs(frame.along - groups.back().front().along) >= kSamePosition) {
      groups.emplace_back();
    }
    groups.back().push_back(frame);
  }
  const std::size_t perGroup = groups.front().size();
  const bool timeSeries =
      perGroup > 1 && std::all_of(groups.begin(), groups.end(),
                                  [&](const auto& group) { return group.size() == perGroup; });
  plan.depth = groups.size();
  plan.times = timeSeries ? perGroup : 1;
  std::size_t dropped = 0;
  for (std::size_t z = 0; z < groups.size(); ++z) {
    const auto& group = groups[z];
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (timeSeries || i == 0) {
        plan.slots.push_back({group[i].file, group[i].frame, z, timeSeries ? i : 0});
        continue;
      }
      addListed(&plan.warnings, dropped++,
                "duplicate slice: " + headers[group[i].file].path + " (frame " +
                    std::to_string(group[i].frame + 1) + ") is at the same position as " +
                    headers[group[0].file].path + " and was left out");
    }
  }
  if (dropped > kMaxListed) {
    plan.warnings.push_back(std::to_string(dropped - kMaxListed) +
                            " more duplicate slices were left out");
  }
  if (timeSeries) {
    for (const Frame& frame : groups.front()) {
      const auto& trigger = headers[frame.file].triggerTime;
      if (!trigger) {
        plan.frameTimesMs.clear();
        break;
      }
      plan.frameTimesMs.push_back(*trigger -
                                  headers[groups.front().front().file].triggerTime.value());
    }
  }

  g.origin = *groups.front().front().position;
  if (groups.size() >= 2) {
    std::vector<double> steps;
    for (std::size_t z = 1; z < groups.size(); ++z) {
      steps.push_back(groups[z].front().along - groups[z - 1].front().along);
    }
    std::vector<double> sorted = steps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double spacing = sorted[sorted.size() / 2];
    g.spacing[2] = spacing;
    std::size_t gaps = 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (steps[i] > 1.5 * spacing) {
        addListed(&plan.warnings, gaps++,
                  "gap of " + mm(steps[i]) + " between slices " + std::to_string(i) + " and " +
                      std::to_string(i + 1) + " (the series spacing is " + mm(spacing) +
                      "): slices may be missing");
      }
    }
    if (gaps > kMaxListed) {
      plan.warnings.push_back(std::to_string(gaps - kMaxListed) + " more gaps");
    }
    const auto [lo, hi] = std::minmax_element(steps.begin(), steps.end());
    if (gaps == 0 && *hi - *lo > 0.01 * spacing + 1e-3) {
      plan.warnings.push_back("the slice spacing varies from " + mm(*lo) + " to " + mm(*hi) + "; " +
                              mm(spacing) + " is used");
    }
    const Vec3 span = minus(*groups.back().front().position, *groups.front().front().position);
    const Vec3 sideways = minus(span, scaled(normal, dot(span, normal)));
    if (length(sideways) > 0.01 * length(span) + 1e-3) {
      plan.warnings.push_back(
          "the slices are not stacked along their normal (gantry tilt?): "
          "they shift " +
          mm(length(sideways)) + " sideways; the volume is not resampled");
    }
  }
  return plan;
}

}  // namespace medsa::io
