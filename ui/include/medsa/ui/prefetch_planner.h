#pragma once

#include <QObject>
#include <QTimer>

#include <cstddef>
#include <optional>
#include <vector>

#include "medsa/core/slice.h"
#include "medsa/ui/engine_controller.h"

namespace medsa::ui {

class Document;
class ToolController;
class ViewerArea;

/// Keeps the engine's prefetch list in step with what the user is likely to click next: the
/// slice on screen, then its neighbours (the way the user is scrolling first), then the first
/// picture of the next case. Recomputed shortly after the user stops moving, so scrolling
/// through a volume does not start an embedding per slice passed.
class PrefetchPlanner : public QObject {
  Q_OBJECT

 public:
  PrefetchPlanner(Document* document, ViewerArea* viewer, ToolController* tools,
                  EngineController* engine, QObject* parent = nullptr);

  /// Neighbouring slices on each side to warm (0: only the slice on screen).
  void setNeighbours(int perSide);
  int neighbours() const { return neighbours_; }
  /// The next case's first picture, warmed after the current case's slices (nullopt: none).
  void setNextCase(std::optional<PrefetchItem> item);
  /// Posts the list at once (cursor moves post it after a short pause).
  void update();
  /// The keys of the list last posted, in order (for the status bar and tests).
  const std::vector<ImageKey>& planned() const { return planned_; }

  /// Slice indices to warm around `current` in a stack of `count`: the current one, then
  /// alternately one step in `direction` and one against it, out to `perSide` on each side.
  static std::vector<std::size_t> sliceOrder(std::size_t current, std::size_t count, int direction,
                                             int perSide);

 private:
  void cursorMoved();

  Document* document_;
  ViewerArea* viewer_;
  ToolController* tools_;
  EngineController* engine_;
  QTimer debounce_;
  int neighbours_ = 2;
  int direction_ = 1;
  std::optional<std::size_t> lastSlice_;
  std::optional<PrefetchItem> nextCase_;
  std::vector<ImageKey> planned_;
};

}  // namespace medsa::ui
