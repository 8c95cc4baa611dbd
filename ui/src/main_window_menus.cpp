// MainWindow's menus, tool bar and actions, and the small dialogs they open. The window's
// composition and its flows (opening, saving, recovery) are in main_window.cpp.
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSettings>
#include <QTableWidget>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

#include "medsa/core/build_info.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/label_panel.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/model_menu.h"
#include "medsa/ui/prefetch_planner.h"
#include "medsa/ui/propagation_controller.h"
#include "medsa/ui/propagation_settings_dialog.h"
#include "medsa/ui/shortcuts_dialog.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/viewer_area.h"
#include "medsa/ui/window_presets.h"

namespace medsa::ui {

QString withoutMnemonic(QString text) {
  // "文件(&F)" (translations put the mnemonic in brackets) and "&File" both lose it.
  static const QRegularExpression bracketed(QStringLiteral("\\(&.\\)"));
  text.remove(bracketed);
  return text.remove(QLatin1Char('&'));
}

QAction* MainWindow::addToolAction(QMenu* menu, const QString& text, const QKeySequence& key,
                                   const QString& name) {
  QAction* action = menu->addAction(text);
  action->setObjectName(name);
  action->setShortcut(key);
  if (isViewKey(key)) {
    // A plain key (Enter, Tab, Up, a letter) acts on the image only while the views have the
    // keyboard: typed into the label editor or a list, it belongs to that widget.
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    viewerArea_->addAction(action);
  } else {
    action->setShortcutContext(Qt::WindowShortcut);
    addAction(action);  // works while the menu bar is hidden or another widget has focus
  }
  return action;
}

bool MainWindow::isViewKey(const QKeySequence& key) {
  if (key.isEmpty()) return false;
  const QKeyCombination first = key[0];
  const bool modified =
      first.keyboardModifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier);
  const bool function = first.key() >= Qt::Key_F1 && first.key() <= Qt::Key_F35;
  return !modified && !function;
}

void MainWindow::createMenus() {
  createFileMenu();
  createToolsMenu();
  createViewMenus();
  addModelMenu(this);
}

void MainWindow::createFileMenu() {
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
          &QAction::triggered, this, [this] { whenLabelsAreSafe([this] { openDemo(); }); });
  connect(addToolAction(fileMenu, tr("Open Demo &Photograph"), QKeySequence(),
                        QStringLiteral("demoPhotoAction")),
          &QAction::triggered, this, [this] { whenLabelsAreSafe([this] { openDemoPhoto(); }); });
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
  // Spelled out: QKeySequence::SaveAs is empty on plain X11 desktops.
  connect(addToolAction(fileMenu, tr("Save Labels &As\u2026"), QKeySequence(tr("Ctrl+Shift+S")),
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
}

void MainWindow::createToolsMenu() {
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
  QToolBar* toolBar = toolBar_ = addToolBar(tr("Tools"));
  toolBar->setObjectName(QStringLiteral("toolBar"));
  // The first thing a new user needs is a way in.
  QAction* open = findChild<QAction*>(QStringLiteral("openAction"));
  open->setIconText(tr("Open\u2026"));
  toolBar->addAction(open);
  toolBar->addSeparator();
  for (const ToolEntry& entry : entries) {
    QAction* action = addToolAction(toolsMenu, entry.text, QKeySequence(entry.key), entry.name);
    action->setToolTip(withoutMnemonic(entry.text));
    action->setIconText(withoutMnemonic(entry.toolBarText));
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
  accept->setIconText(withoutMnemonic(accept->text()));
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
  propagateAction->setIconText(withoutMnemonic(propagateAction->text()));
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
}

void MainWindow::createViewMenus() {
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
  // "AI off" only while no model is there or coming: at first start the starter loads, and
  // the status bar must not say both "Loading model" and "no model".
  const bool noModel = !ai && !engine_->isLoading();
  if (noModel && status_->latency().isEmpty()) {
    status_->setLatency(tr("AI off: no model (File \u2192 Load Model\u2026)"));
  } else if (!noModel &&
             (status_->latency().isEmpty() || status_->latency().startsWith(tr("AI off")))) {
    status_->setLatency(ai ? tr("AI ready") : QString());
  }
}

void MainWindow::showShortcuts() {
  ShortcutsDialog dialog(actions() + viewerArea_->actions(), this);
  dialog.exec();
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

void MainWindow::openFileDialog() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open Image"), QSettings().value(QStringLiteral("lastFolder")).toString(),
      tr("Images (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd *.dcm *.png *.jpg *.jpeg *.tif *.tiff "
         "*.bmp);;All files (*)"));
  if (!path.isEmpty()) whenLabelsAreSafe([this, path] { openPath(path); });
}

void MainWindow::openFolderDialog() {
  const QString path = QFileDialog::getExistingDirectory(
      this, tr("Open DICOM Folder"), QSettings().value(QStringLiteral("lastFolder")).toString());
  if (!path.isEmpty()) whenLabelsAreSafe([this, path] { openPath(path); });
}

void MainWindow::updateRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
  for (const QString& path : recent) {
    recentMenu_->addAction(path, this,
                           [this, path] { whenLabelsAreSafe([this, path] { openPath(path); }); });
  }
  recentMenu_->setEnabled(!recent.isEmpty());
}

void MainWindow::openLabelsDialog() {
  if (!document_->hasImage()) return;
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open Labels"), QSettings().value(QStringLiteral("lastFolder")).toString(),
      tr("Label maps (*.nii *.nii.gz *.nrrd *.mha *.png);;All files (*)"));
  if (!path.isEmpty()) openLabelsFile(path);
}

void MainWindow::chooseModel() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Load Model"), QSettings().value(QStringLiteral("model/checkpoint")).toString(),
      tr("SAM / Med-SA checkpoints (*.pth *.pt *.safetensors);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue(QStringLiteral("model/checkpoint"), path);
  loadModel(path);
}

}  // namespace medsa::ui
