#include "click_bench.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QMouseEvent>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <array>
#include <functional>
#include <ostream>
#include <vector>

#include "kidney_project.h"
#include "medsa/core/json.h"
#include "medsa/ui/document.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/trainer_client.h"
#include "medsa/ui/trainer_panel.h"
#include "medsa/ui/viewer_area.h"

namespace medsa::app {
namespace {

using State = ui::TrainerStatus::State;

// Handles events for `ms` milliseconds, to the millisecond (waitUntil's ticks are 20 ms).
void holdFor(int ms) {
  bool done = false;
  QTimer::singleShot(ms, Qt::PreciseTimer, [&done] { done = true; });
  while (!done) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
}

// Sleeps in the event loop as the app does between events (a polling loop would keep a core
// busy and slow the engine it measures); the tick wakes it to notice a timeout.
bool waitUntil(const std::function<bool()>& done, int ms) {
  QElapsedTimer clock;
  clock.start();
  QTimer tick;
  tick.start(20);
  while (!done()) {
    if (clock.elapsed() > ms) return false;
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
  }
  return true;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = p * static_cast<double>(values.size() - 1);
  const auto low = static_cast<std::size_t>(rank);
  const std::size_t high = std::min(low + 1, values.size() - 1);
  return values[low] + (rank - static_cast<double>(low)) * (values[high] - values[low]);
}

/// Times every paint of the view: it paints the event itself, so the time recorded is when the
/// painting is done.
class PaintClock : public QObject {
 public:
  explicit PaintClock(const QElapsedTimer& clock) : clock_(clock) {}
  qint64 lastPaintEnd = -1;  ///< clock nanoseconds

  bool eventFilter(QObject* watched, QEvent* event) override {
    if (event->type() != QEvent::Paint) return false;
    watched->removeEventFilter(this);
    watched->event(event);
    watched->installEventFilter(this);
    lastPaintEnd = clock_.nsecsElapsed();
    return true;
  }

 private:
  const QElapsedTimer& clock_;
};

struct PhantomClick {
  std::array<std::size_t, 3> voxel;
  bool positive;
};

// Objects of the demo phantom on one axial slice, each a first click and the corrections a user
// might make after it (taking out a neighbour, adding a missed part), in the phantom's voxels
// (demo_phantom.cpp).
const std::array<std::vector<PhantomClick>, 4> kObjects{{
    {{{64, 74, 44}, true}, {{56, 66, 44}, false}, {{40, 80, 44}, true}, {{104, 98, 44}, false}},
    {{{58, 80, 44}, true}, {{70, 62, 44}, true}, {{100, 60, 44}, false}, {{50, 92, 44}, true}},
    {{{128, 64, 44}, true}, {{104, 98, 44}, false}, {{136, 72, 44}, true}, {{96, 124, 44}, false}},
    {{{56, 66, 44}, true}, {{64, 74, 44}, false}, {{54, 64, 44}, true}, {{60, 70, 44}, true}},
}};

class ClickBench {
 public:
  ClickBench(ui::MainWindow& window, const ClickBenchOptions& options, std::ostream& out)
      : window_(window), options_(options), out_(out) {}

  int run() {
    window_.openDemo();
    if (!waitUntil(
            [this] { return !window_.engine()->isLoading() && window_.document()->hasImage(); },
            120000) ||
        !window_.engine()->hasEngine()) {
      return fail("no model is loaded (the starter model ships with the app; --model FILE)");
    }
    QTemporaryDir dir;
    std::size_t stepsBefore = 0;
    if (!openProject(dir) || (options_.whileTraining && !startTraining(stepsBefore))) return 1;

    ui::ToolController& tools = *window_.tools();
    ui::SliceView* axial = window_.viewerArea()->view(SliceAxis::Axial);
    ui::Document& document = *window_.document();
    tools.setTool(ui::Tool::Ai);
    axial->setFocus();
    clock_.start();
    // The candidate is in when the engine's latency is reported (just before the views are
    // asked to repaint).
    // context_ ends the connections with this object (queued signals may still come after).
    QObject::connect(&tools, &ui::ToolController::latencyMeasured, &context_, [this](double ms) {
      answerMs_ = ms;
      engineMs_ = window_.engine()->lastEngineMs();
      candidateAt_ = clock_.nsecsElapsed();
    });
    const auto working = [this] { lastEmbeddingWork_ = clock_.nsecsElapsed(); };
    QObject::connect(window_.engine(), &ui::EngineController::embeddingProgress, &context_,
                     working);
    QObject::connect(window_.engine(), &ui::EngineController::embeddingFinished, &context_,
                     working);
    PaintClock paints(clock_);
    axial->installEventFilter(&paints);

    // Where each object's clicks are on the view; then the cursor stays put (moving it would
    // make the engine warm up other coronal and sagittal slices behind the clicks, which a
    // click does not do).
    const std::vector<std::vector<ViewClick>> objects = placeClicks(document, *axial);
    document.setCursor(kObjects.front().front().voxel);
    std::vector<double> endToEnd, engine, answer, fromPress;
    std::vector<double> correctionEndToEnd, correctionEngine, correctionAnswer, correctionFromPress;
    for (int i = -1; i < options_.clicks; ++i) {  // click -1 computes the embedding: not counted
      const std::vector<ViewClick>& object =
          objects[static_cast<std::size_t>(i + 1) % objects.size()];
      tools.discard();
      waitUntil([] { return false; }, 20);  // the discard painted, events settled
      if (!click(*axial, paints, object.front(), i + 2)) return 1;
      if (i < 0) {
        // The engine warms up neighbouring slices after the first click: measure once it is
        // quiet, so every click meets the same engine (a second without embedding work).
        waitUntil([this] { return clock_.nsecsElapsed() - lastEmbeddingWork_ > 1'000'000'000; },
                  120000);
        continue;
      }
      endToEnd.push_back(lastEndToEndMs_);
      engine.push_back(engineMs_);
      answer.push_back(answerMs_);
      fromPress.push_back(lastFromPressMs_);
      // Corrections on the same object, as users go on: the earlier points and the last
      // answer's mask go with each of them.
      for (int c = 0; c < options_.corrections; ++c) {
        const ViewClick& next = object[1 + static_cast<std::size_t>(c) % (object.size() - 1)];
        // A user looks at the answer before correcting it (a second or so; the engine works
        // ahead meanwhile, once the answer is painted).
        waitUntil([] { return false; }, 100);
        if (!click(*axial, paints, next, i + 2)) return 1;
        correctionEndToEnd.push_back(lastEndToEndMs_);
        correctionEngine.push_back(engineMs_);
        correctionAnswer.push_back(answerMs_);
        correctionFromPress.push_back(lastFromPressMs_);
      }
    }
    // Boxes around the same objects, dragged as a hand drags them (then resting for the hold).
    std::vector<double> boxEndToEnd, boxEngine;
    for (int b = 0; b < options_.boxes; ++b) {
      tools.discard();
      waitUntil([] { return false; }, 20);
      const QPointF centre =
          axial->toPixel(objects[static_cast<std::size_t>(b) % objects.size()].front().at);
      const QPointF reach(kBoxHalfSide, kBoxHalfSide);
      if (!drag(*axial, paints, axial->toWidget(centre - reach), axial->toWidget(centre + reach),
                b + 1))
        return 1;
      boxEndToEnd.push_back(lastEndToEndMs_);
      boxEngine.push_back(engineMs_);
    }
    tools.discard();
    axial->removeEventFilter(&paints);

    Json::Object report{{"clicks", options_.clicks},
                        {"model", window_.engine()->engineName().toStdString()},
                        {"p50_ms", percentile(endToEnd, 0.5)},
                        {"p95_ms", percentile(endToEnd, 0.95)},
                        {"engine_p50_ms", percentile(engine, 0.5)},
                        {"engine_p95_ms", percentile(engine, 0.95)},
                        {"answer_p50_ms", percentile(answer, 0.5)},
                        {"answer_p95_ms", percentile(answer, 0.95)},
                        {"from_press_p50_ms", percentile(fromPress, 0.5)},
                        {"overhead_p50_ms", percentile(endToEnd, 0.5) - percentile(engine, 0.5)},
                        {"while_training", options_.whileTraining},
                        {"corrections_per_object", options_.corrections},
                        {"hold_ms", options_.holdMs},
                        {"held_p50_ms", percentile(held_, 0.5)}};
    if (options_.corrections > 0) {
      report["correction_p50_ms"] = percentile(correctionEndToEnd, 0.5);
      report["correction_p95_ms"] = percentile(correctionEndToEnd, 0.95);
      report["correction_engine_p50_ms"] = percentile(correctionEngine, 0.5);
      report["correction_engine_p95_ms"] = percentile(correctionEngine, 0.95);
      report["correction_answer_p50_ms"] = percentile(correctionAnswer, 0.5);
      report["correction_answer_p95_ms"] = percentile(correctionAnswer, 0.95);
      report["correction_from_press_p50_ms"] = percentile(correctionFromPress, 0.5);
      report["correction_overhead_p50_ms"] =
          percentile(correctionEndToEnd, 0.5) - percentile(correctionEngine, 0.5);
    }
    if (options_.boxes > 0) {
      report["boxes"] = options_.boxes;
      report["box_p50_ms"] = percentile(boxEndToEnd, 0.5);
      report["box_p95_ms"] = percentile(boxEndToEnd, 0.95);
      report["box_engine_p50_ms"] = percentile(boxEngine, 0.5);
      report["box_engine_p95_ms"] = percentile(boxEngine, 0.95);
    }
    if (options_.whileTraining) {
      ui::TrainerClient* trainer = window_.trainer();
      report["training_steps_meanwhile"] =
          static_cast<double>(trainer->lossCurve().size() - stepsBefore);
      report["training_state"] = ui::TrainerPanel::stateText(trainer->status()).toStdString();
      trainer->stop();
      waitUntil(
          [trainer] {
            return trainer->status().state != State::Training &&
                   trainer->status().state != State::Paused;
          },
          60000);
    }
    window_.project()->close();
    out_ << Json(report).dump() << '\n';
    return 0;
  }

 private:
  struct ViewClick {
    QPointF at;     ///< widget coordinates on the axial view
    bool positive;  ///< left button; right button for a negative point
  };

  static std::vector<std::vector<ViewClick>> placeClicks(ui::Document& document,
                                                         ui::SliceView& axial) {
    std::vector<std::vector<ViewClick>> objects;
    for (const auto& object : kObjects) {
      std::vector<ViewClick>& clicks = objects.emplace_back();
      for (const PhantomClick& phantom : object) {
        document.setCursor(phantom.voxel);
        const auto plane = document.cursorInPlane(SliceAxis::Axial);
        clicks.push_back(
            {axial.toWidget(QPointF(plane[0] + 0.5, plane[1] + 0.5)), phantom.positive});
      }
    }
    return objects;
  }

  /// Presses and releases a button at `where`, then waits until the view has painted the
  /// candidate; lastEndToEndMs_, lastFromPressMs_, engineMs_ and answerMs_ hold its times.
  bool click(ui::SliceView& axial, const PaintClock& paints, const ViewClick& where, int number) {
    const Qt::MouseButton button = where.positive ? Qt::LeftButton : Qt::RightButton;
    press(axial, where.at, button);
    if (options_.holdMs > 0) holdFor(options_.holdMs);
    held_.push_back(static_cast<double>(clock_.nsecsElapsed() - pressedAt_) / 1e6);
    return release(axial, paints, where.at, button, "click " + std::to_string(number));
  }

  /// A left-button drag from `from` to `to` in kBoxMoves moves a display frame apart, resting
  /// at `to` for the hold before the release; then as click().
  bool drag(ui::SliceView& axial, const PaintClock& paints, QPointF from, QPointF to, int number) {
    press(axial, from, Qt::LeftButton);
    for (int step = 1; step <= kBoxMoves; ++step) {
      holdFor(kFrameMs);
      const QPointF at = from + (to - from) * (static_cast<double>(step) / kBoxMoves);
      QMouseEvent move(QEvent::MouseMove, at, axial.mapToGlobal(at), Qt::NoButton, Qt::LeftButton,
                       Qt::NoModifier);
      QApplication::sendEvent(&axial, &move);
    }
    if (options_.holdMs > 0) holdFor(options_.holdMs);
    return release(axial, paints, to, Qt::LeftButton, "box " + std::to_string(number));
  }

  /// Sends a press; pressedAt_ holds when, by the bench's clock.
  void press(ui::SliceView& axial, QPointF at, Qt::MouseButton button) {
    engineMs_ = -1;
    candidateAt_ = -1;
    QMouseEvent event(QEvent::MouseButtonPress, at, axial.mapToGlobal(at), button, button,
                      Qt::NoModifier);
    pressedAt_ = clock_.nsecsElapsed();
    QApplication::sendEvent(&axial, &event);
  }

  /// Sends the release, then waits until the view has painted the candidate.
  bool release(ui::SliceView& axial, const PaintClock& paints, QPointF at, Qt::MouseButton button,
               const std::string& what) {
    QMouseEvent event(QEvent::MouseButtonRelease, at, axial.mapToGlobal(at), button, Qt::NoButton,
                      Qt::NoModifier);
    const qint64 released = clock_.nsecsElapsed();
    QApplication::sendEvent(&axial, &event);
    const auto painted = [&] { return candidateAt_ >= 0 && paints.lastPaintEnd > candidateAt_; };
    if (!waitUntil(painted, 120000)) {
      return fail(what + (candidateAt_ < 0 ? " got no candidate" : " was not painted")) == 0;
    }
    lastEndToEndMs_ = static_cast<double>(paints.lastPaintEnd - released) / 1e6;
    lastFromPressMs_ = static_cast<double>(paints.lastPaintEnd - pressedAt_) / 1e6;
    return true;
  }

  static constexpr int kBoxMoves = 8;         ///< mouse moves of a box drag
  static constexpr int kFrameMs = 16;         ///< between two of them (a 60 Hz mouse)
  static constexpr double kBoxHalfSide = 14;  ///< slice pixels from a box's centre to its sides

  // A project the trainer can train on, open in the window in both modes (its panels change
  // the views' sizes, and with them the painting's cost), so the two differ only by training.
  bool openProject(const QTemporaryDir& dir) {
    ui::TrainerClient* trainer = window_.trainer();
    if (!trainer) return fail("this window has no trainer") == 0;
    const Result<QString> project = makeKidneyProject(dir.path());
    if (!project) return fail(project.error().describe()) == 0;
    window_.project()->open(project.value());
    if (!waitUntil(
            [this, trainer] {
              return window_.project()->isOpen() && trainer->status().state == State::Idle;
            },
            30000))
      return fail("the demo project did not open") == 0;
    return true;
  }

  // A long run started: the clicks come while it trains (it pauses after the first of them,
  // as it does for any prompt, between two steps).
  bool startTraining(std::size_t& stepsBefore) {
    ui::TrainerClient* trainer = window_.trainer();
    trainer->trainNow();
    if (!waitUntil(
            [trainer] {
              return trainer->lossCurve().size() >= 2 || trainer->status().state == State::Failed;
            },
            300000) ||
        trainer->status().state == State::Failed)
      return fail("training did not start: " + trainer->status().message.toStdString()) == 0;
    stepsBefore = trainer->lossCurve().size();
    return true;
  }

  int fail(const std::string& reason) {
    out_ << Json(Json::Object{{"error", reason}}).dump() << '\n';
    return 1;
  }

  ui::MainWindow& window_;
  ClickBenchOptions options_;
  std::ostream& out_;
  QElapsedTimer clock_;
  QObject context_;  ///< the receiver of this run's connections
  double engineMs_ = -1, answerMs_ = -1, lastEndToEndMs_ = -1;
  // The engine may start at the press (the click's point is known then), so it is press ->
  // painted, not release -> painted, that contains the engine's time.
  double lastFromPressMs_ = -1;
  qint64 pressedAt_ = 0;          ///< clock nanoseconds of the last press
  std::vector<double> held_;      ///< press -> release of every click, ms
  qint64 candidateAt_ = -1;       ///< clock nanoseconds when the last candidate came in
  qint64 lastEmbeddingWork_ = 0;  ///< clock nanoseconds of the last embedding progress
};

}  // namespace

int runClickBench(ui::MainWindow& window, const ClickBenchOptions& options, std::ostream& out) {
  return ClickBench(window, options, out).run();
}

}  // namespace medsa::app
