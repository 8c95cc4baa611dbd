#include "medsa/ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QTableWidget>
#include <QToolBar>
#include <QToolButton>
#include <QUndoView>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "medsa/annotations/label_map_io.h"
#include "medsa/core/build_info.h"
#include "medsa/ui/case_list.h"
#include "medsa/ui/case_preloader.h"
#include "medsa/ui/document.h"
#include "medsa/ui/label_panel.h"
#include "medsa/ui/polled_progress.h"
#include "medsa/ui/prefetch_planner.h"
#include "medsa/ui/propagation_controller.h"
#include "medsa/ui/propagation_settings_dialog.h"
#include "medsa/ui/series_picker_dialog.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "medsa/ui/window_presets.h"

namespace medsa::ui {
namespace {

constexpr int kAutosaveIdleMs = 3000;
constexpr int kMaxRecent = 8;

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      document_(new Document(this)),
      engine_(new EngineController(this)),
      tools_(new ToolController(document_, engine_, this)),
      autosave_(annotations::AutosaveStore::defaultFolder()) {
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

  connect(&loadWatcher_, &QFutureWatcher<Result<Image>>::finished, this, &MainWindow::onImageRead);
  connect(&scanWatcher_, &QFutureWatcher<Result<std::vector<SeriesEntry>>>::finished, this,
          &MainWindow::onFolderScanned);
  connect(&recoveryWatcher_, &QFutureWatcher<Result<annotations::AutosaveSnapshot>>::finished, this,
          &MainWindow::onRecoveryRead);
  progressTimer_.setInterval(100);
  connect(&progressTimer_, &QTimer::timeout, this, [this] {
    if (loadProgress_) progressBar_->setValue(static_cast<int>(loadProgress_->fraction() * 100));
  });
  autosaveTimer_.setSingleShot(true);
  autosaveTimer_.setInterval(kAutosaveIdleMs);
  connect(&autosaveTimer_, &QTimer::timeout, this, &MainWindow::autosaveNow);
  connect(&autosaveWatcher_, &QFutureWatcher<Status>::finished, this, [this] {
    const Status status = autosaveWatcher_.result();
    if (!status)
      statusBar()->showMessage(tr("Autosave failed: %1").arg(fromStd(status.error().describe())));
    emit autosaved(status.ok());
    if (autosaveAgain_) {
      autosaveAgain_ = false;
      autosaveNow();
    }
  });
  connect(&saveWatcher_, &QFutureWatcher<Status>::finished, this, [this] {
    const Status status = saveWatcher_.result();
    if (status) {
      statusBar()->showMessage(tr("Labels saved to %1").arg(labelsPath_), 5000);
    } else {
      showError(tr("Cannot save labels"), status.error());
    }
    emit labelsSaved(status.ok());
  });

  connect(document_, &Document::labelMapChanged, this, &MainWindow::scheduleAutosave);
  connect(document_, &Document::labelSetChanged, this, &MainWindow::scheduleAutosave);
  connect(document_, &Document::imageChanged, this, &MainWindow::updateActions);
  // An accept is the moment users care most about: save it at once.
  connect(tools_, &ToolController::accepted, this, [this] { autosaveNow(); });
  connect(propagation_, &PropagationController::message, this,
          [this](const QString& text, int ms) { statusBar()->showMessage(text, ms); });
  connect(propagation_, &PropagationController::failed, this, &MainWindow::showError);
  connect(propagation_, &PropagationController::finished, this, [this](int slices) {
    if (slices > 0) autosaveNow();
    emit propagationFinished(slices);
  });
  connect(tools_, &ToolController::message, this,
          [this](const QString& text) { statusBar()->showMessage(text, 6000); });
  connect(tools_, &ToolController::latencyMeasured, this, [this](double ms) {
    latencyLabel_->setText(tr("click \u2192 mask %1 ms").arg(ms, 0, 'f', 0));
  });
  connect(engine_, &EngineController::embeddingProgress, this, &MainWindow::showEmbeddingProgress);
  connect(engine_, &EngineController::embeddingFinished, this,
          [this](double ms, bool background, bool completed) {
            busyLabel_->hide();
            if (!background && completed && ms > 50)
              statusBar()->showMessage(tr("Image embedding computed in %1 ms").arg(ms, 0, 'f', 0),
                                       4000);
          });
  connect(engine_, &EngineController::engineLoaded, this, [this](const QString& name) {
    busyLabel_->hide();
    statusBar()->showMessage(tr("Model loaded: %1").arg(name), 5000);
    updateActions();
  });
  connect(engine_, &EngineController::engineFailed, this, [this](const QString& why) {
    busyLabel_->hide();
    QMessageBox::warning(this, tr("Cannot load the model"), why);
    updateActions();
  });
  connect(viewerArea_, &ViewerArea::hovered, this, &MainWindow::updateHover);
  updateActions();
}

MainWindow::~MainWindow() {
  if (loadProgress_) loadProgress_->cancel();
  loadWatcher_.waitForFinished();
  scanWatcher_.waitForFinished();
  recoveryWatcher_.waitForFinished();
  saveWatcher_.waitForFinished();
  autosaveWatcher_.waitForFinished();
}

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
  positionLabel_ = new QLabel(this);
  positionLabel_->setObjectName(QStringLiteral("positionLabel"));
  positionLabel_->setMinimumWidth(260);
  busyLabel_ = new QLabel(this);
  busyLabel_->setObjectName(QStringLiteral("embeddingIndicator"));
  busyLabel_->setStyleSheet(QStringLiteral("color: #e0a000"));
  busyLabel_->hide();
  latencyLabel_ = new QLabel(this);
  latencyLabel_->setObjectName(QStringLiteral("latencyLabel"));
  progressBar_ = new QProgressBar(this);
  progressBar_->setObjectName(QStringLiteral("loadProgress"));
  progressBar_->setMaximumWidth(160);
  progressBar_->setRange(0, 100);
  progressBar_->hide();
  cancelButton_ = new QToolButton(this);
  cancelButton_->setText(tr("Cancel"));
  cancelButton_->hide();
  connect(cancelButton_, &QToolButton::clicked, this, [this] {
    if (loadProgress_) loadProgress_->cancel();
  });
  engineLabel_ = new QLabel(this);
  engineLabel_->setObjectName(QStringLiteral("engineLabel"));
  statusBar()->addWidget(positionLabel_);
  statusBar()->addPermanentWidget(busyLabel_);
  statusBar()->addPermanentWidget(progressBar_);
  statusBar()->addPermanentWidget(cancelButton_);
  statusBar()->addPermanentWidget(latencyLabel_);
  statusBar()->addPermanentWidget(engineLabel_);
  statusBar()->showMessage(tr("Ready"));
}

QAction* MainWindow::addToolAction(QMenu* menu, const QString& text, const QKeySequence& key,
                                   const QString& name) {
  QAction* action = menu->addAction(text);
  action->setObjectName(name);
  action->setShortcut(key);
  action->setShortcutContext(Qt::WindowShortcut);
  addAction(action);  // shortcuts work while the menu bar is hidden or another widget has focus
  return action;
}

void MainWindow::createMenus() {
  // --- File ---
  QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
  fileMenu->setObjectName(QStringLiteral("fileMenu"));
  addToolAction(fileMenu, tr("&Open Image\u2026"), QKeySequence::Open, QStringLiteral("openAction"))
      ->setStatusTip(tr("Open an image file (NIfTI, NRRD, MetaImage, DICOM, PNG, JPEG, TIFF)"));
  connect(findChild<QAction*>(QStringLiteral("openAction")), &QAction::triggered, this,
          &MainWindow::openFileDialog);
  connect(addToolAction(fileMenu, tr("Open &DICOM Folder\u2026"), QKeySequence(tr("Ctrl+Shift+O")),
                        QStringLiteral("openFolderAction")),
          &QAction::triggered, this, &MainWindow::openFolderDialog);
  connect(addToolAction(fileMenu, tr("Open D&emo"), QKeySequence(), QStringLiteral("demoAction")),
          &QAction::triggered, this, [this] {
            if (confirmReplacingLabels()) openDemo();
          });
  connect(addToolAction(fileMenu, tr("Open Demo &Photograph"), QKeySequence(),
                        QStringLiteral("demoPhotoAction")),
          &QAction::triggered, this, [this] {
            if (confirmReplacingLabels()) openDemoPhoto();
          });
  connect(addToolAction(fileMenu, tr("Ne&xt Case"), QKeySequence(tr("Ctrl+Right")),
                        QStringLiteral("nextCaseAction")),
          &QAction::triggered, this, [this] { openNeighbourCase(+1); });
  connect(addToolAction(fileMenu, tr("Pre&vious Case"), QKeySequence(tr("Ctrl+Left")),
                        QStringLiteral("previousCaseAction")),
          &QAction::triggered, this, [this] { openNeighbourCase(-1); });
  recentMenu_ = fileMenu->addMenu(tr("Open &Recent"));
  recentMenu_->setObjectName(QStringLiteral("recentMenu"));
  updateRecentMenu();
  fileMenu->addSeparator();
  QAction* saveAction = addToolAction(fileMenu, tr("&Save Labels"), QKeySequence::Save,
                                      QStringLiteral("saveLabelsAction"));
  connect(saveAction, &QAction::triggered, this, [this] { saveLabels(false); });
  connect(addToolAction(fileMenu, tr("Save Labels &As\u2026"), QKeySequence::SaveAs,
                        QStringLiteral("saveLabelsAsAction")),
          &QAction::triggered, this, [this] { saveLabels(true); });
  connect(addToolAction(fileMenu, tr("Open &Labels\u2026"), QKeySequence(tr("Ctrl+L")),
                        QStringLiteral("openLabelsAction")),
          &QAction::triggered, this, &MainWindow::openLabelsDialog);
  fileMenu->addSeparator();
  connect(addToolAction(fileMenu, tr("Load &Model\u2026"), QKeySequence(tr("Ctrl+M")),
                        QStringLiteral("loadModelAction")),
          &QAction::triggered, this, &MainWindow::chooseModel);
  fileMenu->addSeparator();
  QAction* quitAction = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
  quitAction->setObjectName(QStringLiteral("quitAction"));
  quitAction->setShortcut(QKeySequence::Quit);

  // --- Edit ---
  QMenu* editMenu = menuBar()->addMenu(tr("&Edit"));
  editMenu->setObjectName(QStringLiteral("editMenu"));
  QUndoStack* stack = document_->history()->stack();
  QAction* undo = stack->createUndoAction(this, tr("&Undo"));
  undo->setObjectName(QStringLiteral("undoAction"));
  undo->setShortcut(QKeySequence::Undo);
  QAction* redo = stack->createRedoAction(this, tr("&Redo"));
  redo->setObjectName(QStringLiteral("redoAction"));
  // Both conventions (Linux/macOS and Windows), whatever the platform theme says.
  redo->setShortcuts({QKeySequence(tr("Ctrl+Shift+Z")), QKeySequence(tr("Ctrl+Y"))});
  editMenu->addAction(undo);
  editMenu->addAction(redo);
  addAction(undo);
  addAction(redo);

  // --- Tools ---
  QMenu* toolsMenu = menuBar()->addMenu(tr("&Tools"));
  toolsMenu->setObjectName(QStringLiteral("toolsMenu"));
  auto* group = new QActionGroup(this);
  struct ToolEntry {
    Tool tool;
    QString text, toolBarText, key, name;
  };
  // The menu explains each tool; the tool bar keeps to a word.
  const QList<ToolEntry> entries{
      {Tool::Navigate, tr("&Navigate (crosshair, window/level)"), tr("Navigate"),
       QStringLiteral("N"), QStringLiteral("navigateToolAction")},
      {Tool::Ai, tr("&AI Segment (click +, right click \u2212, drag a box)"), tr("AI Segment"),
       QStringLiteral("A"), QStringLiteral("aiToolAction")},
      {Tool::Brush, tr("&Brush"), tr("Brush"), QStringLiteral("B"),
       QStringLiteral("brushToolAction")},
      {Tool::Eraser, tr("&Eraser"), tr("Eraser"), QStringLiteral("E"),
       QStringLiteral("eraserToolAction")},
      {Tool::Polygon,
       tr("&Polygon / Lasso (click vertices or drag; double click or Enter fills, Esc cancels)"),
       tr("Polygon / Lasso"), QStringLiteral("L"), QStringLiteral("polygonToolAction")}};
  auto* toolBar = addToolBar(tr("Tools"));
  toolBar->setObjectName(QStringLiteral("toolBar"));
  for (const ToolEntry& entry : entries) {
    QAction* action = addToolAction(toolsMenu, entry.text, QKeySequence(entry.key), entry.name);
    action->setIconText(entry.toolBarText);
    action->setToolTip(QString(entry.text).remove(QLatin1Char('&')));
    action->setCheckable(true);
    action->setChecked(entry.tool == tools_->tool());
    group->addAction(action);
    toolBar->addAction(action);
    const Tool tool = entry.tool;
    connect(action, &QAction::triggered, this, [this, tool] { tools_->setTool(tool); });
    connect(tools_, &ToolController::toolChanged, action,
            [action, tool](Tool now) { action->setChecked(now == tool); });
    if (tool == Tool::Ai) aiToolAction_ = action;
  }
  toolBar->addSeparator();
  toolsMenu->addSeparator();
  QAction* accept = addToolAction(toolsMenu, tr("Accept Candidate"), QKeySequence(Qt::Key_Return),
                                  QStringLiteral("acceptAction"));
  accept->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
  connect(accept, &QAction::triggered, this, [this] {
    if (tools_->tool() == Tool::Polygon)
      tools_->closePolygon();
    else
      tools_->accept();
  });
  acceptAction_ = accept;
  connect(tools_, &ToolController::toolChanged, this, &MainWindow::updateActions);
  QAction* discard = addToolAction(toolsMenu, tr("Discard Prompt"), QKeySequence(Qt::Key_Escape),
                                   QStringLiteral("discardAction"));
  connect(discard, &QAction::triggered, tools_, &ToolController::discard);
  QAction* next = addToolAction(toolsMenu, tr("Next Candidate"), QKeySequence(Qt::Key_Tab),
                                QStringLiteral("nextCandidateAction"));
  connect(next, &QAction::triggered, tools_, &ToolController::nextCandidate);
  aiActions_ = {next};
  toolBar->addAction(accept);
  toolsMenu->addSeparator();
  connect(addToolAction(toolsMenu, tr("Smaller Brush"), QKeySequence(QStringLiteral("[")),
                        QStringLiteral("smallerBrushAction")),
          &QAction::triggered, this, [this] { tools_->setBrushRadius(tools_->brushRadius() - 1); });
  connect(addToolAction(toolsMenu, tr("Larger Brush"), QKeySequence(QStringLiteral("]")),
                        QStringLiteral("largerBrushAction")),
          &QAction::triggered, this, [this] { tools_->setBrushRadius(tools_->brushRadius() + 1); });
  toolsMenu->addSeparator();
  // Plain lambdas, no pointer-to-member-function helper: GCC 12's ASan build reported a stack
  // read through the helper's member-function pointer (main_window.cpp, tools menu).
  connect(addToolAction(toolsMenu, tr("&Fill Holes (active label, this slice)"),
                        QKeySequence(QStringLiteral("F")), QStringLiteral("fillHolesAction")),
          &QAction::triggered, this, [this] {
            const SliceAxis axis = viewerArea_->activeAxis();
            tools_->fillHoles(axis, document_->sliceIndex(axis));
          });
  connect(addToolAction(toolsMenu, tr("Remove Small &Islands (this slice)"),
                        QKeySequence(QStringLiteral("I")), QStringLiteral("removeIslandsAction")),
          &QAction::triggered, this, [this] {
            const SliceAxis axis = viewerArea_->activeAxis();
            tools_->removeSmallIslands(axis, document_->sliceIndex(axis));
          });
  connect(addToolAction(toolsMenu, tr("&Clear Slice (active label)"), QKeySequence(tr("Shift+Del")),
                        QStringLiteral("clearSliceAction")),
          &QAction::triggered, this, [this] {
            const SliceAxis axis = viewerArea_->activeAxis();
            tools_->clearSlice(axis, document_->sliceIndex(axis));
          });
  toolsMenu->addSeparator();
  QAction* propagateAction =
      addToolAction(toolsMenu, tr("&Propagate Through Volume"), QKeySequence(tr("Ctrl+P")),
                    QStringLiteral("propagateAction"));
  connect(propagateAction, &QAction::triggered, propagation_, &PropagationController::start);
  connect(addToolAction(toolsMenu, tr("Propagation &Settings\u2026"), QKeySequence(),
                        QStringLiteral("propagationSettingsAction")),
          &QAction::triggered, this, [this] {
            PropagationSettingsDialog dialog(propagation_->rules(), this);
            if (dialog.exec() != QDialog::Accepted) return;
            propagation_->setRules(dialog.rules());
            propagation_->rememberRules();
          });
  aiActions_.append(propagateAction);
  toolBar->addAction(propagateAction);
  // How far ahead the engine works: more neighbours make scrolling-and-clicking instant, at the
  // price of background CPU (a ViT-B embedding is seconds on a laptop CPU).
  QMenu* aheadMenu = toolsMenu->addMenu(tr("Pre-compute &Neighbouring Slices"));
  aheadMenu->setObjectName(QStringLiteral("prefetchMenu"));
  auto* aheadGroup = new QActionGroup(this);
  for (const int perSide : {0, 1, 2, 4}) {
    QAction* action = aheadMenu->addAction(perSide == 0 ? tr("Off (only the slice on screen)")
                                                        : tr("%n per side", nullptr, perSide));
    action->setObjectName(QStringLiteral("prefetch%1Action").arg(perSide));
    action->setCheckable(true);
    action->setChecked(perSide == prefetch_->neighbours());
    aheadGroup->addAction(action);
    connect(action, &QAction::triggered, this, [this, perSide] {
      prefetch_->setNeighbours(perSide);
      QSettings().setValue(QStringLiteral("engine/prefetchNeighbours"), perSide);
    });
  }

  // --- Labels ---
  QMenu* labelsMenu = menuBar()->addMenu(tr("&Labels"));
  labelsMenu->setObjectName(QStringLiteral("labelsMenu"));
  connect(addToolAction(labelsMenu, tr("&New Label"), QKeySequence(tr("Ctrl+Shift+N")),
                        QStringLiteral("newLabelAction")),
          &QAction::triggered, labelPanel_, &LabelPanel::addLabel);
  const auto stepLabel = [this](int step) {
    const auto& labels = document_->labelSet().labels();
    for (int i = 0; i < labels.size(); ++i) {
      if (labels[i].value != document_->activeLabel()) continue;
      const int neighbour =
          (i + step + static_cast<int>(labels.size())) % static_cast<int>(labels.size());
      document_->setActiveLabel(labels[neighbour].value);
      return;
    }
  };
  connect(addToolAction(labelsMenu, tr("&Previous Label"), QKeySequence(QStringLiteral(",")),
                        QStringLiteral("previousLabelAction")),
          &QAction::triggered, this, [stepLabel] { stepLabel(-1); });
  connect(addToolAction(labelsMenu, tr("N&ext Label"), QKeySequence(QStringLiteral(".")),
                        QStringLiteral("nextLabelAction")),
          &QAction::triggered, this, [stepLabel] { stepLabel(+1); });

  // --- View ---
  QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
  viewMenu->setObjectName(QStringLiteral("viewMenu"));
  connect(addToolAction(viewMenu, tr("&Three Views"), QKeySequence(tr("Ctrl+1")),
                        QStringLiteral("threeViewsAction")),
          &QAction::triggered, this, [this] { viewerArea_->setSingleLayout(false); });
  connect(addToolAction(viewMenu, tr("&Single View"), QKeySequence(tr("Ctrl+2")),
                        QStringLiteral("singleViewAction")),
          &QAction::triggered, this, [this] { viewerArea_->setSingleLayout(true); });
  connect(addToolAction(viewMenu, tr("&Reset Zoom"), QKeySequence(QStringLiteral("R")),
                        QStringLiteral("resetZoomAction")),
          &QAction::triggered, viewerArea_, &ViewerArea::resetViews);
  const auto stepSlice = [this](int step) {
    const SliceAxis axis = viewerArea_->activeAxis();
    const long long count = static_cast<long long>(document_->sliceCount(axis));
    if (count == 0) return;
    const long long target =
        std::clamp(static_cast<long long>(document_->sliceIndex(axis)) + step, 0LL, count - 1);
    document_->setSliceIndex(axis, static_cast<std::size_t>(target));
  };
  connect(addToolAction(viewMenu, tr("Next Slice"), QKeySequence(Qt::Key_Up),
                        QStringLiteral("nextSliceAction")),
          &QAction::triggered, this, [stepSlice] { stepSlice(+1); });
  connect(addToolAction(viewMenu, tr("Previous Slice"), QKeySequence(Qt::Key_Down),
                        QStringLiteral("previousSliceAction")),
          &QAction::triggered, this, [stepSlice] { stepSlice(-1); });
  QMenu* windowMenu = viewMenu->addMenu(tr("&Window/Level"));
  windowMenu->setObjectName(QStringLiteral("windowMenu"));
  for (const NamedWindow& preset : ctWindowPresets()) {
    const WindowLevel window = preset.window;
    connect(addToolAction(windowMenu, preset.name, QKeySequence(preset.shortcut),
                          QStringLiteral("window%1Action").arg(preset.shortcut)),
            &QAction::triggered, this, [this, window] { document_->setWindow(window); });
  }
  connect(addToolAction(windowMenu, tr("Auto (1st–99th percentile, MR)"),
                        QKeySequence(QStringLiteral("5")), QStringLiteral("windowAutoAction")),
          &QAction::triggered, this, [this] {
            if (document_->hasImage()) document_->setWindow(percentileWindow(*document_->image()));
          });
  connect(addToolAction(windowMenu, tr("Image Default"), QKeySequence(QStringLiteral("0")),
                        QStringLiteral("windowDefaultAction")),
          &QAction::triggered, this, [this] {
            if (document_->hasImage()) document_->setWindow(defaultWindow(*document_->image()));
          });

  // --- Help ---
  QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
  helpMenu->setObjectName(QStringLiteral("helpMenu"));
  connect(
      addToolAction(helpMenu, tr("&Keyboard Shortcuts"), QKeySequence(QKeySequence::HelpContents),
                    QStringLiteral("shortcutsAction")),
      &QAction::triggered, this, &MainWindow::showShortcuts);
  QAction* aboutAction =
      helpMenu->addAction(tr("&About Med-SA Studio"), this, &MainWindow::showAbout);
  aboutAction->setObjectName(QStringLiteral("aboutAction"));
  aboutAction->setMenuRole(QAction::AboutRole);
  QAction* aboutQtAction = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
  aboutQtAction->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::updateActions() {
  const bool ai = engine_->hasEngine();
  aiToolAction_->setEnabled(ai);
  for (QAction* action : aiActions_) action->setEnabled(ai);
  // Enter also closes the polygon, which needs no model.
  acceptAction_->setEnabled(ai || tools_->tool() == Tool::Polygon);
  aiToolAction_->setToolTip(ai ? tr("AI segmentation with %1").arg(engine_->engineName())
                               : tr("No model loaded: choose a checkpoint with File \u2192 Load "
                                    "Model\u2026 (manual tools work without one)"));
  if (!ai && tools_->tool() == Tool::Ai) tools_->setTool(Tool::Navigate);
  if (!ai && !engine_->isLoading() && latencyLabel_->text().isEmpty()) {
    latencyLabel_->setText(tr("AI off: no model (File \u2192 Load Model\u2026)"));
  } else if (ai && latencyLabel_->text().startsWith(tr("AI off"))) {
    latencyLabel_->setText(tr("AI ready"));
  }
}

void MainWindow::showShortcuts() {
  QDialog dialog(this);
  dialog.setObjectName(QStringLiteral("shortcutsDialog"));
  dialog.setWindowTitle(tr("Keyboard Shortcuts"));
  auto* table = new QTableWidget(&dialog);
  table->setObjectName(QStringLiteral("shortcutsTable"));
  table->setColumnCount(2);
  table->setHorizontalHeaderLabels({tr("Action"), tr("Keys")});
  table->verticalHeader()->hide();
  table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  QList<QPair<QString, QString>> rows;
  for (QAction* action : actions()) {
    if (action->shortcuts().isEmpty()) continue;
    QStringList keys;
    for (const QKeySequence& key : action->shortcuts())
      keys << key.toString(QKeySequence::NativeText);
    rows.append({action->text().remove(QLatin1Char('&')), keys.join(QStringLiteral(", "))});
  }
  // Mouse gestures have no QAction; list them too.
  rows.append(
      {tr("AI: positive point / negative point"), tr("Left click / right click (or Shift+click)")});
  rows.append({tr("AI: box prompt"), tr("Left drag")});
  rows.append({tr("Brush size"), tr("[ and ], or Shift+wheel")});
  rows.append({tr("Scroll slices"), tr("Wheel, Up/Down")});
  rows.append({tr("Zoom"), tr("Ctrl+wheel")});
  rows.append({tr("Pan"), tr("Middle drag")});
  rows.append({tr("Window/level"), tr("Right drag (Navigate tool) or Ctrl+right drag")});
  rows.append({tr("Maximise a view"), tr("Double-click (Navigate tool)")});
  table->setRowCount(static_cast<int>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
    table->setItem(i, 1, new QTableWidgetItem(rows[i].second));
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
  connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  auto* layout = new QVBoxLayout(&dialog);
  layout->addWidget(table);
  layout->addWidget(buttons);
  dialog.resize(560, 600);
  dialog.exec();
}

void MainWindow::setEngineDescription(const QString& text) { engineLabel_->setText(text); }

QString MainWindow::engineDescription() const { return engineLabel_->text(); }

void MainWindow::setAboutDetails(const QString& details) { aboutDetails_ = details; }

void MainWindow::setDemoProvider(DemoProvider demo) { demo_ = std::move(demo); }

void MainWindow::setDemoPhotoProvider(DemoProvider photo) { demoPhoto_ = std::move(photo); }

void MainWindow::setAutosaveFolder(const QString& folder) {
  autosave_ = annotations::AutosaveStore(folder);
}

void MainWindow::showAbout() {
  const QString version = QString::fromUtf8(projectVersion().data(), projectVersion().size());
  QMessageBox::about(
      this, tr("About Med-SA Studio"),
      tr("<h3>Med-SA Studio %1</h3>"
         "<p>Interactive medical image annotation with an in-process "
         "Segment Anything engine and medical adapters that learn from your work.</p>"
         "<p>Licensed under the Apache License 2.0.</p>")
              .arg(version) +
          aboutDetails_);
}

void MainWindow::showError(const QString& title, const Error& error) {
  QString text = fromStd(error.message);
  if (!error.path.empty()) text = tr("%1\n\nFile: %2").arg(text, fromStd(error.path));
  statusBar()->showMessage(title, 8000);
  QMessageBox::warning(this, title, text);
}

void MainWindow::openFileDialog() {
  if (!confirmReplacingLabels()) return;
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open Image"), QSettings().value(QStringLiteral("lastFolder")).toString(),
      tr("Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.png *.jpg *.jpeg *.tif *.tiff "
         "*.bmp);;All files (*)"));
  if (!path.isEmpty()) openPath(path);
}

void MainWindow::openFolderDialog() {
  if (!confirmReplacingLabels()) return;
  const QString path = QFileDialog::getExistingDirectory(
      this, tr("Open DICOM Folder"), QSettings().value(QStringLiteral("lastFolder")).toString());
  if (!path.isEmpty()) openPath(path);
}

void MainWindow::openPath(const QString& path) {
  if (!reader_) {
    showError(tr("Cannot open image"), Error{ErrorCode::Unavailable, "no image reader", {}});
    return;
  }
  if (isLoading()) {
    statusBar()->showMessage(tr("Still opening %1").arg(loadingPath_), 4000);
    return;
  }
  if (!scanner_ || !QFileInfo(path).isDir()) {
    readPath(path, QString());
    return;
  }
  // A folder: list its series first (headers only), so the user can choose one.
  showLoadProgress(path);
  scanWatcher_.setFuture(
      QtConcurrent::run([scanner = scanner_, p = path.toStdString(),
                         progress = loadProgress_]() -> Result<std::vector<SeriesEntry>> {
        try {
          return scanner(p, progress.get(), progress->token());
        } catch (const std::exception& e) {
          return Error{ErrorCode::Internal, e.what(), p};
        } catch (...) {
          return Error{ErrorCode::Internal, "unknown error while scanning the folder", p};
        }
      }));
}

void MainWindow::showLoadProgress(const QString& path) {
  loadingPath_ = path;
  loadProgress_ = std::make_shared<PolledProgress>();
  progressBar_->setValue(0);
  progressBar_->show();
  cancelButton_->show();
  progressTimer_.start();
  statusBar()->showMessage(tr("Opening %1\u2026").arg(QFileInfo(path).fileName()));
}

void MainWindow::hideLoadProgress() {
  progressTimer_.stop();
  progressBar_->hide();
  cancelButton_->hide();
  loadProgress_.reset();
}

void MainWindow::readPath(const QString& path, const QString& series) {
  showLoadProgress(path);
  loadingSeries_ = series;
  // The worker owns copies of what it needs; errors come back as values, never exceptions.
  loadWatcher_.setFuture(
      QtConcurrent::run([reader = reader_, p = path.toStdString(), uid = series.toStdString(),
                         progress = loadProgress_]() -> Result<Image> {
        try {
          return reader(p, uid, progress.get(), progress->token());
        } catch (const std::exception& e) {
          return Error{ErrorCode::Internal, e.what(), p};
        } catch (...) {
          return Error{ErrorCode::Internal, "unknown error while reading", p};
        }
      }));
}

void MainWindow::openingFailed(const QString& title, Error error) {
  pendingRecovery_.reset();
  if (error.code == ErrorCode::Cancelled) {
    statusBar()->showMessage(tr("Opening cancelled"), 4000);
    return;
  }
  if (error.path.empty()) error.path = loadingPath_.toStdString();
  showError(title, error);
}

void MainWindow::onFolderScanned() {
  hideLoadProgress();
  Result<std::vector<SeriesEntry>> result = scanWatcher_.result();
  if (result && result->empty())
    result = Error{ErrorCode::NotAnImage, "no DICOM image series in this folder", {}};
  if (!result) {
    openingFailed(tr("Cannot open DICOM folder"), result.error());
    return;
  }
  const std::vector<SeriesEntry>& series = result.value();
  QString uid = series.front().uid;
  if (series.size() > 1) {
    const QString last =
        QSettings().value(QStringLiteral("recentSeries")).toMap().value(loadingPath_).toString();
    SeriesPickerDialog picker(loadingPath_, series, last, this);
    if (picker.exec() != QDialog::Accepted || picker.selectedUid().isEmpty()) {
      pendingRecovery_.reset();
      statusBar()->showMessage(tr("Opening cancelled"), 4000);
      return;
    }
    uid = picker.selectedUid();
  }
  readPath(loadingPath_, uid);
}

void MainWindow::onImageRead() {
  hideLoadProgress();
  Result<Image> result = loadWatcher_.result();
  if (!result) {
    openingFailed(tr("Cannot open image"), result.error());
    return;
  }
  rememberRecent(loadingPath_);
  if (!loadingSeries_.isEmpty()) rememberSeries(loadingPath_, loadingSeries_);
  auto image = std::make_shared<Image>(std::move(result).value());
  // Series of one folder are different images: their embeddings must not share cache keys.
  QString id = QFileInfo(loadingPath_).absoluteFilePath();
  if (!loadingSeries_.isEmpty()) id += QStringLiteral("#series=") + loadingSeries_;
  openImage(std::move(image), loadingPath_, id);
}

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

void MainWindow::openImage(std::shared_ptr<Image> image, const QString& path, const QString& id) {
  if (!image || image->isEmpty()) return;
  if (image->size(3) > 1) {
    // Annotation is per volume; the first time point is shown (the rest are kept on disk).
    Result<Image> first = extractVolume(*image, 0);
    if (first) *image = std::move(first).value();
    statusBar()->showMessage(tr("A 4D image: showing its first time point"), 6000);
  }
  autosaveTimer_.stop();
  labelsPath_.clear();
  document_->setImage(std::move(image), path, id);
  if (pendingRecovery_) {
    applyRecovered(*pendingRecovery_);
    pendingRecovery_.reset();
  }
  const Image& shown = *document_->image();
  setWindowTitle(
      tr("%1 \u2014 Med-SA Studio").arg(path.isEmpty() ? tr("Demo") : QFileInfo(path).fileName()));
  for (const std::string& warning : shown.metadata.warnings) {
    statusBar()->showMessage(fromStd(warning), 8000);
  }
  preloadNextCase();
  emit imageLoaded();
}

void MainWindow::preloadNextCase() {
  const QString next =
      document_->path().isEmpty() ? QString() : neighbourCase(document_->path(), 1);
  if (next.isEmpty() || !reader_) {
    preloader_->clear();
    return;
  }
  preloader_->preload(next, [reader = reader_](const std::string& path, ProgressSink* progress,
                                               CancellationToken cancel) {
    return reader(path, {}, progress, std::move(cancel));
  });
}

bool MainWindow::openNeighbourCase(int step) {
  if (!document_->hasImage() || document_->path().isEmpty()) return false;
  const QString target = neighbourCase(document_->path(), step);
  if (target.isEmpty()) {
    statusBar()->showMessage(step > 0 ? tr("This is the last case in its folder.")
                                      : tr("This is the first case in its folder."),
                             5000);
    return false;
  }
  if (!confirmReplacingLabels()) return false;
  if (std::shared_ptr<Image> ready = preloader_->take(target)) {
    rememberRecent(target);
    openImage(std::move(ready), target, target);
  } else {
    openPath(target);
  }
  return true;
}

bool MainWindow::confirmReplacingLabels() {
  if (!document_->hasImage() || !document_->isModified()) return true;
  const auto answer = QMessageBox::question(
      this, tr("Unsaved Annotations"),
      tr("The labels have changed since they were last saved. Save them first?"),
      QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  if (answer == QMessageBox::Save) {
    saveLabels(labelsPath_.isEmpty());
    waitForBackgroundWork();
    return !document_->isModified();
  }
  return true;
}

void MainWindow::showEmbeddingProgress(double fraction, bool background) {
  const int percent = static_cast<int>(fraction * 100 + 0.5);
  busyLabel_->setText(background ? tr("Pre-computing embeddings ahead\u2026 %1 %").arg(percent)
                                 : tr("Computing image embedding\u2026 %1 %").arg(percent));
  busyLabel_->setStyleSheet(background ? QStringLiteral("color: gray")
                                       : QStringLiteral("color: #e0a000"));
  busyLabel_->show();
}

void MainWindow::openDemo() {
  if (!demo_) return;
  openImage(demo_(), QString(), QStringLiteral("demo:phantom"));
}

void MainWindow::openDemoPhoto() {
  if (!demoPhoto_) return;
  openImage(demoPhoto_(), QString(), QStringLiteral("demo:fundus"));
}

void MainWindow::updateRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
  for (const QString& path : recent) {
    recentMenu_->addAction(path, this, [this, path] {
      if (confirmReplacingLabels()) openPath(path);
    });
  }
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::updateHover(bool valid, std::size_t x, std::size_t y, std::size_t z) {
  if (!valid || !document_->hasImage()) {
    positionLabel_->clear();
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
  positionLabel_->setText(
      tr("(%1, %2, %3)  value %4  label %5").arg(x).arg(y).arg(z).arg(value, labelName));
}

void MainWindow::saveLabels(bool askPath) {
  if (!document_->hasImage()) return;
  QString path = labelsPath_;
  if (askPath || path.isEmpty()) {
    const bool flat = !document_->isVolume();
    QString suggestion =
        document_->path().isEmpty()
            ? QStringLiteral("labels")
            : QFileInfo(document_->path()).completeBaseName() + QStringLiteral("_labels");
    suggestion += flat ? QStringLiteral(".png") : QStringLiteral(".nii.gz");
    path = QFileDialog::getSaveFileName(
        this, tr("Save Labels"),
        QFileInfo(QSettings().value(QStringLiteral("lastFolder")).toString(), suggestion)
            .filePath(),
        flat ? tr("PNG label image (*.png);;NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd)")
             : tr("NIfTI (*.nii.gz *.nii);;NRRD (*.nrrd);;MetaImage (*.mha)"));
    if (path.isEmpty()) return;
  }
  labelsPath_ = path;
  saveWatcher_.waitForFinished();
  // A copy of the label volume (a memcpy) goes to the worker, so editing can go on meanwhile.
  saveWatcher_.setFuture(
      QtConcurrent::run([map = document_->labels(), set = document_->labelSet(), path]() {
        return annotations::saveLabelMap(map, set, path);
      }));
  document_->setModified(false);
}

void MainWindow::openLabelsDialog() {
  if (!document_->hasImage()) return;
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open Labels"), QSettings().value(QStringLiteral("lastFolder")).toString(),
      tr("Label maps (*.nii *.nii.gz *.nrrd *.mha *.png);;All files (*)"));
  if (!path.isEmpty()) openLabelsFile(path);
}

void MainWindow::openLabelsFile(const QString& path) {
  if (!document_->hasImage()) return;
  auto* watcher = new QFutureWatcher<Result<annotations::LoadedLabelMap>>(this);
  connect(watcher, &QFutureWatcher<Result<annotations::LoadedLabelMap>>::finished, this,
          [this, watcher, path, image = document_->image()] {
            Result<annotations::LoadedLabelMap> loaded = watcher->result();
            watcher->deleteLater();
            if (image != document_->image()) return;  // another image was opened meanwhile
            if (!loaded) {
              showError(tr("Cannot open labels"), loaded.error());
              return;
            }
            document_->setLabels(std::move(loaded->map), std::move(loaded->labels));
            labelsPath_ = path;
            statusBar()->showMessage(tr("Labels opened from %1").arg(path), 5000);
          });
  watcher->setFuture(QtConcurrent::run(
      [path, image = document_->image()] { return annotations::loadLabelMap(path, *image); }));
}

void MainWindow::chooseModel() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Load Model"), QSettings().value(QStringLiteral("model/checkpoint")).toString(),
      tr("SAM / Med-SA checkpoints (*.pth *.pt *.safetensors);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue(QStringLiteral("model/checkpoint"), path);
  loadModel(path);
}

void MainWindow::loadModel(const QString& checkpoint) {
  if (!modelLoader_) return;
  busyLabel_->setText(tr("Loading model\u2026"));
  busyLabel_->show();
  engine_->load(modelLoader_(checkpoint), QFileInfo(checkpoint).fileName());
  updateActions();
}

void MainWindow::scheduleAutosave() {
  if (document_->hasImage()) autosaveTimer_.start();
}

void MainWindow::autosaveNow() {
  autosaveTimer_.stop();
  if (!document_->hasImage() || document_->labels().isEmpty()) return;
  if (autosaveWatcher_.isRunning()) {
    autosaveAgain_ = true;  // one write at a time; the newest state follows right after
    return;
  }
  annotations::AutosaveSnapshot snapshot;
  snapshot.imagePath = document_->path();
  snapshot.imageId = document_->imageId();
  snapshot.series = QString::fromStdString(document_->image()->metadata.seriesInstanceUid);
  snapshot.labels = document_->labelSet();
  snapshot.labelImage = document_->labels().image();
  snapshot.savedAt = QDateTime::currentDateTimeUtc();
  autosaveWatcher_.setFuture(QtConcurrent::run(
      [store = autosave_, snapshot = std::move(snapshot)] { return store.write(snapshot); }));
}

void MainWindow::waitForBackgroundWork() {
  while (loadWatcher_.isRunning() || saveWatcher_.isRunning() || autosaveWatcher_.isRunning()) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  QCoreApplication::processEvents();
}

bool MainWindow::offerRecovery(bool ask) {
  if (recoveryWatcher_.isRunning() || !autosave_.exists()) return false;
  // The autosave can be a whole label volume: read and verify it off the UI thread.
  askBeforeRecovery_ = ask;
  recoveryWatcher_.setFuture(QtConcurrent::run([store = autosave_] { return store.read(); }));
  return true;
}

void MainWindow::onRecoveryRead() {
  const bool recovering = startRecovery(recoveryWatcher_.result());
  emit recoveryChecked(recovering);
}

bool MainWindow::startRecovery(Result<annotations::AutosaveSnapshot> snapshot) {
  if (!snapshot) {
    showError(tr("Cannot recover the autosave"), snapshot.error());
    return false;
  }
  if (askBeforeRecovery_) {
    const QString what = snapshot->imagePath.isEmpty() ? tr("the demo image") : snapshot->imagePath;
    const auto answer = QMessageBox::question(
        this, tr("Recover Annotations"),
        tr("Med-SA Studio did not close normally. Annotations of %1 were autosaved at %2.\n\n"
           "Recover them?")
            .arg(what, QLocale().toString(snapshot->savedAt.toLocalTime(), QLocale::ShortFormat)),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) return false;  // the file stays until the next autosave
  }
  pendingRecovery_ = std::move(snapshot).value();
  if (pendingRecovery_->imagePath.isEmpty()) {
    if (pendingRecovery_->imageId == QStringLiteral("demo:fundus") && demoPhoto_) {
      openDemoPhoto();
      return true;
    }
    if (pendingRecovery_->imageId == QStringLiteral("demo:phantom") && demo_) {
      openDemo();
      return true;
    }
    pendingRecovery_.reset();
    return false;
  }
  // A DICOM series is read again directly: a folder's picker would ask which one.
  if (!pendingRecovery_->series.isEmpty()) {
    readPath(pendingRecovery_->imagePath, pendingRecovery_->series);
    return true;
  }
  openPath(pendingRecovery_->imagePath);
  return true;
}

void MainWindow::applyRecovered(const annotations::AutosaveSnapshot& snapshot) {
  Image labels = snapshot.labelImage;
  if (!document_->hasImage() || labels.size(0) != document_->image()->size(0) ||
      labels.size(1) != document_->image()->size(1) ||
      labels.size(2) != document_->image()->size(2)) {
    showError(tr("Cannot recover the autosave"),
              Error{ErrorCode::InvalidArgument,
                    "the image has changed since it was autosaved (its size differs)",
                    snapshot.imagePath.toStdString()});
    return;
  }
  Result<annotations::LabelMap> map = annotations::LabelMap::fromImage(std::move(labels));
  if (!map) return;
  document_->setLabels(std::move(map).value(), snapshot.labels);
  document_->setModified(true);
  statusBar()->showMessage(
      tr("Recovered the annotations autosaved at %1")
          .arg(QLocale().toString(snapshot.savedAt.toLocalTime(), QLocale::ShortFormat)),
      8000);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (document_->hasImage() && document_->isModified()) {
    const auto answer = QMessageBox::question(
        this, tr("Unsaved Annotations"),
        tr("The labels have changed since they were last saved. Save them before closing?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel) {
      event->ignore();
      return;
    }
    if (answer == QMessageBox::Save) {
      saveLabels(labelsPath_.isEmpty());
      waitForBackgroundWork();
      if (document_->isModified()) {
        event->ignore();
        return;
      }
    }
  }
  autosaveTimer_.stop();
  waitForBackgroundWork();
  // A clean exit: nothing to recover next time.
  autosave_.remove();
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (!urls.isEmpty() && urls.first().isLocalFile() && confirmReplacingLabels())
    openPath(urls.first().toLocalFile());
}

}  // namespace medsa::ui
