#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <optional>

#include "medsa/annotations/propagation.h"
#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/slice.h"

class QWidget;

namespace medsa::ui {

class Document;
class EngineController;
class ToolController;
class ViewerArea;

/// 3D propagation as the user drives it (Ctrl+P): picks the start slice, runs the propagation on
/// the engine thread behind a cancellable progress dialog, and applies the result as one undo
/// step. Restarted from a corrected slice inside its previous run, it redoes only the part
/// beyond the correction, replacing the old result there.
class PropagationController : public QObject {
  Q_OBJECT

 public:
  /// `dialogParent` owns the progress dialog (the main window).
  PropagationController(Document* document, ViewerArea* viewer, ToolController* tools,
                        EngineController* engine, QWidget* dialogParent);

  /// When propagation stops (minIou, minPixels, minOverlap, maxSlices of the request; the rest
  /// is ignored). Starts from the settings "propagation/..." (Tools → Propagation Settings).
  void setRules(const annotations::PropagationRequest& rules) { rules_ = rules; }
  const annotations::PropagationRequest& rules() const { return rules_; }
  /// Stores the rules in the settings, for the next start.
  void rememberRules() const;

  /// Propagates the active label from the slice on screen (when it holds the label) or the one
  /// last accepted on; a candidate still on screen is accepted first.
  void start();
  /// Why a direction stopped, in the user's language, slices counted from 1.
  static QString describeStop(const annotations::PropagationStop& stop);

 signals:
  /// A short note for the status bar (why nothing happened, the outcome).
  void message(const QString& text, int milliseconds);
  void failed(const QString& title, const medsa::Error& error);
  /// The slices changed (0: none), or -1 when it failed or was cancelled.
  void finished(int slices);

 private:
  /// What the last run wrote, so that a restart from a corrected slice redoes only its rest.
  struct Run {
    std::weak_ptr<const Image> image;
    SliceAxis axis = SliceAxis::Axial;
    quint16 label = 0;
    annotations::PropagationExtent extent;
    int historyIndex = 0;      ///< the undo stack's index right after it
    std::uint64_t serial = 0;  ///< its undo step (serials, unlike addresses, are never reused)
  };
  bool isStillApplied(const Run& run) const;
  void apply(const annotations::PropagationResult& result, SliceAxis axis, quint16 label,
             std::size_t seed, const std::optional<annotations::PropagationExtent>& earlier);

  Document* document_;
  ViewerArea* viewer_;
  ToolController* tools_;
  EngineController* engine_;
  QWidget* dialogParent_;
  annotations::PropagationRequest rules_;
  std::optional<Run> lastRun_;
};

}  // namespace medsa::ui
