#include "medsa/ui/propagation_controller.h"

#include <QCoreApplication>
#include <QLocale>
#include <QPointer>
#include <QProgressDialog>
#include <QSettings>
#include <QTimer>
#include <QUndoStack>

#include <algorithm>

#include "medsa/annotations/label_edit.h"
#include "medsa/ui/document.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/polled_progress.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"

namespace medsa::ui {

PropagationController::PropagationController(Document* document, ViewerArea* viewer,
                                             ToolController* tools, EngineController* engine,
                                             QWidget* dialogParent)
    : QObject(dialogParent),
      document_(document),
      viewer_(viewer),
      tools_(tools),
      engine_(engine),
      dialogParent_(dialogParent) {
  const QSettings settings;
  rules_.minIou = settings.value(QStringLiteral("propagation/minIou"), rules_.minIou).toDouble();
  rules_.minOverlap =
      settings.value(QStringLiteral("propagation/minOverlap"), rules_.minOverlap).toDouble();
  rules_.minPixels =
      settings
          .value(QStringLiteral("propagation/minPixels"), static_cast<qulonglong>(rules_.minPixels))
          .toULongLong();
  rules_.maxSlices =
      settings
          .value(QStringLiteral("propagation/maxSlices"), static_cast<qulonglong>(rules_.maxSlices))
          .toULongLong();
}

void PropagationController::rememberRules() const {
  QSettings settings;
  settings.setValue(QStringLiteral("propagation/minIou"), rules_.minIou);
  settings.setValue(QStringLiteral("propagation/minOverlap"), rules_.minOverlap);
  settings.setValue(QStringLiteral("propagation/minPixels"),
                    static_cast<qulonglong>(rules_.minPixels));
  settings.setValue(QStringLiteral("propagation/maxSlices"),
                    static_cast<qulonglong>(rules_.maxSlices));
}

void PropagationController::start() {
  if (!document_->hasImage() || !document_->isVolume()) {
    emit message(tr("Propagation needs a volume."), 5000);
    return;
  }
  if (!engine_->hasEngine()) {
    emit message(tr("Propagation needs a model: File \u2192 Load Model\u2026"), 6000);
    return;
  }
  const quint16 label = document_->activeLabel();
  if (document_->labelSet().isLocked(label)) {
    emit message(tr("The active label is locked; unlock it to propagate."), 6000);
    return;
  }
  // A candidate still on screen is what the user means to propagate: accept it first.
  if (tools_->tool() == Tool::Ai && !tools_->candidate().empty() && !tools_->accept()) return;
  // Start from the slice on screen when it holds the label (the user may just have corrected
  // it), else from the slice last accepted on.
  const SliceAxis axis = viewer_->activeAxis();
  std::size_t slice = document_->sliceIndex(axis);
  Result<annotations::LabelSlice> start = document_->labels().slice(axis, slice);
  if (!start) return;
  if (auto last = tools_->lastAccepted();
      last && last->first == axis &&
      annotations::area(annotations::maskOf(start.value(), label)) == 0) {
    slice = last->second;
    start = document_->labels().slice(axis, slice);
    if (!start) return;
  }
  annotations::PropagationRequest request = rules_;
  request.image = document_->image();
  request.imageId = document_->imageId().toStdString();
  request.axis = axis;
  request.startSlice = slice;
  request.startMask = annotations::maskOf(start.value(), label);
  request.window = document_->window();
  request.forward = request.backward = true;
  if (annotations::area(request.startMask) == 0) {
    emit message(tr("Nothing of the active label on slice %1 to propagate.").arg(slice + 1), 6000);
    return;
  }
  // Restarting inside the previous run of this label corrects it: redo only what lies beyond.
  std::optional<annotations::PropagationExtent> earlier;
  if (lastRun_ && lastRun_->image.lock() == document_->image() && lastRun_->axis == axis &&
      lastRun_->label == label && isStillApplied(*lastRun_)) {
    earlier = lastRun_->extent;
    const annotations::PropagationDirections ways = annotations::rerunDirections(slice, *earlier);
    request.forward = ways.forward;
    request.backward = ways.backward;
  }

  auto progress = std::make_shared<PolledProgress>();
  auto* dialog = new QProgressDialog(tr("Propagating through the volume\u2026"), tr("Cancel"), 0,
                                     100, dialogParent_);
  dialog->setObjectName(QStringLiteral("propagationProgress"));
  dialog->setWindowModality(Qt::WindowModal);
  dialog->setMinimumDuration(0);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QProgressDialog::canceled, this, [progress] { progress->cancel(); });
  auto* timer = new QTimer(dialog);
  connect(timer, &QTimer::timeout, dialog,
          [dialog, progress] { dialog->setValue(static_cast<int>(progress->fraction() * 100)); });
  timer->start(100);

  QPointer<PropagationController> self(this);
  QPointer<QProgressDialog> shown(dialog);
  auto image = document_->image();
  engine_->runJob(
      [self, shown, request, progress, label, axis, image, earlier](SegmentationEngine* engine) {
        Result<annotations::PropagationResult> result =
            engine ? annotations::propagate(*engine, request, progress.get(), progress->token())
                   : Result<annotations::PropagationResult>(
                         Error{ErrorCode::Unavailable, "no model is loaded", {}});
        // Back on the UI thread; the window may have closed or opened another image meanwhile.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [self, shown, result = std::move(result), label, axis, image, earlier,
             seed = request.startSlice] {
              if (shown) shown->close();
              if (!self || image != self->document_->image()) return;
              if (!result) {
                if (result.error().code == ErrorCode::Cancelled) {
                  emit self->message(tr("Propagation cancelled"), 4000);
                } else {
                  emit self->failed(tr("Propagation failed"), result.error());
                }
                emit self->finished(-1);
                return;
              }
              self->apply(result.value(), axis, label, seed, earlier);
            },
            Qt::QueuedConnection);
      },
      // The engine threw instead of answering: the dialog must not stay up waiting.
      [self, shown](const QString& why) {
        if (shown) shown->close();
        if (!self) return;
        emit self->failed(tr("Propagation failed"),
                          Error{ErrorCode::Internal, why.toStdString(), {}});
        emit self->finished(-1);
      });
}

void PropagationController::apply(const annotations::PropagationResult& result, SliceAxis axis,
                                  quint16 label, std::size_t seed,
                                  const std::optional<annotations::PropagationExtent>& earlier) {
  std::vector<annotations::SliceChange> changes;
  annotations::PropagationExtent extent =
      earlier.value_or(annotations::PropagationExtent{seed, seed, seed});
  for (const annotations::PropagatedSlice& s : result.slices) {
    Result<annotations::LabelSlice> current = document_->labels().slice(axis, s.index);
    if (!current) continue;
    // Over the earlier run's slices the new mask replaces the old one; elsewhere it adds to
    // what the user drew.
    const bool redo = earlier && s.index >= earlier->low && s.index <= earlier->high;
    changes.push_back(annotations::paintChange(
        current.value(), axis, s.index, s.mask, label,
        redo ? annotations::PaintMode::Replace : annotations::PaintMode::Paint,
        document_->labelSet()));
    extent.low = std::min(extent.low, s.index);
    extent.high = std::max(extent.high, s.index);
  }
  const int count = static_cast<int>(result.slices.size());
  if (document_->history()->apply(tr("Propagate over %n slice(s)", nullptr, count),
                                  std::move(changes))) {
    lastRun_ = Run{document_->image(),
                   axis,
                   label,
                   extent,
                   document_->history()->stack()->index(),
                   document_->history()->lastSerial()};
  }
  emit message(tr("Propagated over %n slice(s). Upwards: %1. Downwards: %2.", nullptr, count)
                   .arg(describeStop(result.stopForward), describeStop(result.stopBackward)),
               10000);
  emit finished(count);
}

QString PropagationController::describeStop(const annotations::PropagationStop& stop) {
  const qulonglong slice = static_cast<qulonglong>(stop.slice) + 1;  // as the views count
  switch (stop.kind) {
    case annotations::PropagationStop::NotRun:
      return tr("not run");
    case annotations::PropagationStop::EndOfVolume:
      return tr("reached the end of the volume");
    case annotations::PropagationStop::SliceLimit:
      return tr("reached the slice limit");
    case annotations::PropagationStop::LowIou:
      return tr("stopped at slice %1, predicted IoU %2 below the threshold")
          .arg(slice)
          .arg(QLocale().toString(stop.iou, 'f', 2));
    case annotations::PropagationStop::Vanished:
      return tr("stopped at slice %1, where the object became too small").arg(slice);
    case annotations::PropagationStop::MovedAway:
      return tr("stopped at slice %1, where the object moved away").arg(slice);
  }
  return {};
}

bool PropagationController::isStillApplied(const Run& run) const {
  // Undone (and perhaps replaced by other edits): its slices no longer hold what it wrote.
  annotations::EditHistory* history = document_->history();
  return run.historyIndex > 0 && history->stack()->index() >= run.historyIndex &&
         history->serialAt(run.historyIndex - 1) == run.serial;
}

}  // namespace medsa::ui
