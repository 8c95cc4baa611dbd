#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <optional>
#include <vector>

#include "medsa/annotations/mask_ops.h"
#include "medsa/core/prompt.h"
#include "medsa/core/segmentation_engine.h"
#include "medsa/core/slice.h"

namespace medsa::ui {

class Document;
class EngineController;

enum class Tool { Navigate, Ai, Brush, Eraser, Polygon };
/// The gesture whose prompt the engine answered last: a click (a point) or a box.
enum class PromptGesture { Click, Box };

/// The annotation tools and their state: AI prompts with the candidate they produced, brush and
/// eraser strokes, and the slice operations. Views feed it positions in display pixels of one
/// plane's slice; every change to the label map becomes one named undo step.
class ToolController : public QObject {
  Q_OBJECT

 public:
  ToolController(Document* document, EngineController* engine, QObject* parent = nullptr);

  Tool tool() const { return tool_; }
  void setTool(Tool tool);
  int brushRadius() const { return brushRadius_; }
  void setBrushRadius(int radius);
  int islandMinPixels() const { return islandMinPixels_; }

  // --- AI prompts, on one plane and slice at a time ---
  bool hasPrompt() const { return !points_.empty() || box_.has_value(); }
  SliceAxis promptAxis() const { return axis_; }
  std::size_t promptSlice() const { return slice_; }
  const std::vector<PromptPoint>& points() const { return points_; }
  const std::optional<PromptBox>& box() const { return box_; }
  void addPoint(SliceAxis axis, std::size_t slice, double x, double y, bool positive);
  void setBox(SliceAxis axis, std::size_t slice, const PromptBox& box);
  /// The button went down, or a box drag moved, where releasing it would add this point or set
  /// this box: the engine starts at once on the prompt the release would send, so its answer
  /// can be ready when the button comes up (a click holds it for tens of milliseconds, and a
  /// drag usually stops before it ends). Nothing shows and nothing is logged until addPoint or
  /// setBox sends that very prompt for the same picture while it is still the engine's latest
  /// request: then they take its answer over instead of asking again. Not while an answer is
  /// awaited: its reply would be pushed out, and the gesture may never make a prompt.
  void anticipatePoint(SliceAxis axis, std::size_t slice, double x, double y, bool positive);
  void anticipateBox(SliceAxis axis, std::size_t slice, const PromptBox& box);
  /// The gesture makes no such prompt after all (a press that became a box drag, a box too
  /// small to set): the engine's answer to it is not wanted.
  void forgetAnticipation();
  /// Whether an answer started by a press or a drag waits for its release.
  bool isAnticipating() const { return anticipation_ && !anticipation_->released; }
  /// The shown candidate (empty when none), its index and how many there are.
  const annotations::Mask& candidate() const { return candidate_; }
  int candidateIndex() const { return candidateIndex_; }
  int candidateCount() const { return prediction_.count; }
  float candidateIou() const;
  bool isPredicting() const { return predicting_; }
  void nextCandidate();
  /// Writes the candidate into the active label (locked labels untouched); false when nothing
  /// was there to accept or the active label is locked.
  bool accept();
  void discard();
  double lastLatencyMs() const { return lastLatencyMs_; }

  // --- brush and eraser ---
  void beginStroke(SliceAxis axis, std::size_t slice, double x, double y, bool erase);
  void continueStroke(double x, double y);
  void endStroke();
  bool isStroking() const { return stroking_; }
  bool strokeErases() const { return strokeErase_; }
  SliceAxis strokeAxis() const { return axis_; }
  std::size_t strokeSlice() const { return strokeSlice_; }
  const annotations::Mask& strokeMask() const { return stroke_; }

  // --- polygon / lasso: vertices on one plane and slice, filled into the active label ---
  void addPolygonVertex(SliceAxis axis, std::size_t slice, double x, double y);
  /// Fills the polygon into the active label (locked labels untouched) as one undo step; false
  /// when it has fewer than three vertices, fills nothing or the active label is unusable.
  bool closePolygon();
  void cancelPolygon();
  bool hasPolygon() const { return !polygonX_.empty(); }
  SliceAxis polygonAxis() const { return polygonAxis_; }
  std::size_t polygonSlice() const { return polygonSlice_; }
  const std::vector<double>& polygonX() const { return polygonX_; }
  const std::vector<double>& polygonY() const { return polygonY_; }

  // --- slice operations on the active label ---
  bool fillHoles(SliceAxis axis, std::size_t slice);
  bool removeSmallIslands(SliceAxis axis, std::size_t slice);
  bool clearSlice(SliceAxis axis, std::size_t slice);

  /// Where the last accepted object is, for propagation.
  std::optional<std::pair<SliceAxis, std::size_t>> lastAccepted() const { return lastAccepted_; }

 signals:
  void toolChanged(medsa::ui::Tool tool);
  void brushRadiusChanged(int radius);
  /// Prompts, candidate or stroke changed: views repaint.
  void overlayChanged();
  /// A short note for the status bar (why something did not happen, latency, ...).
  void message(const QString& text);
  void accepted(medsa::SliceAxis axis, std::size_t slice);
  /// The engine answered: milliseconds from the release of `gesture` to the answer.
  void latencyMeasured(double milliseconds, medsa::ui::PromptGesture gesture);
  /// Something the user did with a tool, for the interaction log: "point", "box",
  /// "prediction", "candidate", "accept", "discard", "stroke", "polygon", "fill-holes",
  /// "islands", "clear-slice"; `iou` is the predicted IoU concerned (negative: none).
  void interaction(const QString& kind, const QJsonObject& detail, double iou);

 private:
  /// The slice's labels when the active label may be edited there (else a message, nullopt).
  std::optional<annotations::LabelSlice> activeLabelSlice(SliceAxis axis, std::size_t slice);
  /// Begins prompting on this plane and slice; a prompt elsewhere is discarded, and with it the
  /// engine's outstanding request unless `keepRequest` (the request is the new prompt's own).
  void startPrompt(SliceAxis axis, std::size_t slice, bool keepRequest = false);
  /// Forgets the prompt, its answer and the candidate (logged as a discard unless accepted).
  void clearPrompt();
  /// What the engine is asked for these prompts; `feedBack`: the shown candidate's low-res
  /// logits go with them, so a correction refines it instead of starting over.
  Prompt promptFor(const std::vector<PromptPoint>& points, const std::optional<PromptBox>& box,
                   bool feedBack) const;
  /// The prompt that adding `point` or setting `box` on this plane and slice sends.
  Prompt promptAfter(SliceAxis axis, std::size_t slice, const std::optional<PromptPoint>& point,
                     const std::optional<PromptBox>& box) const;
  void anticipate(SliceAxis axis, std::size_t slice, Prompt prompt);
  /// Whether the prompt that adding `point` or setting `box` here sends is the anticipated one,
  /// still the engine's latest request for this picture: then its answer is taken over.
  bool anticipates(SliceAxis axis, std::size_t slice, const std::optional<PromptPoint>& point,
                   const std::optional<PromptBox>& box) const;
  /// After addPoint or setBox changed the prompt: asks for it, or takes the anticipated answer.
  void requestOrTakeOver(bool anticipated);
  void requestPrediction();
  void onPrediction(quint64 id, const Prediction& prediction, double latencyMs);
  bool applyMask(SliceAxis axis, std::size_t slice, const annotations::Mask& mask, bool erase,
                 const QString& text);
  bool activeLabelUsable();
  void log(const QString& kind, QJsonObject detail, double iou = -1);

  Document* document_;
  EngineController* engine_;
  Tool tool_ = Tool::Navigate;
  int brushRadius_ = 5;
  int islandMinPixels_ = 20;

  SliceAxis axis_ = SliceAxis::Axial;
  std::size_t slice_ = 0;
  std::vector<PromptPoint> points_;
  std::optional<PromptBox> box_;
  Prediction prediction_;
  int candidateIndex_ = 0;
  annotations::Mask candidate_;
  bool predicting_ = false;
  bool accepting_ = false;
  quint64 requestId_ = 0;
  double lastLatencyMs_ = 0;
  PromptGesture gesture_ = PromptGesture::Click;  ///< the last point or box sent

  /// A prompt the engine was asked for before the release that sends it (anticipatePoint,
  /// anticipateBox).
  struct Anticipation {
    ImageKey key;
    Prompt prompt;
    quint64 id;                        ///< the engine request
    std::optional<Prediction> answer;  ///< when it came before the release
    bool released = false;             ///< taken over; the answer is still to come
  };
  std::optional<Anticipation> anticipation_;
  QElapsedTimer released_;  ///< since the release that took an anticipated answer over

  bool stroking_ = false;
  bool strokeErase_ = false;
  std::size_t strokeSlice_ = 0;
  double lastX_ = 0, lastY_ = 0;
  int strokeWidth_ = 0, strokeHeight_ = 0;
  annotations::Mask stroke_;
  std::optional<std::pair<SliceAxis, std::size_t>> lastAccepted_;

  SliceAxis polygonAxis_ = SliceAxis::Axial;
  std::size_t polygonSlice_ = 0;
  std::vector<double> polygonX_, polygonY_;
};

}  // namespace medsa::ui
