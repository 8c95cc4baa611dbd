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
  /// The button went down where releasing it would add this point: the engine starts on that
  /// prompt at once, so its answer can be ready when the button comes up (a click holds it
  /// ~100 ms). Nothing shows and nothing is logged until addPoint takes the answer over with
  /// the same point on the same picture, the engine's latest request still this one; anything
  /// else (another prompt, a discard, another candidate chosen) leaves it unused. Not while an
  /// answer is awaited: its reply would be pushed out, and the press may never become a point.
  void anticipatePoint(SliceAxis axis, std::size_t slice, double x, double y, bool positive);
  /// The press became something else (a box drag): its answer is not wanted.
  void forgetAnticipatedPoint();
  /// Whether a press's point waits for its release.
  bool hasAnticipatedPoint() const { return anticipated_ && !anticipated_->released; }
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
  void latencyMeasured(double milliseconds);
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
  /// Whether addPoint(axis, slice, point) can take the anticipated answer over.
  bool anticipates(SliceAxis axis, std::size_t slice, const PromptPoint& point) const;
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

  /// A point whose answer was asked for when the button went down (anticipatePoint).
  struct AnticipatedPoint {
    SliceAxis axis;
    std::size_t slice;
    PromptPoint point;
    ImageKey key;
    quint64 id;                         ///< the engine request
    std::optional<Prediction> answer;   ///< when it came before the release
    bool released = false;              ///< addPoint took it over; the answer is still to come
  };
  std::optional<AnticipatedPoint> anticipated_;
  QElapsedTimer released_;  ///< since the release that took an anticipated point over

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
