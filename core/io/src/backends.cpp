#include "medsa/io/backends.h"

#include <dcmtk/dcmdata/dcuid.h>
#include <gdcmVersion.h>
#include <itkVersion.h>
#include <opencv2/core/version.hpp>

namespace medsa::io {

std::vector<Backend> imageBackends() {
  // What each library does in this build, and nothing planned (see docs/image-io.md).
  return {
      {"ITK", itk::Version::GetITKVersion(),
       "NRRD, MetaImage and Analyze; NIfTI writing; the plain-ITK readers bench-io compares"},
      {"GDCM", gdcm::Version::GetVersion(),
       "DICOM header values, JPEG, JPEG-LS and JPEG 2000 decompression, series writing"},
      {"DCMTK", OFFIS_DCMTK_VERSION_STRING,
       "DICOM SEG writing and reading; JPEG decoding where GDCM cannot decode a stream"},
      {"OpenCV", CV_VERSION, "PNG, JPEG, TIFF and BMP photographs; PNG writing"},
  };
}

}  // namespace medsa::io
