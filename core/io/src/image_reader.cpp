#include "medsa/io/image_reader.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "file_bytes.h"
#include "medsa/core/slice.h"
#include "medsa/io/dicom.h"
#include "readers.h"

namespace medsa::io {
namespace {
namespace fs = std::filesystem;

/// Extensions each format is usually saved with, for the misnamed-file warning.
bool extensionFits(FileFormat format, const std::string& ext) {
  switch (format) {
    case FileFormat::Dicom:
      return ext.empty() || ext == ".dcm" || ext == ".dicom" || ext == ".ima" ||
             std::all_of(ext.begin() + 1, ext.end(), [](char c) { return std::isdigit(c); });
    case FileFormat::Nifti1:
      return ext == ".nii" || ext == ".nii.gz" || ext == ".hdr" || ext == ".img" ||
             ext == ".img.gz" || ext == ".hdr.gz";
    case FileFormat::Nifti2:
      return ext == ".nii" || ext == ".nii.gz";
    case FileFormat::Nrrd:
      return ext == ".nrrd" || ext == ".nhdr";
    case FileFormat::MetaImage:
      return ext == ".mha" || ext == ".mhd";
    case FileFormat::Png:
      return ext == ".png";
    case FileFormat::Jpeg:
      return ext == ".jpg" || ext == ".jpeg" || ext == ".jpe" || ext == ".jfif";
    case FileFormat::Tiff:
      return ext == ".tif" || ext == ".tiff";
    case FileFormat::Bmp:
      return ext == ".bmp" || ext == ".dib";
    case FileFormat::Unknown:
      break;
  }
  return true;
}

/// Keeps only time point `volume` of a 4D image (all of it for -1).
Result<Image> selectVolume(Image image, int volume, const std::string& path) {
  if (volume < 0) return image;
  if (volume == 0 && image.size(3) == 1) return image;
  Result<Image> one = extractVolume(image, static_cast<std::size_t>(volume));
  if (!one) return Error{one.error().code, one.error().message, path};
  return one;
}

Result<Image> readFolder(const std::string& path, const ReadOptions& options, ProgressSink* sink,
                         CancellationToken cancel) {
  ProgressScope scanProgress(sink, 0, 0.2, cancel);
  struct Forward : ProgressSink {
    ProgressScope* scope = nullptr;
    bool report(double fraction, std::string_view stage) override {
      return scope->update(fraction, stage);
    }
  };
  Forward scanSink;
  scanSink.scope = &scanProgress;
  Result<DicomScan> scan = scanDicomFolder(path, sink ? &scanSink : nullptr, cancel);
  if (!scan) return scan.error();
  const DicomSeriesInfo* chosen = &scan->series.front();
  if (!options.series.empty()) {
    chosen = nullptr;
    std::size_t index = 0;
    const char* end = options.series.data() + options.series.size();
    const bool isIndex = std::from_chars(options.series.data(), end, index).ptr == end;
    for (std::size_t i = 0; i < scan->series.size(); ++i) {
      if ((isIndex && i == index) || scan->series[i].seriesInstanceUid == options.series) {
        chosen = &scan->series[i];
        break;
      }
    }
    if (!chosen) {
      return Error{ErrorCode::InvalidArgument,
                   "no series '" + options.series + "' in this folder (it has " +
                       std::to_string(scan->series.size()) + ")",
                   path};
    }
  }
  ProgressScope readProgress(sink, 0.2, 1, cancel);
  Forward readSink;
  readSink.scope = &readProgress;
  Result<Image> image = readDicomSeries(*chosen, sink ? &readSink : nullptr, cancel);
  if (!image) return image.error();
  return selectVolume(std::move(image).value(), options.volume, path);
}

}  // namespace

Result<Image> readImage(const std::string& path, const ReadOptions& options, ProgressSink* sink,
                        CancellationToken cancel) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return readFolder(path, options, sink, cancel);
  Result<FileFormat> detected = detectFormat(path);
  if (!detected) return detected.error();
  const FileFormat format = detected.value();
  Result<Image> image = Error{ErrorCode::Internal, "unreachable", path};
  switch (format) {
    case FileFormat::Dicom:
      image = readDicomFile(path, sink, cancel);
      break;
    case FileFormat::Nifti1:
    case FileFormat::Nifti2:
      image = readNifti(path);
      break;
    case FileFormat::Nrrd:
    case FileFormat::MetaImage:
      image = readItkVolume(path, format);
      break;
    case FileFormat::Png:
    case FileFormat::Jpeg:
    case FileFormat::Tiff:
    case FileFormat::Bmp:
      image = readPhoto(path, format);
      break;
    case FileFormat::Unknown:
      return Error{ErrorCode::NotAnImage,
                   "not an image medsa reads (DICOM, NIfTI, NRRD, MetaImage, PNG, JPEG, TIFF or "
                   "BMP): its content matches none of them",
                   path};
  }
  if (!image) return image.error();
  const std::string ext = lowerExtension(path);
  if (!extensionFits(format, ext)) {
    image->metadata.warnings.push_back("the file is named " + ext + " but holds " +
                                       std::string(fileFormatName(format)) + " data");
  }
  return selectVolume(std::move(image).value(), options.volume, path);
}

}  // namespace medsa::io
