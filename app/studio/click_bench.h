#pragma once

#include <QString>

#include <iosfwd>

namespace medsa::ui {
class MainWindow;
}

namespace medsa::app {

struct ClickBenchOptions {
  int clicks = 30;
  /// Clicks after the background trainer started a long training on the demo project: it
  /// pauses between steps after the first click, as for any prompt, so this measures what a user
  /// meets (the step in flight, then the pause).
  bool whileTraining = false;
  /// Correction clicks after each first click, on the same object (negative and positive
  /// points; the app sends the earlier points and the last answer's mask with each).
  int corrections = 0;
  /// Milliseconds between each click's press and its release, as a hand holds the button (the
  /// engine starts on the point when it goes down).
  int holdMs = 0;
  /// Boxes dragged around the same objects after the clicks (eight moves 16 ms apart, then the
  /// hold before the release), timed from the release as the clicks are.
  int boxes = 0;
};

/// `medsa-studio --bench-clicks N [--bench-while-training] [--bench-corrections C]
/// [--bench-hold MS] [--bench-boxes B]`: opens the demo phantom with the
/// loaded model, turns the AI tool on and sends N left clicks (press and release) to the axial
/// view at points inside its structures, each a new first click on a picture already encoded,
/// once the engine has finished warming up the neighbouring slices; with `corrections`, each
/// first click is followed by that many correction clicks on the same object, timed apart; with
/// `holdMs`, every click's button is held that long before its release; with `boxes`, that
/// many boxes are dragged around the objects and timed apart.
/// Per click it measures, by the app's own clock, mouse release -> the view has painted the
/// candidate (end to end), and the engine's part (request -> answer, as the status bar shows
/// it). Prints one JSON line: clicks, p50/p95 of both, the overhead (end to end minus engine),
/// the model, the same for correction clicks, and with training the trainer's steps taken
/// meanwhile. Returns the exit status.
int runClickBench(ui::MainWindow& window, const ClickBenchOptions& options, std::ostream& out);

}  // namespace medsa::app
