// Fuzz builds only (MEDSA_FUZZERS, clang): Debian's ITK 5.2 headers accept no compiler but GCC
// (itk_compiler_detection.h: "Unsupported compiler"), so the ITK translation units are left out
// there and these report that ITK is missing. The paths fuzzed (DICOM, NIfTI, photographs) do
// not go through ITK; NRRD, MetaImage and Analyze files are refused in that build.
#include "medsa/io/backends.h"
#include "medsa/io/itk_reference.h"
#include "readers.h"
#include "writers.h"

namespace medsa::io {
namespace {

Error noItk(const std::string& path) {
  return Error{ErrorCode::Unavailable, "ITK is not part of this (clang fuzz) build", path};
}

}  // namespace

std::vector<Backend> imageBackends() { return {}; }
Result<Image> readItkVolume(const std::string& path, FileFormat) { return noItk(path); }
Status writeItkVolume(const Image&, const std::string& path) { return noItk(path); }
Result<Image> readDicomSeriesWithItk(const std::string& folder) { return noItk(folder); }
Result<Image> readVolumeWithItk(const std::string& path) { return noItk(path); }

}  // namespace medsa::io
