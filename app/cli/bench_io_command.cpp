// medsa bench-io: how fast a CT-sized series and the same volume as .nii.gz open with medsa's
// readers, beside plain ITK reading the same files in the same run. A benchmark, not a test:
// nothing here is asserted.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <ostream>
#include <random>

#include "argument_parser.h"
#include "command_registry.h"
#include "medsa/core/atomic_file.h"
#include "medsa/io/dicom.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"
#include "medsa/io/itk_reference.h"

#include <nlohmann/json.hpp>

namespace medsa::cli {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A CT-like volume: air, a body ellipse of soft tissue with lungs and a bony ring, noise.
Result<Image> ctPhantom(std::size_t size, std::size_t slices) {
  Result<Image> created = Image::create({size, size, slices, 1}, 1, PixelType::I16);
  if (!created) return created;
  Image image = std::move(created).value();
  image.geometry.spacing = {0.7, 0.7, 1.25};
  image.geometry.origin = {-0.35 * static_cast<double>(size), -0.35 * static_cast<double>(size),
                           -400.0};
  std::mt19937 random(7);
  std::normal_distribution<double> noise(0, 12);
  auto* out = image.data<std::int16_t>();
  const double c = static_cast<double>(size) / 2;
  for (std::size_t z = 0; z < slices; ++z) {
    const double taper = 1.0 - 0.3 * std::abs(static_cast<double>(z) / slices - 0.5);
    for (std::size_t y = 0; y < size; ++y) {
      for (std::size_t x = 0; x < size; ++x) {
        const double dx = (static_cast<double>(x) - c) / (0.42 * size * taper);
        const double dy = (static_cast<double>(y) - c) / (0.30 * size * taper);
        const double r = dx * dx + dy * dy;
        double hu = -1000;
        if (r < 1) {
          hu = 40;
          const double lx = std::abs(dx) - 0.45;
          if (lx * lx / 0.09 + dy * dy / 0.36 < 1) hu = -820;  // lungs
          if (r > 0.85) hu = 650;                              // ribs
          hu += noise(random);
        }
        out[(z * size + y) * size + x] = static_cast<std::int16_t>(std::lround(hu));
      }
    }
  }
  return image;
}

struct Timing {
  std::string name;
  std::vector<double> seconds;
  double median() const {
    std::vector<double> s = seconds;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
  double best() const { return *std::min_element(seconds.begin(), seconds.end()); }
};

bool sameVoxels(const Image& a, const Image& b) {
  return a.size() == b.size() && a.pixelType() == b.pixelType() &&
         std::equal(a.bytes(), a.bytes() + a.byteCount(), b.bytes());
}

bool sameGeometry(const Image& a, const Image& b) {
  for (int i = 0; i < 3; ++i) {
    if (std::abs(a.geometry.spacing[i] - b.geometry.spacing[i]) > 1e-4) return false;
    if (std::abs(a.geometry.origin[i] - b.geometry.origin[i]) > 1e-3) return false;
  }
  for (int i = 0; i < 9; ++i) {
    if (std::abs(a.geometry.direction[i] - b.geometry.direction[i]) > 1e-5) return false;
  }
  return true;
}

// What bench-io writes in --dir: a series folder marked as its own, and volume.nii.gz. It
// replaces them on the next run, but never a folder or file it did not make: --dir may well be
// a folder of the user's own data.
constexpr const char* kMarkerName = ".medsa-bench-io";

bool isOurs(const fs::path& seriesDir) {
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(seriesDir / kMarkerName, ec)) &&
         fs::is_directory(fs::symlink_status(seriesDir, ec));
}

Error refuse(const fs::path& path) {
  return Error{ErrorCode::InvalidArgument,
               "exists and was not made by medsa bench-io: refusing to replace it (choose "
               "another --dir, or remove it yourself)",
               path.string()};
}

/// Empties what an earlier run left in `dir`, after checking that it was an earlier run's.
Result<fs::path> prepareDir(const std::string& dirText) {
  const fs::path dir(dirText);
  const fs::path seriesDir = dir / "series";
  const fs::path niftiPath = dir / "volume.nii.gz";
  std::error_code ec;
  const bool ours = isOurs(seriesDir);
  if (!ours && fs::exists(fs::symlink_status(seriesDir, ec))) return refuse(seriesDir);
  if (!ours && fs::exists(fs::symlink_status(niftiPath, ec))) return refuse(niftiPath);
  if (ours) {
    fs::remove_all(seriesDir, ec);
    if (ec) return Error{ErrorCode::WriteFailed, "cannot remove: " + ec.message(), seriesDir};
  }
  fs::create_directories(seriesDir, ec);
  if (ec) return Error{ErrorCode::WriteFailed, "cannot create: " + ec.message(), seriesDir};
  if (Status marked = writeFileAtomically((seriesDir / kMarkerName).string(),
                                          "Made by medsa bench-io, which deletes it on its next "
                                          "run in this folder.\n");
      !marked) {
    return marked.error();
  }
  return dir;
}

/// A new, private folder for the default run (removed afterwards unless --keep).
Result<fs::path> makeTemporaryDir() {
  std::string pattern = (fs::temp_directory_path() / "medsa-bench-io-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    return Error{ErrorCode::WriteFailed,
                 std::string("cannot create a temporary folder: ") + std::strerror(errno), pattern};
  }
  return prepareDir(pattern);
}

int runBenchIo(CommandContext& context) {
  ArgumentParser parser(context.args);
  const bool asJson = parser.flag("--json");
  const bool keep = parser.flag("--keep");
  const std::optional<std::string> slicesText = parser.option("--slices");
  const std::optional<std::string> sizeText = parser.option("--size");
  const std::optional<std::string> runsText = parser.option("--runs");
  const std::optional<std::string> dirText = parser.option("--dir");
  Status status = parser.finish();
  long long slices = 300, size = 512, runs = 3;
  for (auto [text, target, name, low] : {std::tuple{&slicesText, &slices, "--slices", 2LL},
                                         std::tuple{&sizeText, &size, "--size", 16LL},
                                         std::tuple{&runsText, &runs, "--runs", 1LL}}) {
    if (!status || !*text) continue;
    Result<long long> n = parseInteger(**text, name);
    if (!n || n.value() < low) {
      status = Error{ErrorCode::InvalidArgument,
                     std::string(name) + " must be a whole number >= " + std::to_string(low),
                     {}};
    } else {
      *target = n.value();
    }
  }
  if (!status) {
    context.err << "medsa bench-io: " << status.error().describe() << '\n';
    return kExitUsage;
  }
  Result<fs::path> prepared = dirText ? prepareDir(*dirText) : makeTemporaryDir();
  if (!prepared) {
    context.err << "medsa bench-io: " << prepared.error().describe() << '\n';
    return kExitFailure;
  }
  const fs::path dir = prepared.value();
  const fs::path seriesDir = dir / "series";
  const fs::path niftiPath = dir / "volume.nii.gz";
  std::error_code ec;

  context.err << "bench-io: writing a " << size << "x" << size << "x" << slices
              << " CT-like series and .nii.gz to " << dir.string() << '\n';
  Result<Image> phantom =
      ctPhantom(static_cast<std::size_t>(size), static_cast<std::size_t>(slices));
  if (!phantom) {
    context.err << "medsa bench-io: " << phantom.error().describe() << '\n';
    return kExitFailure;
  }
  auto start = Clock::now();
  if (Status written = io::writeDicomSeries(phantom.value(), seriesDir.string()); !written) {
    context.err << "medsa bench-io: " << written.error().describe() << '\n';
    return kExitFailure;
  }
  const double writeSeries = secondsSince(start);
  start = Clock::now();
  if (Status written = io::writeImage(phantom.value(), niftiPath.string()); !written) {
    context.err << "medsa bench-io: " << written.error().describe() << '\n';
    return kExitFailure;
  }
  const double writeNifti = secondsSince(start);

  Timing ours{"series: medsa (scan + read)", {}};
  Timing itkSeries{"series: plain ITK (GDCMSeriesFileNames + ImageSeriesReader)", {}};
  Timing oursNifti{"nii.gz: medsa", {}};
  Timing itkNifti{"nii.gz: plain ITK (ImageFileReader)", {}};
  bool seriesAgree = true;
  bool niftiAgree = true;
  std::string failure;
  auto timeIt = [&](Timing& timing, const std::function<Result<Image>()>& read) -> Result<Image> {
    const auto begin = Clock::now();
    Result<Image> image = read();
    timing.seconds.push_back(secondsSince(begin));
    if (!image && failure.empty()) failure = image.error().describe();
    return image;
  };
  for (long long run = 0; run < runs && failure.empty(); ++run) {
    // Alternate who goes first so neither always meets a colder cache.
    Result<Image> a = Error{ErrorCode::Internal, "", {}};
    Result<Image> b = Error{ErrorCode::Internal, "", {}};
    auto readOurs = [&] {
      Result<io::DicomScan> scan = io::scanDicomFolder(seriesDir.string());
      if (!scan) return Result<Image>(scan.error());
      return io::readDicomSeries(scan->series.front());
    };
    auto readItk = [&] { return io::readDicomSeriesWithItk(seriesDir.string()); };
    if (run % 2 == 0) {
      a = timeIt(ours, readOurs);
      b = timeIt(itkSeries, readItk);
    } else {
      b = timeIt(itkSeries, readItk);
      a = timeIt(ours, readOurs);
    }
    seriesAgree = seriesAgree && a && b && sameVoxels(a.value(), b.value()) &&
                  sameGeometry(a.value(), b.value());
    Result<Image> c = timeIt(oursNifti, [&] { return io::readImage(niftiPath.string()); });
    Result<Image> d = timeIt(itkNifti, [&] { return io::readVolumeWithItk(niftiPath.string()); });
    niftiAgree = niftiAgree && c && d && sameVoxels(c.value(), d.value()) &&
                 sameGeometry(c.value(), d.value());
  }
  if (!keep && !dirText) fs::remove_all(dir, ec);
  if (!failure.empty()) {
    context.err << "medsa bench-io: " << failure << '\n';
    return kExitFailure;
  }

  const std::vector<const Timing*> all{&ours, &itkSeries, &oursNifti, &itkNifti};
  if (asJson) {
    nlohmann::json out = {{"size", {size, size, slices}},  {"runs", runs},
                          {"write_series_s", writeSeries}, {"write_nifti_s", writeNifti},
                          {"series_agree", seriesAgree},   {"nifti_agree", niftiAgree}};
    for (const Timing* t : all) {
      out["readers"].push_back({{"name", t->name},
                                {"median_s", t->median()},
                                {"best_s", t->best()},
                                {"runs_s", t->seconds}});
    }
    out["series_speedup_vs_itk"] = itkSeries.median() / ours.median();
    out["nifti_speedup_vs_itk"] = itkNifti.median() / oursNifti.median();
    context.out << out.dump(2) << '\n';
    return kExitOk;
  }
  context.out << std::fixed << std::setprecision(3);
  context.out << "volume " << size << "x" << size << "x" << slices << " i16, " << runs
              << " runs, files in the page cache (written just before)\n";
  context.out << "written: series " << writeSeries << " s, nii.gz " << writeNifti << " s\n";
  for (const Timing* t : all) {
    context.out << "  " << std::left << std::setw(62) << t->name << std::right << " median "
                << t->median() << " s  best " << t->best() << " s\n";
  }
  context.out << std::setprecision(2) << "series: medsa is " << itkSeries.median() / ours.median()
              << "x plain ITK; nii.gz: " << itkNifti.median() / oursNifti.median()
              << "x plain ITK\n";
  context.out << "same voxels and geometry as ITK: series " << (seriesAgree ? "yes" : "NO")
              << ", nii.gz " << (niftiAgree ? "yes" : "NO") << '\n';
  return kExitOk;
}

}  // namespace

void addBenchIoCommand(CommandRegistry& registry) {
  registry.add(
      {"bench-io", "time reading a CT-sized DICOM series and .nii.gz against plain ITK",
       "Usage: medsa bench-io [--slices N] [--size N] [--runs R] [--dir DIR] [--keep]\n"
       "                      [--json]\n\n"
       "Writes a CT-like SIZE x SIZE x SLICES volume (default 512 x 512 x 300) as a DICOM\n"
       "series and as .nii.gz, then reads each RUNS times (default 3) with medsa's\n"
       "readers and with plain ITK in the same process, and prints median and best\n"
       "times and whether both readers agree on voxels and geometry. Files go to DIR\n"
       "(default: a temporary folder, removed afterwards unless --keep): DIR/series\n"
       "and DIR/volume.nii.gz, which the next run in DIR replaces. A DIR/series or\n"
       "DIR/volume.nii.gz that bench-io did not make is never replaced: it refuses.\n",
       runBenchIo});
}

}  // namespace medsa::cli
