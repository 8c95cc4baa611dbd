#pragma once

#include <string>
#include <vector>

#include "dicom_header.h"
#include "dicom_pixels.h"
#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"

namespace medsa::io {

/// Decodes and stacks the files of one series (or one file) into an Image.
Result<Image> assembleDicom(std::vector<DicomHeader> headers, ProgressSink* progress,
                            CancellationToken cancel, const DecodeOptions& options);

/// readDicomFile() with decoding options (tests force the DCMTK fallback with it).
Result<Image> readDicomFileWith(const std::string& path, const DecodeOptions& options,
                                ProgressSink* progress = nullptr, CancellationToken cancel = {});

}  // namespace medsa::io
