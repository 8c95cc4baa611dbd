#include "medsa/ui/main_window.h"

#include <QCloseEvent>
#include <QCoreApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QToolButton>
#include <QUndoView>

#include "medsa/ui/case_list.h"
#include "medsa/ui/case_preloader.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/error_text.h"
#include "medsa/ui/label_panel.h"
#include "medsa/ui/polled_progress.h"
#include "medsa/ui/prefetch_planner.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/propagation_controller.h"
#include "medsa/ui/recovery_dialog.h"
#include "medsa/ui/series_picker_dialog.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "medsa/ui/window_geometry.h"

namespace medsa::ui {
namespace {

constexpr int kMaxRecent = 8;
const QString kDemoPhantom = QStringLiteral("demo:phantom");
const QString kDemoFundus = QStringLiteral("demo:fundus");

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      document_(new Document(this)),
      session_(new DocumentSession(document_, this)),
      opener_(new ImageOpener(this)),
      engine_(new EngineController(this)),
      tools_(new ToolController(document_, engine_, this)) {
  setObjectName(QStringLiteral("mainWindow"));
  setWindowTitle(tr("Med-SA Studio"));
  resize(1280, 800);
  setAcceptDrops(true);

  viewerArea_ = new ViewerArea(document_, tools_, this);
  setCentralWidget(viewerArea_);
  propagation_ = new PropagationController(document_, viewerArea_, tools_, engine_, this);
  prefetch_ = new PrefetchPlanner(document_, viewerArea_, tools_, engine_, this);
  prefetch_->setNeighbours(
      QSettings().value(QStringLiteral("engine/prefetchNeighbours"), 2).toInt());
  preloader_ = new CasePreloader(this);
  connect(preloader_, &CasePreloader::ready, this, [this](const QString& path) {
    // Its first picture joins the end of the warm-up list, after this case's slices.
    if (std::shared_ptr<const Image> image = preloader_->image())
      prefetch_->setNextCase(CasePreloader::firstPicture(std::move(image), path));
  });
  createDocks();
  createStatusBar();
  createMenus();
  createProject();
  connectSession();
  connectOpener();
  connectEngine();

  progressTimer_.setInterval(100);
  connect(&progressTimer_, &QTimer::timeout, this, [this] {
    if (const auto progress = opener_->progress())
      status_->setProgress(static_cast<int>(progress->fraction() * 100));
  });
  connect(document_, &Document::imageChanged, this, &MainWindow::updateActions);
  // An accept is the moment users care most about: save it at once.
  connect(tools_, &ToolController::accepted, session_, &DocumentSession::autosaveNow);
  connect(propagation_, &PropagationController::message, this,
          [this](const QString& text, int ms) { status_->showMessage(text, ms); });
  connect(propagation_, &PropagationController::failed, this,
          [this](const QString& title, const Error& error) { showError(title, error); });
  connect(propagation_, &PropagationController::finished, this, [this](int slices) {
    if (slices > 0) session_->autosaveNow();
    emit propagationFinished(slices);
  });
  connect(tools_, &ToolController::message, this,
          [this](const QString& text) { status_->showMessage(text, 6000); });
  connect(tools_, &ToolController::latencyMeasured, this, [this](double ms, PromptGesture gesture) {
    const QString text =
        gesture == PromptGesture::Box ? tr("box \u2192 mask %1 ms") : tr("click \u2192 mask %1 ms");
    status_->setLatency(text.arg(ms, 0, 'f', 0));
  });
  connect(viewerArea_, &ViewerArea::hovered, this, &MainWindow::updateHover);
  updateActions();
}

MainWindow::~MainWindow() { opener_->cancel(); }

void MainWindow::createDocks() {
  labelPanel_ = new LabelPanel(document_, this);
  auto* labelDock = new QDockWidget(tr("Labels"), this);
  labelDock->setObjectName(QStringLiteral("labelDock"));
  labelDock->setWidget(labelPanel_);
  addDockWidget(Qt::RightDockWidgetArea, labelDock);

  undoView_ = new QUndoView(document_->history()->stack(), this);
  undoView_->setObjectName(QStringLiteral("undoView"));
  undoView_->setEmptyLabel(tr("<opened image>"));
  auto* undoDock = new QDockWidget(tr("History"), this);
  undoDock->setObjectName(QStringLiteral("historyDock"));
  undoDock->setWidget(undoView_);
  addDockWidget(Qt::RightDockWidgetArea, undoDock);
}

void MainWindow::createStatusBar() {
  status_ = new StatusLine(statusBar());
  connect(status_->cancelButton(), &QToolButton::clicked, opener_, &ImageOpener::cancel);
  // The latency belongs to the prompt it answered: it goes with it.
  connect(tools_, &ToolController::accepted, status_, [this] { status_->setLatency({}); });
  connect(tools_, &ToolController::toolChanged, status_, [this] { status_->setLatency({}); });
  connect(document_, &Document::imageChanged, status_, [this] { status_->setLatency({}); });
  connect(tools_, &ToolController::overlayChanged, this, [this] {
    if (!tools_->hasPrompt()) status_->setLatency({});
    updateHint();
  });
  connect(document_, &Document::labelMapChanged, this, &MainWindow::updateHint);
  connect(document_, &Document::imageChanged, this, &MainWindow::updateHint);
  updateHint();
}

void MainWindow::updateHint() {
  QString hint;
  // A project open with no case on screen: how to open one, in the status bar and the view.
  const QString caseHint =
      project_ && project_->isOpen() && !document_->hasImage()
          ? tr("Double-click a case in the Cases list, or File \u2192 Next Case (Ctrl+Right) "
               "for the next unfinished one.")
          : QString();
  viewerArea_->setPlaceholderHint(caseHint);
  if (!caseHint.isEmpty()) {
    hint = caseHint;
  } else if (!document_->hasImage()) {
    hint =
        tr("Open an image (File \u2192 Open Image, Ctrl+O) or a DICOM folder, or try File "
           "\u2192 Open Demo.");
  } else if (!tools_->candidate().empty()) {
    hint =
        tr("Enter accepts the candidate, Tab shows the next one, more clicks correct it, Esc "
           "discards it.");
  } else if (!engine_->hasEngine()) {
    hint =
        tr("Paint with the brush (B) or the polygon (L); File \u2192 Load Model\u2026 adds AI "
           "segmentation.");
  } else if (document_->labels().isEmpty() ||
             document_->labels().count(0) == document_->labels().image().voxelCount()) {
    hint =
        tr("AI Segment (A): click a structure or drag a box around it; right click marks "
           "background.");
  }
  status_->setHint(hint);
}

void MainWindow::connectSession() {
  connect(session_, &DocumentSession::modifiedChanged, this, &QWidget::setWindowModified);
  connect(session_, &DocumentSession::autosaved, this, [this](bool ok, const QString& message) {
    if (!ok) status_->showMessage(tr("Autosave failed: %1").arg(message));
    emit autosaved(ok);
  });
  connect(session_, &DocumentSession::saved, this, [this](const QString& path) {
    status_->showMessage(tr("Labels saved to %1").arg(path), 5000);
    emit labelsSaved(true);
  });
  connect(session_, &DocumentSession::saveFailed, this, [this](const QString&, const Error& error) {
    showError(tr("Cannot save labels"), error,
              tr("Choose another folder with File \u2192 Save Labels As\u2026 "
                 "(Ctrl+Shift+S)."));
    emit labelsSaved(false);
  });
  connect(session_, &DocumentSession::labelsOpened, this, [this](const QString& path) {
    status_->showMessage(tr("Labels opened from %1").arg(path), 5000);
  });
  connect(session_, &DocumentSession::labelsOpenFailed, this, [this](const Error& error) {
    if (error.code != ErrorCode::Cancelled) showError(tr("Cannot open labels"), error);
  });
  connect(session_, &DocumentSession::orphansFound, this, &MainWindow::onOrphansFound);
  connect(session_, &DocumentSession::openRequested, this,
          [this](const QString& path, const QString& series, const QString& builtinId) {
            if (!builtinId.isEmpty())
              openBuiltin(builtinId);
            else if (!series.isEmpty())
              opener_->read(path, series);  // the autosave knows its series: no picker
            else
              openPath(path);
          });
  connect(session_, &DocumentSession::recovered, this, [this](const QDateTime& savedAt) {
    status_->showMessage(tr("Recovered the annotations autosaved at %1")
                             .arg(QLocale().toString(savedAt.toLocalTime(), QLocale::ShortFormat)),
                         8000);
  });
  connect(session_, &DocumentSession::recoveryFailed, this,
          [this](const Error& error) { showError(tr("Cannot recover the autosave"), error); });
}

void MainWindow::connectOpener() {
  connect(opener_, &ImageOpener::started, this, &MainWindow::showLoadProgress);
  connect(opener_, &ImageOpener::idle, this, &MainWindow::hideLoadProgress);
  connect(opener_, &ImageOpener::seriesChoiceNeeded, this,
          [this](const QString& folder, const std::vector<SeriesEntry>& series) {
            const QString last =
                QSettings().value(QStringLiteral("recentSeries")).toMap().value(folder).toString();
            SeriesPickerDialog picker(folder, series, last, this);
            const bool chosen = picker.exec() == QDialog::Accepted;
            opener_->chooseSeries(chosen ? picker.selectedUid() : QString());
          });
  connect(opener_, &ImageOpener::opened, this,
          [this](std::shared_ptr<Image> image, const QString& path, const QString& id,
                 const QString& series) {
            rememberRecent(path);
            if (!series.isEmpty()) rememberSeries(path, series);
            openImage(std::move(image), path, id);
          });
  connect(opener_, &ImageOpener::failed, this, [this](const Error& error, bool whileScanning) {
    session_->openFailed(error);
    if (error.code == ErrorCode::Cancelled) {
      status_->showMessage(tr("Opening cancelled"), 4000);
      return;
    }
    showError(whileScanning ? tr("Cannot open DICOM folder") : tr("Cannot open image"), error);
  });
}

void MainWindow::connectEngine() {
  connect(engine_, &EngineController::embeddingProgress, this, &MainWindow::showEmbeddingProgress);
  connect(engine_, &EngineController::embeddingFinished, this,
          [this](double ms, bool background, bool completed) {
            status_->setActivity({}, false);
            if (!background && completed && ms > 50)
              status_->showMessage(tr("Image embedding computed in %1 ms").arg(ms, 0, 'f', 0),
                                   4000);
          });
  connect(engine_, &EngineController::engineLoaded, this, [this](const QString& name) {
    loadedCheckpoint_ = modelCheckpoint_;
    status_->setActivity({}, false);
    status_->showMessage(tr("Model loaded: %1").arg(name), 5000);
    updateActions();
    updateHint();
  });
  connect(engine_, &EngineController::engineFailed, this, [this](const QString& why) {
    if (engine_->hasEngine()) modelCheckpoint_ = loadedCheckpoint_;  // the model still in use
    status_->setActivity({}, false);
    QMessageBox::warning(this, tr("Cannot load the model"), why);
    updateActions();
  });
  connect(engine_, &EngineController::backgroundFailed, this, [this](const QString& why) {
    status_->setActivity({}, false);
    status_->showMessage(tr("Pre-computing embeddings failed: %1").arg(why), 8000);
  });
}

// --- opening ---

void MainWindow::openPath(const QString& path) {
  if (!opener_->reader()) {
    showError(tr("Cannot open image"), Error{ErrorCode::Unavailable, "no image reader", {}});
    return;
  }
  if (!opener_->open(path)) status_->showMessage(tr("Still opening %1").arg(opener_->path()), 4000);
}

void MainWindow::showLoadProgress(const QString& path) {
  status_->showProgress(true);
  progressTimer_.start();
  openingMessage_ = tr("Opening %1\u2026").arg(QFileInfo(path).fileName());
  status_->showMessage(openingMessage_, 0);
}

void MainWindow::hideLoadProgress() {
  progressTimer_.stop();
  status_->showProgress(false);
  status_->clearMessage(openingMessage_);  // "Opening ..." must not outlive the opening
}

void MainWindow::openImage(std::shared_ptr<Image> image, const QString& path, const QString& id) {
  if (!image || image->isEmpty()) return;
  // The user approved leaving the labels shown when the open began (saved, discarded or
  // unchanged); edits made while the image was read would be replaced unseen: ask again.
  if (session_->isModified()) {
    whenLabelsAreSafe([this, image, path, id] { openImage(image, path, id); },
                      [this] {
                        // The user stays on the image shown (and on its project case).
                        project_->stayOnCurrentCase();
                        session_->openFailed(
                            Error{ErrorCode::Cancelled, "the user kept the image on screen", {}});
                      });
    return;
  }
  if (image->size(3) > 1) {
    // Annotation is per volume; the first time point is shown (the rest are kept on disk).
    Result<Image> first = extractVolume(*image, 0);
    if (first) *image = std::move(first).value();
    status_->showMessage(tr("A 4D image: showing its first time point"), 6000);
  }
  session_->open(std::move(image), path, id);
  // "[*]" shows the unsaved marker while the session says the labels are modified.
  setWindowTitle(tr("%1[*] \u2014 Med-SA Studio")
                     .arg(path.isEmpty() ? tr("Demo") : QFileInfo(path).fileName()));
  setWindowModified(session_->isModified());
  // The keyboard goes to the image, where the tool keys act.
  viewerArea_->view(viewerArea_->activeAxis())->setFocus(Qt::OtherFocusReason);
  for (const std::string& warning : document_->image()->metadata.warnings)
    status_->showMessage(fromStd(warning), 8000);
  preloadNextCase();
  emit imageLoaded();
}

void MainWindow::openBuiltin(const QString& id) {
  const DemoProvider& provider = id == kDemoFundus ? demoPhoto_ : demo_;
  if (!provider || (id != kDemoFundus && id != kDemoPhantom)) {
    session_->openFailed(
        Error{ErrorCode::Unavailable, "no built-in image " + id.toStdString(), {}});
    return;
  }
  openImage(provider(), QString(), id);
}

void MainWindow::openDemo() { openBuiltin(kDemoPhantom); }

void MainWindow::openDemoPhoto() { openBuiltin(kDemoFundus); }

void MainWindow::rememberSeries(const QString& folder, const QString& uid) {
  // Reopening a recent folder preselects the series chosen last time; only recent folders kept.
  QSettings settings;
  const QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
  QVariantMap chosen = settings.value(QStringLiteral("recentSeries")).toMap();
  chosen.insert(folder, uid);
  for (const QString& key : chosen.keys()) {
    if (!recent.contains(key)) chosen.remove(key);
  }
  settings.setValue(QStringLiteral("recentSeries"), chosen);
}

void MainWindow::rememberRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  settings.setValue(QStringLiteral("recentFiles"), recent.mid(0, kMaxRecent));
  settings.setValue(QStringLiteral("lastFolder"), QFileInfo(path).absolutePath());
  updateRecentMenu();
}

void MainWindow::preloadNextCase() {
  const QString next =
      document_->path().isEmpty() ? QString() : neighbourCase(document_->path(), 1);
  if (next.isEmpty() || !opener_->reader()) {
    preloader_->clear();
    return;
  }
  preloader_->preload(next,
                      [reader = opener_->reader()](const std::string& path, ProgressSink* progress,
                                                   CancellationToken cancel) {
                        return reader(path, {}, progress, std::move(cancel));
                      });
}

bool MainWindow::openNeighbourCase(int step) {
  if (project_->isOpen()) return openNeighbourProjectCase(step);
  if (!document_->hasImage() || document_->path().isEmpty()) {
    status_->showMessage(tr("Next and Previous Case walk through the images of the folder an "
                            "image was opened from; %1 has none.")
                             .arg(document_->hasImage() ? tr("the demo") : tr("no open image")),
                         8000);
    return false;
  }
  const QString target = neighbourCase(document_->path(), step);
  if (target.isEmpty()) {
    status_->showMessage(step > 0 ? tr("This is the last case in its folder.")
                                  : tr("This is the first case in its folder."),
                         5000);
    return false;
  }
  whenLabelsAreSafe([this, target] {
    if (std::shared_ptr<Image> ready = preloader_->take(target)) {
      rememberRecent(target);
      openImage(std::move(ready), target, target);
    } else {
      openPath(target);
    }
  });
  return true;
}

void MainWindow::showEmbeddingProgress(double fraction, bool background) {
  const int percent = static_cast<int>(fraction * 100 + 0.5);
  status_->setActivity(background ? tr("Pre-computing embeddings ahead\u2026 %1 %").arg(percent)
                                  : tr("Computing image embedding\u2026 %1 %").arg(percent),
                       !background);
}

void MainWindow::updateHover(bool valid, std::size_t x, std::size_t y, std::size_t z) {
  if (!valid || !document_->hasImage()) {
    status_->setPosition({});
    return;
  }
  const Image& image = *document_->image();
  QString value;
  if (image.components() == 3) {
    value = QStringLiteral("(%1, %2, %3)")
                .arg(image.value(x, y, z, 0, 0))
                .arg(image.value(x, y, z, 0, 1))
                .arg(image.value(x, y, z, 0, 2));
  } else {
    value = QString::number(image.value(x, y, z), 'g', 6);
  }
  const quint16 labelValue = document_->labels().isEmpty() ? 0 : document_->labels().at(x, y, z);
  const annotations::Label* label = document_->labelSet().find(labelValue);
  const QString labelName = labelValue == 0 ? tr("background")
                            : label         ? label->name
                                            : tr("value %1").arg(labelValue);
  status_->setPosition(
      tr("(%1, %2, %3)  value %4  label %5").arg(x).arg(y).arg(z).arg(value, labelName));
}

// --- saving and the decisions before labels are replaced ---

void MainWindow::whenLabelsAreSafe(std::function<void()> then, std::function<void()> cancelled) {
  if (!session_->isModified()) {
    then();
    return;
  }
  const QString question =
      tr("The labels have changed since they were last saved. Save them first?");
  UnsavedChoice choice = UnsavedChoice::Cancel;
  if (askUnsaved_) {
    choice = askUnsaved_(question);
  } else {
    const auto answer = QMessageBox::question(
        this, tr("Unsaved Annotations"), question,
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    choice = answer == QMessageBox::Save      ? UnsavedChoice::Save
             : answer == QMessageBox::Discard ? UnsavedChoice::Discard
                                              : UnsavedChoice::Cancel;
  }
  switch (choice) {
    case UnsavedChoice::Cancel:
      if (cancelled) cancelled();
      return;
    case UnsavedChoice::Discard:
      session_->discardChanges();
      then();
      return;
    case UnsavedChoice::Save:
      // Edits made while the write runs are unsaved again: ask once more before going on.
      saveLabels(session_->labelsPath().isEmpty() && !session_->hasLabelTarget(),
                 [this, then = std::move(then), cancelled = std::move(cancelled)] {
                   whenLabelsAreSafe(then, cancelled);
                 });
      return;
  }
}

QString MainWindow::askSavePath() {
  const bool flat = !document_->isVolume();
  QString suggestion =
      document_->path().isEmpty()
          ? QStringLiteral("labels")
          : QFileInfo(document_->path()).completeBaseName() + QStringLiteral("_labels");
  suggestion += flat ? QStringLiteral(".png") : QStringLiteral(".nii.gz");
  return QFileDialog::getSaveFileName(
      this, tr("Save Labels"),
      QFileInfo(QSettings().value(QStringLiteral("lastFolder")).toString(), suggestion).filePath(),
      flat ? tr("PNG label image (*.png);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)")
           : tr("NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd);;MetaImage (*.mha)"));
}

void MainWindow::saveLabels(bool askPath, std::function<void()> then) {
  if (!document_->hasImage()) return;
  if (!askPath && session_->hasLabelTarget()) {  // a project case: its next version
    session_->saveToTarget([then = std::move(then)](const Status& status) {
      if (status && then) then();
    });
    return;
  }
  const QString path =
      askPath || session_->labelsPath().isEmpty() ? askSavePath() : session_->labelsPath();
  if (path.isEmpty()) return;
  // `then` runs only after a successful write; a failure is reported by saveFailed.
  session_->save(path, [then = std::move(then)](const Status& status) {
    if (status && then) then();
  });
}

void MainWindow::openLabelsFile(const QString& path) {
  if (!document_->hasImage()) return;
  whenLabelsAreSafe([this, path] { session_->openLabels(path); });
}

void MainWindow::loadModel(const QString& checkpoint) {
  if (!modelLoader_) return;
  modelCheckpoint_ = checkpoint;
  status_->setActivity(tr("Loading model\u2026"), true);
  engine_->load(modelLoader_(checkpoint), QFileInfo(checkpoint).fileName());
  updateActions();
}

void MainWindow::setAutosaveFolder(const QString& folder) { session_->setAutosaveFolder(folder); }

void MainWindow::autosaveNow() { session_->autosaveNow(); }

void MainWindow::waitForBackgroundWork() {
  while (opener_->isBusy()) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  session_->waitForWrites();
}

// --- recovery ---

bool MainWindow::offerRecovery(bool ask) {
  askBeforeRecovery_ = ask;
  return session_->findOrphans();
}

void MainWindow::onOrphansFound(int count) {
  if (count == 0) {
    emit recoveryChecked(false);
    return;
  }
  int chosen = -1;
  if (!askBeforeRecovery_) {
    // The newest one that can be read.
    const auto& orphans = session_->orphans();
    for (int i = 0; i < static_cast<int>(orphans.size()) && chosen < 0; ++i)
      if (orphans[static_cast<std::size_t>(i)].error.isEmpty()) chosen = i;
  } else {
    RecoveryDialog dialog(session_, this);
    if (dialog.exec() == QDialog::Accepted) chosen = dialog.chosenIndex();
  }
  const bool recovering = chosen >= 0 && session_->recover(chosen);
  if (!recovering) session_->releaseOrphans();  // kept on disk, offered again next start
  emit recoveryChecked(recovering);
}

// --- the window ---

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!closeApproved_ && session_->isModified()) {
    // Asked first; the window closes only once the labels are saved or knowingly discarded.
    event->ignore();
    whenLabelsAreSafe([this] {
      closeApproved_ = true;
      QTimer::singleShot(0, this, &QWidget::close);
    });
    return;
  }
  closeApproved_ = false;
  opener_->cancel();
  session_->finishCleanly();
  rememberWindowGeometry(*this);
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.first().isLocalFile()) return;
  const QString path = urls.first().toLocalFile();
  whenLabelsAreSafe([this, path] { openPath(path); });
}

void MainWindow::showError(const QString& title, const Error& error, const QString& advice) {
  status_->showMessage(title, 8000);
  QMessageBox::warning(this, title, errorText(error, advice));
}

void MainWindow::setEngineDescription(const QString& text) { status_->setEngine(text); }

QString MainWindow::engineDescription() const { return status_->engine(); }

void MainWindow::setAboutDetails(const QString& details) { aboutDetails_ = details; }

}  // namespace medsa::ui
