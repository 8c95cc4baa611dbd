// medsa info: what an image file or DICOM folder holds, as medsa reads it: size, pixel type,
// geometry, modality, series and value range. `--json` gives one object for scripts and tests.
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "argument_parser.h"
#include "command_registry.h"
#include "medsa/core/slice.h"
#include "medsa/io/dicom.h"
#include "medsa/io/image_reader.h"

#include <nlohmann/json.hpp>

namespace medsa::cli {
namespace {

using nlohmann::json;

struct Report {
  Image image;
  std::string path;
  std::vector<io::DicomSeriesInfo> series;  ///< folders only
  std::vector<std::string> skipped;
  int selected = -1;
};

Result<Report> load(const std::string& path, const std::string& seriesChoice, int volume) {
  Report report;
  report.path = path;
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    io::ReadOptions options;
    options.volume = volume;
    Result<Image> image = io::readImage(path, options);
    if (!image) return image.error();
    report.image = std::move(image).value();
    return report;
  }
  // A folder: list every series, read the chosen one (scanned once, not twice via readImage).
  Result<io::DicomScan> scan = io::scanDicomFolder(path);
  if (!scan) return scan.error();
  report.series = scan->series;
  report.skipped = scan->skipped;
  report.selected = 0;
  if (!seriesChoice.empty()) {
    report.selected = -1;
    for (std::size_t i = 0; i < report.series.size(); ++i) {
      if (seriesChoice == std::to_string(i) || seriesChoice == report.series[i].seriesInstanceUid) {
        report.selected = static_cast<int>(i);
      }
    }
    if (report.selected < 0) {
      return Error{ErrorCode::InvalidArgument,
                   "no series '" + seriesChoice + "' (this folder has " +
                       std::to_string(report.series.size()) + ")",
                   path};
    }
  }
  Result<Image> image =
      io::readDicomSeries(report.series[static_cast<std::size_t>(report.selected)]);
  if (!image) return image.error();
  if (volume >= 0) {
    Result<Image> one = extractVolume(image.value(), static_cast<std::size_t>(volume));
    if (!one) return Error{one.error().code, one.error().message, path};
    image = std::move(one).value();
  }
  report.image = std::move(image).value();
  return report;
}

json seriesJson(const io::DicomSeriesInfo& s, std::size_t index) {
  return {{"index", index},           {"uid", s.seriesInstanceUid},
          {"number", s.seriesNumber}, {"description", s.seriesDescription},
          {"modality", s.modality},   {"columns", s.columns},
          {"rows", s.rows},           {"frames", s.frames},
          {"files", s.files.size()}};
}

json toJson(const Report& r) {
  const Image& image = r.image;
  const ImageGeometry& g = image.geometry;
  const auto [lo, hi] = image.valueRange();
  json windows = json::array();
  for (const WindowPreset& w : image.metadata.windows) {
    windows.push_back({{"center", w.center}, {"width", w.width}, {"name", w.name}});
  }
  json out = {
      {"path", r.path},
      {"format", image.metadata.format},
      {"dims", {image.size(0), image.size(1), image.size(2), image.size(3)}},
      {"components", image.components()},
      {"pixel_type", std::string(pixelTypeName(image.pixelType()))},
      {"spacing", g.spacing},
      {"time_spacing", g.timeSpacing},
      {"origin", g.origin},
      {"direction", g.direction},
      {"modality", image.metadata.modality},
      {"photometric", image.metadata.photometric},
      {"series_description", image.metadata.seriesDescription},
      {"series_uid", image.metadata.seriesInstanceUid},
      {"patient_orientation", image.metadata.patientOrientation},
      {"windows", windows},
      {"frame_times_ms", image.metadata.frameTimesMs},
      {"range", {lo, hi}},
      {"warnings", image.metadata.warnings},
  };
  if (r.selected >= 0) {
    json list = json::array();
    for (std::size_t i = 0; i < r.series.size(); ++i) list.push_back(seriesJson(r.series[i], i));
    out["series"] = list;
    out["selected_series"] = r.selected;
    out["skipped"] = r.skipped;
  }
  return out;
}

std::string numbers(const double* values, std::size_t count) {
  std::ostringstream text;
  text << std::setprecision(8);
  for (std::size_t i = 0; i < count; ++i) text << (i ? " " : "") << values[i];
  return text.str();
}

void printText(const Report& r, std::ostream& out) {
  const Image& image = r.image;
  const ImageGeometry& g = image.geometry;
  const ImageMetadata& m = image.metadata;
  auto orDash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  out << "path:        " << r.path << '\n';
  if (r.selected >= 0) {
    out << "series:      " << r.series.size() << " found\n";
    for (std::size_t i = 0; i < r.series.size(); ++i) {
      const io::DicomSeriesInfo& s = r.series[i];
      out << (static_cast<int>(i) == r.selected ? "  * " : "    ") << '[' << i << "] "
          << orDash(s.modality) << "  " << s.columns << 'x' << s.rows << "  " << s.frames
          << (s.frames == 1 ? " frame, " : " frames, ") << s.files.size()
          << (s.files.size() == 1 ? " file  " : " files  ") << '"' << s.seriesDescription << "\"  "
          << s.seriesInstanceUid << '\n';
    }
    for (const std::string& skipped : r.skipped) out << "    skipped: " << skipped << '\n';
  }
  out << "format:      " << m.format << '\n';
  out << "dimensions:  " << image.size(0) << " x " << image.size(1) << " x " << image.size(2)
      << " x " << image.size(3) << "  (x, y, z, t)\n";
  out << "components:  " << image.components() << '\n';
  out << "pixel type:  " << pixelTypeName(image.pixelType()) << '\n';
  out << "spacing:     " << numbers(g.spacing.data(), 3) << " mm";
  if (image.size(3) > 1) out << "; t step " << g.timeSpacing;
  out << '\n';
  out << "origin:      " << numbers(g.origin.data(), 3) << " mm (LPS)\n";
  out << "direction:   " << numbers(g.direction.data(), 3) << " | "
      << numbers(g.direction.data() + 3, 3) << " | " << numbers(g.direction.data() + 6, 3)
      << "  (rows; columns are the x, y, z axes)\n";
  out << "modality:    " << orDash(m.modality) << '\n';
  out << "photometric: " << orDash(m.photometric) << '\n';
  if (!m.seriesDescription.empty()) out << "description: " << m.seriesDescription << '\n';
  for (const WindowPreset& w : m.windows) {
    out << "window:      center " << w.center << ", width " << w.width
        << (w.name.empty() ? "" : "  (" + w.name + ")") << '\n';
  }
  const auto [lo, hi] = image.valueRange();
  out << "value range: " << lo << " .. " << hi << '\n';
  for (const std::string& warning : m.warnings) out << "warning:     " << warning << '\n';
}

int runInfo(CommandContext& context) {
  ArgumentParser parser(context.args);
  const bool asJson = parser.flag("--json");
  const std::string series = parser.option("--series").value_or("");
  const std::optional<std::string> volumeText = parser.option("--volume");
  const std::optional<std::string> path = parser.positional();
  Status status = parser.finish();
  int volume = -1;
  if (status && volumeText) {
    Result<long long> n = parseInteger(*volumeText, "--volume");
    if (!n || n.value() < 0) {
      status = n ? Status(Error{ErrorCode::InvalidArgument, "--volume must be >= 0", {}})
                 : Status(n.error());
    } else {
      volume = static_cast<int>(n.value());
    }
  }
  if (status && !path) status = Error{ErrorCode::InvalidArgument, "missing PATH", {}};
  if (!status) {
    context.err << "medsa info: " << status.error().describe() << "\nUsage: medsa info PATH "
                << "[--json] [--series N|UID] [--volume T]\n";
    return kExitUsage;
  }
  Result<Report> report = load(*path, series, volume);
  if (!report) {
    const Error& error = report.error();
    context.err << "medsa info: " << error.describe() << '\n';
    if (asJson) {
      context.out << json{{"error",
                           {{"code", std::string(errorCodeName(error.code))},
                            {"message", error.message},
                            {"path", error.path}}}}
                         .dump(2)
                  << '\n';
    }
    return kExitFailure;
  }
  if (asJson) {
    context.out << toJson(report.value()).dump(2) << '\n';
  } else {
    printText(report.value(), context.out);
  }
  return kExitOk;
}

}  // namespace

void addInfoCommand(CommandRegistry& registry) {
  registry.add(
      {"info", "describe an image file or a DICOM folder (size, geometry, values)",
       "Usage: medsa info PATH [--json] [--series N|UID] [--volume T]\n\n"
       "Reads PATH as medsa reads it (DICOM file or folder, NIfTI-1/2, NRRD, MetaImage,\n"
       "PNG, JPEG, TIFF, BMP; the format comes from the content) and prints its\n"
       "dimensions (x, y, z, t), components, pixel type, spacing, origin and direction\n"
       "(LPS), modality, window presets and value range (after rescale). For a folder it\n"
       "lists every DICOM series found and describes the largest one, or the one\n"
       "--series names (index or SeriesInstanceUID). --volume keeps one time point.\n\n"
       "--json prints one object with dims, components, pixel_type, spacing, origin,\n"
       "direction (9 numbers, row-major), modality, range and more.\n"
       "Exit status: 0 when read, 1 with the reason on stderr when not, 2 for bad usage.\n",
       runInfo});
}

}  // namespace medsa::cli
