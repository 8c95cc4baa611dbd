// Reading DICOM into an Image: headers -> plan (dicom_assembly) -> parallel decode of the files
// straight into the volume -> rescale into the narrowest pixel type that holds the values.
#include "dicom_volume.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>

#include "dicom_assembly.h"
#include "dicom_header.h"
#include "dicom_pixels.h"
#include "medsa/io/dicom.h"
#include "parallel.h"

namespace medsa::io {
namespace {

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void merge(const Range& other) {
    lo = std::min(lo, other.lo);
    hi = std::max(hi, other.hi);
  }
};

template <typename T>
Range rangeOf(const std::uint8_t* bytes, std::size_t count) {
  const T* p = reinterpret_cast<const T*>(bytes);
  Range r;
  if (count == 0) return r;
  T lo = p[0];
  T hi = p[0];
  for (std::size_t i = 1; i < count; ++i) {
    lo = std::min(lo, p[i]);
    hi = std::max(hi, p[i]);
  }
  r.lo = static_cast<double>(lo);
  r.hi = static_cast<double>(hi);
  return r;
}

Range storedRange(StoredType type, const std::uint8_t* bytes, std::size_t count) {
  switch (type) {
    case StoredType::U8:
      return rangeOf<std::uint8_t>(bytes, count);
    case StoredType::I8:
      return rangeOf<std::int8_t>(bytes, count);
    case StoredType::U16:
      return rangeOf<std::uint16_t>(bytes, count);
    case StoredType::I16:
      return rangeOf<std::int16_t>(bytes, count);
    case StoredType::U32:
      return rangeOf<std::uint32_t>(bytes, count);
    case StoredType::I32:
      return rangeOf<std::int32_t>(bytes, count);
    case StoredType::F32:
      return rangeOf<float>(bytes, count);
    case StoredType::F64:
      break;
  }
  return rangeOf<double>(bytes, count);
}

/// The Image type that holds stored samples bit for bit while decoding.
PixelType containerOf(StoredType type) {
  switch (type) {
    case StoredType::U8:
    case StoredType::I8:
      return PixelType::U8;
    case StoredType::U16:
      return PixelType::U16;
    case StoredType::I16:
      return PixelType::I16;
    case StoredType::U32:
    case StoredType::I32:
      return PixelType::I32;
    case StoredType::F32:
      return PixelType::F32;
    case StoredType::F64:
      break;
  }
  return PixelType::F64;
}

bool integral(double v) { return std::floor(v) == v; }
bool fits(double lo, double hi, double min, double max) { return lo >= min && hi <= max; }

/// The narrowest type that holds every value after rescale.
PixelType outputType(StoredType stored, int samples, bool uniform, double slope, double intercept,
                     const Range& range) {
  const bool identity = uniform && slope == 1 && intercept == 0;
  if (samples == 3 || identity) {
    switch (stored) {
      case StoredType::U8:
        return PixelType::U8;
      case StoredType::I8:
      case StoredType::I16:
        return PixelType::I16;
      case StoredType::U16:
        return PixelType::U16;
      case StoredType::I32:
        return PixelType::I32;
      case StoredType::U32:
        return range.hi <= std::numeric_limits<std::int32_t>::max() ? PixelType::I32
                                                                    : PixelType::F64;
      case StoredType::F32:
        return PixelType::F32;
      case StoredType::F64:
        return PixelType::F64;
    }
  }
  if (stored == StoredType::F64) return PixelType::F64;
  if (uniform && integral(slope) && integral(intercept) && stored != StoredType::F32) {
    const double a = range.lo * slope + intercept;
    const double b = range.hi * slope + intercept;
    const double lo = std::min(a, b);
    const double hi = std::max(a, b);
    if (fits(lo, hi, -32768, 32767)) return PixelType::I16;
    if (fits(lo, hi, std::numeric_limits<std::int32_t>::min(),
             std::numeric_limits<std::int32_t>::max())) {
      return PixelType::I32;
    }
    return PixelType::F64;
  }
  return PixelType::F32;
}

template <typename In, typename Out>
void rescaleSlot(const In* in, Out* out, std::size_t count, double slope, double intercept) {
  if constexpr (std::is_integral_v<In> && std::is_integral_v<Out>) {
    // Integral rescale into an integer type (chosen so every value fits): exact integer math.
    const auto s = static_cast<std::int64_t>(slope);
    const auto b = static_cast<std::int64_t>(intercept);
    for (std::size_t i = 0; i < count; ++i) {
      out[i] = static_cast<Out>(static_cast<std::int64_t>(in[i]) * s + b);  // read, then write
    }
  } else {
    for (std::size_t i = 0; i < count; ++i) {
      const double value = static_cast<double>(in[i]) * slope + intercept;
      if constexpr (std::is_integral_v<Out>) {
        out[i] = static_cast<Out>(std::lround(value));
      } else {
        out[i] = static_cast<Out>(value);
      }
    }
  }
}

template <typename In, typename Out>
void rescaleSlots(const std::uint8_t* source, Out* out, std::size_t slotSamples,
                  const std::vector<std::pair<double, double>>& slotRescale) {
  const In* in = reinterpret_cast<const In*>(source);
  // Slots are independent: spread them over the cores (no progress: this is quick).
  ProgressScope quiet(nullptr, 0, 1);
  parallelFor(slotRescale.size(),
              [&](std::size_t s) -> Status {
                rescaleSlot(in + s * slotSamples, out + s * slotSamples, slotSamples,
                            slotRescale[s].first, slotRescale[s].second);
                return {};
              },
              quiet, {}, {});
}

template <typename Out>
void rescaleFrom(StoredType stored, const std::uint8_t* source, Out* out, std::size_t slotSamples,
                 const std::vector<std::pair<double, double>>& slotRescale) {
  switch (stored) {
    case StoredType::U8:
      return rescaleSlots<std::uint8_t>(source, out, slotSamples, slotRescale);
    case StoredType::I8:
      return rescaleSlots<std::int8_t>(source, out, slotSamples, slotRescale);
    case StoredType::U16:
      return rescaleSlots<std::uint16_t>(source, out, slotSamples, slotRescale);
    case StoredType::I16:
      return rescaleSlots<std::int16_t>(source, out, slotSamples, slotRescale);
    case StoredType::U32:
      return rescaleSlots<std::uint32_t>(source, out, slotSamples, slotRescale);
    case StoredType::I32:
      return rescaleSlots<std::int32_t>(source, out, slotSamples, slotRescale);
    case StoredType::F32:
      return rescaleSlots<float>(source, out, slotSamples, slotRescale);
    case StoredType::F64:
      return rescaleSlots<double>(source, out, slotSamples, slotRescale);
  }
}

/// Converts the decoded container into the output type, applying each slot's rescale. Works in
/// place when the widths match (each value is read before its slot is written).
Result<Image> convertVolume(Image container, StoredType stored, PixelType output,
                            const std::vector<std::pair<double, double>>& slotRescale,
                            const std::string& path) {
  const bool identity = std::all_of(slotRescale.begin(), slotRescale.end(),
                                    [](const auto& r) { return r.first == 1 && r.second == 0; });
  const bool reinterpretOnly = stored != StoredType::I8 && stored != StoredType::U32;
  if (output == container.pixelType() && identity && reinterpretOnly) return container;
  const std::size_t slotSamples =
      container.size(0) * container.size(1) * static_cast<std::size_t>(container.components());
  const Image::Size size = container.size();
  const int components = container.components();
  ImageGeometry geometry = container.geometry;
  ImageMetadata metadata = std::move(container.metadata);
  Result<Image> converted = Error{ErrorCode::Internal, "not converted", path};
  if (pixelTypeSize(output) == storedTypeSize(stored)) {
    converted = Image::fromBytes(size, components, output, container.releaseBytes());
    if (!converted) return Error{converted.error().code, converted.error().message, path};
    Image& result = converted.value();
    visitPixels(result, [&](auto* out) {
      rescaleFrom(stored, result.bytes(), out, slotSamples, slotRescale);
    });
  } else {
    converted = Image::create(size, components, output);
    if (!converted) return Error{converted.error().code, converted.error().message, path};
    visitPixels(converted.value(), [&](auto* out) {
      rescaleFrom(stored, container.bytes(), out, slotSamples, slotRescale);
    });
  }
  converted->geometry = geometry;
  converted->metadata = std::move(metadata);
  return converted;
}

void fillMetadata(const DicomHeader& h, const DicomPixels& pixels, ImageMetadata* m) {
  m->format = "DICOM";
  m->modality = h.modality;
  m->seriesDescription = h.seriesDescription;
  m->studyDescription = h.studyDescription;
  m->seriesInstanceUid = h.seriesUid;
  m->photometric = h.photometric;
  m->patientOrientation = h.patientOrientation;
  if (pixels.samples == 1) m->windows = h.windows;
}

}  // namespace

Result<Image> assembleDicom(std::vector<DicomHeader> headers, ProgressSink* sink,
                            CancellationToken cancel, const DecodeOptions& options) {
  if (headers.empty()) return Error{ErrorCode::InvalidArgument, "no DICOM files", {}};
  std::sort(headers.begin(), headers.end(),
            [](const DicomHeader& a, const DicomHeader& b) { return a.path < b.path; });
  const std::string where = headers.front().path;
  Result<VolumePlan> planned = planVolume(headers);
  if (!planned) return planned.error();
  VolumePlan plan = std::move(planned).value();

  // For each file, the slots its frames fill.
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> fileSlots(headers.size());
  for (std::size_t s = 0; s < plan.slots.size(); ++s) {
    fileSlots[plan.slots[s].file].push_back({plan.slots[s].frame, s});
  }
  std::vector<std::size_t> files;
  for (std::size_t f = 0; f < headers.size(); ++f) {
    if (!fileSlots[f].empty()) files.push_back(f);
  }

  ProgressScope progress(sink, 0, 1, cancel);
  // The first file decides the sample type; it is decoded alone so the volume can be allocated.
  Result<DicomPixels> firstPixels = decodeDicomPixels(headers[files.front()], options);
  if (!firstPixels) return firstPixels.error();
  const StoredType stored = firstPixels->type;
  const int samples = firstPixels->samples;
  const std::size_t frameBytes = firstPixels->frameBytes();

  Result<Image> created = Image::create({plan.columns, plan.rows, plan.depth, plan.times}, samples,
                                        containerOf(stored));
  if (!created) return Error{created.error().code, created.error().message, where};
  Image container = std::move(created).value();
  auto slotOffset = [&](std::size_t s) {
    return (plan.slots[s].t * plan.depth + plan.slots[s].z) * frameBytes;
  };
  std::vector<std::size_t> slotIndex(plan.slots.size());
  std::mutex rangeMutex;
  Range range;
  std::vector<char> usedDcmtk(headers.size(), 0);  // not vector<bool>: written from threads

  auto place = [&](std::size_t f, const DicomPixels& pixels) -> Status {
    if (pixels.type != stored || pixels.samples != samples || pixels.frameBytes() != frameBytes) {
      return Error{ErrorCode::InconsistentSeries,
                   "its pixel samples differ in type from " + headers[files.front()].path,
                   headers[f].path};
    }
    Range local;
    for (const auto& [frame, slot] : fileSlots[f]) {
      const std::uint8_t* from = pixels.bytes.data() + frame * frameBytes;
      std::memcpy(container.bytes() + slotOffset(slot), from, frameBytes);
      local.merge(storedRange(stored, from, frameBytes / storedTypeSize(stored)));
    }
    const std::lock_guard<std::mutex> lock(rangeMutex);
    range.merge(local);
    usedDcmtk[f] = pixels.decodedByDcmtk;
    return {};
  };
  if (Status status = place(files.front(), firstPixels.value()); !status) return status.error();
  const DicomPixels firstCopy{firstPixels->columns,     firstPixels->rows,
                              firstPixels->frames,      firstPixels->samples,
                              firstPixels->type,        {},
                              firstPixels->photometric, firstPixels->decodedByDcmtk};
  firstPixels = Error{ErrorCode::Internal, "released", {}};  // free its pixels early

  Status decoded = parallelFor(
      files.size() - 1,
      [&](std::size_t i) -> Status {
        const std::size_t f = files[i + 1];
        Result<DicomPixels> pixels = decodeDicomPixels(headers[f], options);
        if (!pixels) return pixels.error();
        return place(f, pixels.value());
      },
      progress, "Reading DICOM slices", where);
  if (!decoded) return decoded.error();

  // Rescale of every (t, z) position, from the file it came from; colour is never rescaled.
  std::vector<std::pair<double, double>> rescale(plan.depth * plan.times, {1.0, 0.0});
  for (const SlotPlan& slot : plan.slots) {
    const DicomHeader& h = headers[slot.file];
    if (samples == 1) rescale[slot.t * plan.depth + slot.z] = {h.slope, h.intercept};
  }
  const bool uniform = std::all_of(rescale.begin(), rescale.end(),
                                   [&](const auto& r) { return r == rescale.front(); });
  const PixelType output =
      outputType(stored, samples, uniform, rescale.front().first, rescale.front().second, range);

  container.geometry = plan.geometry;
  fillMetadata(headers[files.front()], firstCopy, &container.metadata);
  container.metadata.frameTimesMs = plan.frameTimesMs;
  container.metadata.warnings = std::move(plan.warnings);
  if (std::find(usedDcmtk.begin(), usedDcmtk.end(), 1) != usedDcmtk.end()) {
    container.metadata.warnings.push_back("pixel data decoded by DCMTK");
  }
  return convertVolume(std::move(container), stored, output, rescale, where);
}

Result<Image> readDicomFile(const std::string& path, ProgressSink* progress,
                            CancellationToken cancel) {
  return readDicomFileWith(path, {}, progress, cancel);
}

Result<Image> readDicomFileWith(const std::string& path, const DecodeOptions& options,
                                ProgressSink* progress, CancellationToken cancel) {
  Result<DicomHeader> header = readDicomHeader(path);
  if (!header) return header.error();
  return assembleDicom({std::move(header).value()}, progress, cancel, options);
}

Result<Image> readDicomSeries(const DicomSeriesInfo& series, ProgressSink* sink,
                              CancellationToken cancel) {
  if (series.files.empty()) {
    return Error{ErrorCode::InvalidArgument, "the series lists no files", {}};
  }
  ProgressScope headerProgress(sink, 0, 0.1, cancel);
  std::vector<DicomHeader> headers(series.files.size());
  Status status = parallelFor(
      series.files.size(),
      [&](std::size_t i) -> Status {
        Result<DicomHeader> header = readDicomHeader(series.files[i]);
        if (!header) return header.error();
        headers[i] = std::move(header).value();
        return {};
      },
      headerProgress, "Reading DICOM headers", series.files.front());
  if (!status) return status.error();
  ProgressScope pixelProgress(sink, 0.1, 1, cancel);
  struct Forward : ProgressSink {
    ProgressScope* scope;
    bool report(double fraction, std::string_view stage) override {
      return scope->update(fraction, stage);
    }
  } forward;
  forward.scope = &pixelProgress;
  return assembleDicom(std::move(headers), sink ? &forward : nullptr, cancel, {});
}

}  // namespace medsa::io
