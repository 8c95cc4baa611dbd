#include "medsa/ui/tool_controller.h"

#include <algorithm>

#include "medsa/annotations/label_edit.h"
#include "medsa/ui/document.h"
#include "medsa/ui/engine_controller.h"

namespace medsa::ui {

using annotations::Mask;

ToolController::ToolController(Document* document, EngineController* engine, QObject* parent)
    : QObject(parent), document_(document), engine_(engine) {
  connect(engine_, &EngineController::predictionReady, this, &ToolController::onPrediction);
  connect(engine_, &EngineController::predictionFailed, this,
          [this](quint64 id, const QString& why) {
            if (anticipation_ && id == anticipation_->id) {
              const bool released = anticipation_->released;
              anticipation_.reset();
              if (!released) return;  // the release asks again, and reports what it gets
            }
            if (id != requestId_) return;
            predicting_ = false;
            emit message(tr("The engine could not segment: %1").arg(why));
            emit overlayChanged();
          });
  // A new image or a window change makes the prompt meaningless (other pixels).
  connect(document_, &Document::imageChanged, this, &ToolController::discard);
  connect(document_, &Document::imageChanged, this, &ToolController::cancelPolygon);
  connect(document_, &Document::windowChanged, this, [this] {
    if (hasPrompt()) requestPrediction();
  });
}

void ToolController::setTool(Tool tool) {
  if (tool == tool_) return;
  if (tool_ == Tool::Ai && tool != Tool::Ai) discard();
  if (tool != Tool::Polygon) cancelPolygon();
  tool_ = tool;
  emit toolChanged(tool);
  emit overlayChanged();
}

void ToolController::setBrushRadius(int radius) {
  radius = std::clamp(radius, 1, 200);
  if (radius == brushRadius_) return;
  brushRadius_ = radius;
  emit brushRadiusChanged(radius);
  emit overlayChanged();
}

float ToolController::candidateIou() const {
  if (candidate_.empty() || candidateIndex_ >= static_cast<int>(prediction_.iou.size())) return 0;
  return prediction_.iou[static_cast<std::size_t>(candidateIndex_)];
}

void ToolController::startPrompt(SliceAxis axis, std::size_t slice, bool keepRequest) {
  if (hasPrompt() && (axis != axis_ || slice != slice_)) {
    if (keepRequest) {
      clearPrompt();
    } else {
      discard();
    }
  }
  axis_ = axis;
  slice_ = slice;
}

void ToolController::log(const QString& kind, QJsonObject detail, double iou) {
  emit interaction(kind, detail, iou);
}

void ToolController::addPoint(SliceAxis axis, std::size_t slice, double x, double y,
                              bool positive) {
  const PromptPoint point{x, y, positive};
  const bool anticipated = anticipates(axis, slice, point, std::nullopt);
  startPrompt(axis, slice, anticipated);
  points_.push_back(point);
  gesture_ = PromptGesture::Click;
  log(QStringLiteral("point"), {{QStringLiteral("axis"), static_cast<int>(axis)},
                                {QStringLiteral("slice"), static_cast<qint64>(slice)},
                                {QStringLiteral("x"), x},
                                {QStringLiteral("y"), y},
                                {QStringLiteral("positive"), positive}});
  requestOrTakeOver(anticipated);
}

void ToolController::setBox(SliceAxis axis, std::size_t slice, const PromptBox& box) {
  const bool anticipated = anticipates(axis, slice, std::nullopt, box);
  startPrompt(axis, slice, anticipated);
  box_ = box;
  gesture_ = PromptGesture::Box;
  log(QStringLiteral("box"), {{QStringLiteral("axis"), static_cast<int>(axis)},
                              {QStringLiteral("slice"), static_cast<qint64>(slice)},
                              {QStringLiteral("x0"), box.x0},
                              {QStringLiteral("y0"), box.y0},
                              {QStringLiteral("x1"), box.x1},
                              {QStringLiteral("y1"), box.y1}});
  requestOrTakeOver(anticipated);
}

void ToolController::requestOrTakeOver(bool anticipated) {
  if (!anticipated) {
    requestPrediction();
    return;
  }
  predicting_ = true;
  requestId_ = anticipation_->id;
  anticipation_->released = true;
  released_.start();
  emit overlayChanged();
  if (std::optional<Prediction> answer = std::move(anticipation_->answer)) {
    onPrediction(requestId_, *answer, 0);
  }
}

Prompt ToolController::promptAfter(SliceAxis axis, std::size_t slice,
                                   const std::optional<PromptPoint>& point,
                                   const std::optional<PromptBox>& box) const {
  // Onto this prompt with its candidate fed back, or (startPrompt) a new one.
  const bool same = hasPrompt() && axis == axis_ && slice == slice_;
  std::vector<PromptPoint> points = same ? points_ : std::vector<PromptPoint>{};
  if (point) points.push_back(*point);
  return promptFor(points, box ? box : (same ? box_ : std::nullopt), same);
}

bool ToolController::anticipates(SliceAxis axis, std::size_t slice,
                                 const std::optional<PromptPoint>& point,
                                 const std::optional<PromptBox>& box) const {
  // The cheap checks first: the prompt (with its fed-back logits) is built only when they hold.
  return isAnticipating() && anticipation_->id == engine_->latestId() &&
         anticipation_->key == document_->imageKey(axis, slice) &&
         anticipation_->prompt == promptAfter(axis, slice, point, box);
}

void ToolController::anticipatePoint(SliceAxis axis, std::size_t slice, double x, double y,
                                     bool positive) {
  anticipate(axis, slice, promptAfter(axis, slice, PromptPoint{x, y, positive}, std::nullopt));
}

void ToolController::anticipateBox(SliceAxis axis, std::size_t slice, const PromptBox& box) {
  anticipate(axis, slice, promptAfter(axis, slice, std::nullopt, box));
}

void ToolController::anticipate(SliceAxis axis, std::size_t slice, Prompt prompt) {
  forgetAnticipation();
  if (tool_ != Tool::Ai || predicting_ || !engine_->hasEngine() || !document_->hasImage()) return;
  ImageKey key = document_->imageKey(axis, slice);
  const quint64 id = engine_->submit(document_->rgbSlice(axis, slice), key, prompt);
  anticipation_ = Anticipation{std::move(key), std::move(prompt), id, std::nullopt, false};
}

void ToolController::forgetAnticipation() {
  if (!isAnticipating()) return;
  if (anticipation_->id == engine_->latestId()) engine_->discard();
  anticipation_.reset();
}

void ToolController::requestPrediction() {
  anticipation_.reset();  // this request replaces it
  emit overlayChanged();
  if (!engine_->hasEngine()) {
    emit message(engine_->isLoading()
                     ? tr("The model is still loading; the prompt will not run yet.")
                     : tr("No model loaded: choose one with File \u2192 Load Model\u2026"));
    return;
  }
  predicting_ = true;
  requestId_ = engine_->submit(document_->rgbSlice(axis_, slice_),
                               document_->imageKey(axis_, slice_), promptFor(points_, box_, true));
}

Prompt ToolController::promptFor(const std::vector<PromptPoint>& points,
                                 const std::optional<PromptBox>& box, bool feedBack) const {
  Prompt prompt;
  prompt.points = points;
  prompt.box = box;
  // One click is ambiguous (a part or the whole?): ask for three candidates, as SAM does.
  prompt.multimask = points.size() == 1 && !box;
  // Feed back the last answer's logits so a correction refines it instead of starting over.
  if (feedBack && !candidate_.empty() &&
      candidateIndex_ < static_cast<int>(prediction_.lowRes.size())) {
    prompt.previous = prediction_.lowRes[static_cast<std::size_t>(candidateIndex_)];
  }
  return prompt;
}

void ToolController::onPrediction(quint64 id, const Prediction& prediction, double latencyMs) {
  if (anticipation_ && id == anticipation_->id) {
    if (!anticipation_->released) {
      anticipation_->answer = prediction;  // shown if the release sends this prompt
      return;
    }
    // The user waited from the release, not from the press that asked.
    latencyMs = static_cast<double>(released_.nsecsElapsed()) / 1e6;
    anticipation_.reset();
  }
  if (id != requestId_ || !hasPrompt()) return;
  predicting_ = false;
  prediction_ = prediction;
  candidateIndex_ = prediction_.count > 0 ? prediction_.best() : 0;
  const std::size_t n =
      static_cast<std::size_t>(prediction_.width) * static_cast<std::size_t>(prediction_.height);
  candidate_.clear();
  if (prediction_.count > 0 && prediction_.masks.size() >= n * prediction_.count) {
    const auto begin = prediction_.masks.begin() + static_cast<std::ptrdiff_t>(candidateIndex_ * n);
    candidate_.assign(begin, begin + static_cast<std::ptrdiff_t>(n));
  }
  lastLatencyMs_ = latencyMs;
  log(QStringLiteral("prediction"),
      {{QStringLiteral("ms"), latencyMs}, {QStringLiteral("candidates"), prediction_.count}},
      candidate_.empty() ? -1 : candidateIou());
  emit latencyMeasured(latencyMs, gesture_);
  emit overlayChanged();
}

void ToolController::nextCandidate() {
  if (candidate_.empty()) {
    emit message(tr("No candidate yet: click a structure or drag a box first."));
    return;
  }
  if (prediction_.count < 2) {
    // SAM answers three candidates for one point only; more points say which one is meant.
    emit message(tr("Only one candidate for several points or a box: click again to correct it."));
    return;
  }
  forgetAnticipation();  // its prompt fed back the candidate shown before
  candidateIndex_ = (candidateIndex_ + 1) % prediction_.count;
  const std::size_t n =
      static_cast<std::size_t>(prediction_.width) * static_cast<std::size_t>(prediction_.height);
  const auto begin = prediction_.masks.begin() + static_cast<std::ptrdiff_t>(candidateIndex_ * n);
  candidate_.assign(begin, begin + static_cast<std::ptrdiff_t>(n));
  log(QStringLiteral("candidate"), {{QStringLiteral("index"), candidateIndex_}}, candidateIou());
  emit message(tr("Candidate %1 of %2 (predicted IoU %3)")
                   .arg(candidateIndex_ + 1)
                   .arg(prediction_.count)
                   .arg(candidateIou(), 0, 'f', 2));
  emit overlayChanged();
}

bool ToolController::activeLabelUsable() {
  const quint16 active = document_->activeLabel();
  if (active == 0 || !document_->labelSet().find(active)) {
    emit message(tr("Choose a label first."));
    return false;
  }
  if (document_->labelSet().isLocked(active)) {
    emit message(tr("The active label is locked; unlock it to edit it."));
    return false;
  }
  return true;
}

bool ToolController::applyMask(SliceAxis axis, std::size_t slice, const Mask& mask, bool erase,
                               const QString& text) {
  Result<annotations::LabelSlice> current = document_->labels().slice(axis, slice);
  if (!current) return false;
  annotations::SliceChange change = annotations::paintChange(
      current.value(), axis, slice, mask, document_->activeLabel(),
      erase ? annotations::PaintMode::Erase : annotations::PaintMode::Paint, document_->labelSet());
  return document_->history()->apply(text, {std::move(change)});
}

bool ToolController::accept() {
  if (candidate_.empty()) {
    emit message(predicting_ ? tr("Wait for the candidate before accepting.")
                             : tr("Nothing to accept: click on the object first."));
    return false;
  }
  if (!activeLabelUsable()) return false;
  const QString name = document_->labelSet().find(document_->activeLabel())->name;
  applyMask(axis_, slice_, candidate_, false, tr("AI segment \u2192 %1").arg(name));
  lastAccepted_ = std::make_pair(axis_, slice_);
  const SliceAxis axis = axis_;
  const std::size_t slice = slice_;
  log(QStringLiteral("accept"),
      {{QStringLiteral("axis"), static_cast<int>(axis)},
       {QStringLiteral("slice"), static_cast<qint64>(slice)},
       {QStringLiteral("label"), document_->activeLabel()},
       {QStringLiteral("pixels"), static_cast<qint64>(annotations::area(candidate_))},
       {QStringLiteral("points"), static_cast<int>(points_.size())},
       {QStringLiteral("box"), box_.has_value()}},
      candidateIou());
  accepting_ = true;  // the prompt goes because it was accepted, not discarded
  discard();
  accepting_ = false;
  emit accepted(axis, slice);
  return true;
}

void ToolController::discard() {
  cancelPolygon();
  anticipation_.reset();
  engine_->discard();
  requestId_ = 0;
  clearPrompt();
}

void ToolController::clearPrompt() {
  const bool had = hasPrompt() || !candidate_.empty();
  points_.clear();
  box_.reset();
  prediction_ = Prediction{};
  candidate_.clear();
  candidateIndex_ = 0;
  predicting_ = false;
  if (had && !accepting_) log(QStringLiteral("discard"), {});
  if (had) emit overlayChanged();
}

void ToolController::beginStroke(SliceAxis axis, std::size_t slice, double x, double y,
                                 bool erase) {
  if (!document_->hasImage()) return;
  if (!erase && !activeLabelUsable()) return;
  const SliceLayout layout = sliceLayout(*document_->image(), axis);
  strokeWidth_ = static_cast<int>(layout.width);
  strokeHeight_ = static_cast<int>(layout.height);
  stroke_.assign(layout.width * layout.height, 0);
  axis_ = axis;
  strokeSlice_ = slice;
  strokeErase_ = erase;
  stroking_ = true;
  lastX_ = x;
  lastY_ = y;
  annotations::paintDisc(stroke_, strokeWidth_, strokeHeight_, x, y, brushRadius_);
  emit overlayChanged();
}

void ToolController::continueStroke(double x, double y) {
  if (!stroking_) return;
  annotations::paintSegment(stroke_, strokeWidth_, strokeHeight_, lastX_, lastY_, x, y,
                            brushRadius_);
  lastX_ = x;
  lastY_ = y;
  emit overlayChanged();
}

void ToolController::endStroke() {
  if (!stroking_) return;
  stroking_ = false;
  if (applyMask(axis_, strokeSlice_, stroke_, strokeErase_,
                strokeErase_ ? tr("Erase stroke") : tr("Brush stroke")))
    log(QStringLiteral("stroke"), {{QStringLiteral("axis"), static_cast<int>(axis_)},
                                   {QStringLiteral("slice"), static_cast<qint64>(strokeSlice_)},
                                   {QStringLiteral("erase"), strokeErase_},
                                   {QStringLiteral("radius"), brushRadius_},
                                   {QStringLiteral("label"), document_->activeLabel()}});
  stroke_.clear();
  emit overlayChanged();
}

void ToolController::addPolygonVertex(SliceAxis axis, std::size_t slice, double x, double y) {
  if (!document_->hasImage()) return;
  if (hasPolygon() && (axis != polygonAxis_ || slice != polygonSlice_)) cancelPolygon();
  polygonAxis_ = axis;
  polygonSlice_ = slice;
  polygonX_.push_back(x);
  polygonY_.push_back(y);
  emit overlayChanged();
}

bool ToolController::closePolygon() {
  if (!hasPolygon()) return false;
  if (polygonX_.size() < 3) {
    emit message(tr("A polygon needs at least three vertices."));
    return false;
  }
  if (!document_->hasImage() || !activeLabelUsable()) return false;
  const SliceLayout layout = sliceLayout(*document_->image(), polygonAxis_);
  Mask mask(layout.width * layout.height, 0);
  annotations::paintPolygon(mask, static_cast<int>(layout.width), static_cast<int>(layout.height),
                            polygonX_, polygonY_);
  const SliceAxis axis = polygonAxis_;
  const std::size_t slice = polygonSlice_;
  cancelPolygon();
  if (!applyMask(axis, slice, mask, false, tr("Polygon fill"))) {
    emit message(tr("The polygon changed nothing."));
    return false;
  }
  log(QStringLiteral("polygon"), {{QStringLiteral("axis"), static_cast<int>(axis)},
                                  {QStringLiteral("slice"), static_cast<qint64>(slice)},
                                  {QStringLiteral("label"), document_->activeLabel()}});
  return true;
}

void ToolController::cancelPolygon() {
  if (!hasPolygon()) return;
  polygonX_.clear();
  polygonY_.clear();
  emit overlayChanged();
}

std::optional<annotations::LabelSlice> ToolController::activeLabelSlice(SliceAxis axis,
                                                                        std::size_t slice) {
  if (!document_->hasImage() || !activeLabelUsable()) return std::nullopt;
  Result<annotations::LabelSlice> current = document_->labels().slice(axis, slice);
  if (!current) return std::nullopt;
  return std::move(current).value();
}

bool ToolController::fillHoles(SliceAxis axis, std::size_t slice) {
  const std::optional<annotations::LabelSlice> current = activeLabelSlice(axis, slice);
  if (!current) return false;
  const Mask mask = annotations::maskOf(*current, document_->activeLabel());
  Mask holes = annotations::holesOf(mask, current->width, current->height);
  // Only background is a hole: pixels of other labels inside the object stay theirs.
  for (std::size_t i = 0; i < holes.size(); ++i) holes[i] &= current->values[i] == 0 ? 1 : 0;
  if (!applyMask(axis, slice, holes, false, tr("Fill holes"))) {
    emit message(tr("No holes to fill on this slice."));
    return false;
  }
  log(QStringLiteral("fill-holes"), {{QStringLiteral("axis"), static_cast<int>(axis)},
                                     {QStringLiteral("slice"), static_cast<qint64>(slice)},
                                     {QStringLiteral("label"), document_->activeLabel()}});
  return true;
}

bool ToolController::removeSmallIslands(SliceAxis axis, std::size_t slice) {
  const std::optional<annotations::LabelSlice> current = activeLabelSlice(axis, slice);
  if (!current) return false;
  const Mask mask = annotations::maskOf(*current, document_->activeLabel());
  const Mask islands = annotations::smallIslandsOf(mask, current->width, current->height,
                                                   static_cast<std::size_t>(islandMinPixels_));
  if (!applyMask(axis, slice, islands, true, tr("Remove small islands"))) {
    emit message(tr("No islands smaller than %1 pixels on this slice.").arg(islandMinPixels_));
    return false;
  }
  log(QStringLiteral("islands"), {{QStringLiteral("axis"), static_cast<int>(axis)},
                                  {QStringLiteral("slice"), static_cast<qint64>(slice)},
                                  {QStringLiteral("label"), document_->activeLabel()}});
  return true;
}

bool ToolController::clearSlice(SliceAxis axis, std::size_t slice) {
  const std::optional<annotations::LabelSlice> current = activeLabelSlice(axis, slice);
  if (!current) return false;
  const Mask mask = annotations::maskOf(*current, document_->activeLabel());
  if (!applyMask(axis, slice, mask, true, tr("Clear slice"))) {
    emit message(tr("The active label is not on this slice."));
    return false;
  }
  log(QStringLiteral("clear-slice"), {{QStringLiteral("axis"), static_cast<int>(axis)},
                                      {QStringLiteral("slice"), static_cast<qint64>(slice)},
                                      {QStringLiteral("label"), document_->activeLabel()}});
  return true;
}

}  // namespace medsa::ui
