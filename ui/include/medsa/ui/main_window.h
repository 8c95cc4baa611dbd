#pragma once

#include <QMainWindow>
#include <QTimer>

#include <functional>
#include <memory>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/image_opener.h"

class QToolBar;
class QUndoView;

namespace medsa::ui {

class CasePreloader;
class Document;
class DocumentSession;
class LabelPanel;
class PrefetchPlanner;
class ProjectController;
class ProjectPanel;
class PropagationController;
class ToolController;
class StatusLine;
class TrainerClient;
class ViewerArea;

/// Builds an engine factory for a checkpoint path (the app knows the model layer).
using ModelLoader = std::function<EngineFactory(const QString& checkpoint)>;
/// Built-in data for --demo and for recovering an autosave of it.
using DemoProvider = std::function<std::shared_ptr<Image>()>;

/// A menu text as a label shows it: without its mnemonic ("&File", "文件(&F)").
QString withoutMnemonic(QString text);

/// What the user wants done with labels that are not saved, before they are replaced.
enum class UnsavedChoice { Save, Discard, Cancel };
/// Asks it (a message box by default; tests and scripted runs answer without one).
using UnsavedLabelsAsker = std::function<UnsavedChoice(const QString& question)>;

/// The application window: it composes the three linked views, the label and history panels,
/// the menus and the status bar, and asks the user what the document session (which owns the
/// rules that keep labels safe) needs to know. Files are read and written on worker threads;
/// the engine runs on its own thread.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  ViewerArea* viewerArea() const { return viewerArea_; }
  Document* document() const { return document_; }
  DocumentSession* session() const { return session_; }
  ImageOpener* opener() const { return opener_; }
  ToolController* tools() const { return tools_; }
  EngineController* engine() const { return engine_; }
  PrefetchPlanner* prefetchPlanner() const { return prefetch_; }
  PropagationController* propagation() const { return propagation_; }
  CasePreloader* casePreloader() const { return preloader_; }
  ProjectController* project() const { return project_; }
  StatusLine* statusLine() const { return status_; }

  /// A short description of the segmentation engine ("LibTorch 1.13.1 · CPU · 2 threads"),
  /// shown permanently at the right of the status bar. The app composes it; the UI never asks
  /// the engine directly.
  void setEngineDescription(const QString& text);
  QString engineDescription() const;
  /// Extra lines for the About box (library versions), supplied by the app.
  void setAboutDetails(const QString& details);

  void setImageReader(ImageReader reader) { opener_->setReader(std::move(reader)); }
  /// With a scanner, opening a folder lists its series first and asks which one to read when
  /// there are several; without one the reader picks its default series.
  void setSeriesScanner(SeriesScanner scanner) { opener_->setScanner(std::move(scanner)); }
  void setModelLoader(ModelLoader loader) { modelLoader_ = std::move(loader); }
  void setDemoProvider(DemoProvider demo) { demo_ = std::move(demo); }
  void setDemoPhotoProvider(DemoProvider photo) { demoPhoto_ = std::move(photo); }
  /// Where autosaves go (tests use a temporary folder).
  void setAutosaveFolder(const QString& folder);
  void setUnsavedLabelsAsker(UnsavedLabelsAsker asker) { askUnsaved_ = std::move(asker); }

  /// Opens a file or folder on a worker thread; imageLoaded or a message box follows. A folder
  /// with several DICOM series shows the series picker first.
  void openPath(const QString& path);
  /// Shows an image that is already in memory (the demo, tests).
  void openImage(std::shared_ptr<Image> image, const QString& path, const QString& id);
  void openDemo();
  /// The built-in photograph, for trying 2D segmentation (File → Open Demo Photograph).
  void openDemoPhoto();
  /// Reads a label map for the open image on a worker thread (File → Open Labels); unsaved
  /// labels are offered for saving first, and the replaced ones stay one Undo away.
  void openLabelsFile(const QString& path);
  /// Loads the model off the UI thread (EngineController::load); AI tools enable when it is
  /// ready, and a model in use answers until then. If it cannot be loaded, the model in use
  /// (if any) stays, and so does its checkpoint.
  void loadModel(const QString& checkpoint);
  /// The checkpoint last given to loadModel ("" before any), or after a load that failed, the
  /// one of the model still in use.
  QString modelCheckpoint() const { return modelCheckpoint_; }
  /// Looks for autosaves of sessions that did not end cleanly (on a worker thread) and offers
  /// them (ask = false recovers the newest without asking). Returns false when none can be
  /// looked for; recoveryChecked follows otherwise.
  bool offerRecovery(bool ask = true);
  /// Writes the autosave now, on a worker thread.
  void autosaveNow();
  /// Waits (event loop running) for background reads and writes to finish.
  void waitForBackgroundWork();
  bool isLoading() const { return opener_->isBusy(); }
  /// Opens the case `step` places after the open one (File → Next/Previous Case): in a project
  /// the next unfinished case in project order, else the next image of the folder (a case read
  /// ahead in the background opens at once). Returns false when there is none.
  bool openNeighbourCase(int step);
  /// Shows the background trainer (a Trainer dock) and its notes; the app composes it.
  void setTrainer(TrainerClient* trainer);
  TrainerClient* trainer() const { return trainer_; }
  /// Runs `then` once the open labels are safe to replace or leave: at once when they are
  /// saved, else after asking (Save: only once the write succeeded; Discard; Cancel: never,
  /// `cancelled` instead).
  void whenLabelsAreSafe(std::function<void()> then, std::function<void()> cancelled = {});

 signals:
  void imageLoaded();
  void autosaved(bool ok);
  void labelsSaved(bool ok);
  void propagationFinished(int slices);
  /// After offerRecovery: whether an autosave is being recovered (its image opening, the
  /// labels applied when it is shown), or not (none, unreadable, declined).
  void recoveryChecked(bool recovering);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  // main_window.cpp: composition and the flows of opening, saving and recovery
  void createDocks();
  void createStatusBar();
  void updateHint();
  void connectSession();
  void connectOpener();
  void connectEngine();
  void openBuiltin(const QString& id);
  void onOrphansFound(int count);
  void showLoadProgress(const QString& path);
  void hideLoadProgress();
  void rememberSeries(const QString& folder, const QString& uid);
  void rememberRecent(const QString& path);
  void preloadNextCase();
  void showEmbeddingProgress(double fraction, bool background);
  void saveLabels(bool askPath, std::function<void()> then = {});
  QString askSavePath();
  void updateHover(bool valid, std::size_t x, std::size_t y, std::size_t z);
  void showError(const QString& title, const Error& error, const QString& advice = {});
  // main_window_project.cpp: the Project menu, the Cases dock and their wiring
  void createProject();
  void createProjectMenu();
  bool openNeighbourProjectCase(int step);
  // main_window_menus.cpp: menus, actions and the dialogs they open
  void createMenus();
  QAction* addToolAction(QMenu* menu, const QString& text, const QKeySequence& key,
                         const QString& name);
  static bool isViewKey(const QKeySequence& key);
  void createFileMenu();
  void createToolsMenu();
  void createViewMenus();
  void updateRecentMenu();
  void updateActions();
  void showAbout();
  void showShortcuts();
  void openFileDialog();
  void openFolderDialog();
  void openLabelsDialog();
  void chooseModel();

  Document* document_;
  DocumentSession* session_;
  ImageOpener* opener_;
  EngineController* engine_;
  ToolController* tools_;
  ViewerArea* viewerArea_ = nullptr;
  PrefetchPlanner* prefetch_ = nullptr;
  PropagationController* propagation_ = nullptr;
  CasePreloader* preloader_ = nullptr;
  ProjectController* project_ = nullptr;
  ProjectPanel* projectPanel_ = nullptr;
  TrainerClient* trainer_ = nullptr;
  QString modelCheckpoint_;
  QString loadedCheckpoint_;  ///< modelCheckpoint_ when the engine last loaded
  LabelPanel* labelPanel_ = nullptr;
  QUndoView* undoView_ = nullptr;

  StatusLine* status_ = nullptr;
  QString openingMessage_;
  QMenu* recentMenu_ = nullptr;
  QToolBar* toolBar_ = nullptr;
  QList<QAction*> aiActions_;
  QAction* aiToolAction_ = nullptr;
  QAction* acceptAction_ = nullptr;
  QString aboutDetails_;

  ModelLoader modelLoader_;
  DemoProvider demo_;
  DemoProvider demoPhoto_;
  UnsavedLabelsAsker askUnsaved_;
  QTimer progressTimer_;
  bool askBeforeRecovery_ = true;
  bool closeApproved_ = false;
};

}  // namespace medsa::ui
