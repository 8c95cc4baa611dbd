#pragma once

#include "medsa/ui/main_window.h"

namespace medsa::app {

/// Gives `window` its image reader and series scanner on medsa_io: image files and DICOM
/// folders, a folder's series chosen by its SeriesInstanceUID in the picker. The two share the
/// last folder scan, so choosing a series reads its files without scanning the folder again.
void installImageSources(ui::MainWindow& window);

}  // namespace medsa::app
