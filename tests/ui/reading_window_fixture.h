#pragma once
// A window that reads real image files (medsa_io), with the fake engine, for the project tests.

#include <QString>

#include "fake_engine.h"
#include "medsa/io/image_reader.h"
#include "medsa/ui/main_window.h"
#include "window_fixture.h"

/// Shows `window` reading files through medsa_io, with the fake engine and autosaves in
/// `autosaveFolder` (showSphereWithEngine).
inline void showReadingWindow(medsa::ui::MainWindow& window, const QString& autosaveFolder) {
  window.setImageReader([](const std::string& path, const std::string& series,
                           medsa::ProgressSink* progress, medsa::CancellationToken cancel) {
    medsa::io::ReadOptions options;
    options.series = series;
    return medsa::io::readImage(path, options, progress, std::move(cancel));
  });
  showSphereWithEngine(window, autosaveFolder,
                       []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
                         return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
                       });
}
