#include "medsa/io/backends.h"

#include <dcmtk/dcmdata/dcuid.h>
#include <gdcmVersion.h>
#include <itkVersion.h>
#include <opencv2/core/version.hpp>

namespace medsa::io {

std::vector<Backend> imageBackends() {
  return {
      {"ITK", itk::Version::GetITKVersion(), "NIfTI, NRRD, MetaImage, DICOM series geometry"},
      {"GDCM", gdcm::Version::GetVersion(), "DICOM parsing and decompression"},
      {"DCMTK", OFFIS_DCMTK_VERSION_STRING, "12-bit JPEG fallback, DICOM SEG"},
      {"OpenCV", CV_VERSION, "PNG, JPEG, TIFF and BMP photographs"},
  };
}

}  // namespace medsa::io
