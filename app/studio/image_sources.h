#pragma once

#include "medsa/ui/main_window.h"

namespace medsa::app {

/// The UI's image reader on medsa_io: image files and DICOM folders, a folder's series chosen
/// by its SeriesInstanceUID.
ui::ImageReader makeImageReader();

/// The UI's series scanner on medsa_io's scanDicomFolder (headers only), for the series picker.
ui::SeriesScanner makeSeriesScanner();

}  // namespace medsa::app
