#include "medsa/ui/prefetch_planner.h"

#include "medsa/ui/document.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"

namespace medsa::ui {
namespace {

// Long enough to skip the slices a wheel scroll passes, short enough to feel immediate.
constexpr int kSettleMs = 150;

}  // namespace

PrefetchPlanner::PrefetchPlanner(Document* document, ViewerArea* viewer, ToolController* tools,
                                 EngineController* engine, QObject* parent)
    : QObject(parent), document_(document), viewer_(viewer), tools_(tools), engine_(engine) {
  debounce_.setSingleShot(true);
  debounce_.setInterval(kSettleMs);
  connect(&debounce_, &QTimer::timeout, this, &PrefetchPlanner::update);
  connect(document_, &Document::cursorChanged, this, &PrefetchPlanner::cursorMoved);
  connect(document_, &Document::windowChanged, &debounce_, qOverload<>(&QTimer::start));
  connect(document_, &Document::imageChanged, this, [this] {
    lastSlice_.reset();
    nextCase_.reset();  // it was the previous image's next case
    debounce_.start();
  });
  connect(viewer_, &ViewerArea::activeAxisChanged, &debounce_, qOverload<>(&QTimer::start));
  connect(tools_, &ToolController::toolChanged, this, &PrefetchPlanner::update);
  connect(engine_, &EngineController::engineLoaded, this, &PrefetchPlanner::update);
}

void PrefetchPlanner::setNeighbours(int perSide) {
  neighbours_ = std::max(0, perSide);
  update();
}

void PrefetchPlanner::setNextCase(std::optional<PrefetchItem> item) {
  nextCase_ = std::move(item);
  update();
}

void PrefetchPlanner::cursorMoved() {
  if (!document_->hasImage()) return;
  const std::size_t slice = document_->sliceIndex(viewer_->activeAxis());
  if (lastSlice_ && slice != *lastSlice_) direction_ = slice > *lastSlice_ ? 1 : -1;
  lastSlice_ = slice;
  debounce_.start();
}

void PrefetchPlanner::update() {
  debounce_.stop();
  std::vector<PrefetchItem> items;
  // Embeddings only pay off when clicks may follow: AI tool on, a model loaded.
  if (document_->hasImage() && engine_->hasEngine() && tools_->tool() == Tool::Ai) {
    const SliceAxis axis = viewer_->activeAxis();
    const std::string imageId = document_->imageId().toStdString();
    for (std::size_t slice : sliceOrder(document_->sliceIndex(axis), document_->sliceCount(axis),
                                        direction_, neighbours_)) {
      items.push_back(
          slicePrefetchItem(document_->image(), imageId, axis, slice, document_->window()));
    }
    if (nextCase_) items.push_back(*nextCase_);
  }
  planned_.clear();
  for (const PrefetchItem& item : items) planned_.push_back(item.key);
  engine_->prefetch(std::move(items));
}

std::vector<std::size_t> PrefetchPlanner::sliceOrder(std::size_t current, std::size_t count,
                                                     int direction, int perSide) {
  std::vector<std::size_t> order;
  if (count == 0 || current >= count) return order;
  order.push_back(current);
  const long long step = direction < 0 ? -1 : 1;
  for (long long distance = 1; distance <= perSide; ++distance) {
    for (long long side : {step, -step}) {
      const long long slice = static_cast<long long>(current) + side * distance;
      if (slice >= 0 && slice < static_cast<long long>(count))
        order.push_back(static_cast<std::size_t>(slice));
    }
  }
  return order;
}

}  // namespace medsa::ui
