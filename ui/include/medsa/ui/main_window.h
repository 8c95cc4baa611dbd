#pragma once

#include <QFutureWatcher>
#include <QMainWindow>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "medsa/annotations/autosave_store.h"
#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"
#include "medsa/ui/engine_controller.h"

class QLabel;
class QProgressBar;
class QToolButton;
class QUndoView;

namespace medsa::ui {

class CasePreloader;
class Document;
class LabelPanel;
class PolledProgress;
class PrefetchPlanner;
class PropagationController;
class ToolController;
class ViewerArea;

/// Reads an image file or DICOM folder (medsa_io, injected by the app so the UI never links it).
/// `series` picks a folder's DICOM series by its SeriesInstanceUID ("": the reader's default).
using ImageReader = std::function<Result<Image>(const std::string& path, const std::string& series,
                                                ProgressSink* progress, CancellationToken cancel)>;
/// One image series of a DICOM folder, as the series picker lists it.
struct SeriesEntry {
  QString uid;  ///< SeriesInstanceUID
  QString description;
  QString modality;
  int seriesNumber = 0;
  int rows = 0;
  int columns = 0;
  int images = 0;  ///< slices or frames
};
/// Lists the image series of a DICOM folder (medsa_io, injected by the app like the reader).
using SeriesScanner = std::function<Result<std::vector<SeriesEntry>>(
    const std::string& folder, ProgressSink* progress, CancellationToken cancel)>;
/// Saves / loads label maps next to an image; the default uses medsa_annotations' label_map_io.
/// Builds an engine factory for a checkpoint path (the app knows the model layer).
using ModelLoader = std::function<EngineFactory(const QString& checkpoint)>;
/// Built-in data for --demo and for recovering an autosave of it.
using DemoProvider = std::function<std::shared_ptr<Image>()>;

/// The application window: menus, the three linked views, the label and history panels, the
/// status bar with position, value, label, engine state and latency. Files are read and written
/// on worker threads; the engine runs on its own thread; annotations are autosaved atomically.
class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  ViewerArea* viewerArea() const { return viewerArea_; }
  Document* document() const { return document_; }
  ToolController* tools() const { return tools_; }
  EngineController* engine() const { return engine_; }
  PrefetchPlanner* prefetchPlanner() const { return prefetch_; }
  PropagationController* propagation() const { return propagation_; }
  CasePreloader* casePreloader() const { return preloader_; }

  /// A short description of the segmentation engine ("LibTorch 1.13.1 · CPU · 2 threads"),
  /// shown permanently at the right of the status bar. The app composes it; the UI never asks
  /// the engine directly.
  void setEngineDescription(const QString& text);
  QString engineDescription() const;
  /// Extra lines for the About box (library versions), supplied by the app.
  void setAboutDetails(const QString& details);

  void setImageReader(ImageReader reader) { reader_ = std::move(reader); }
  /// With a scanner, opening a folder lists its series first and asks which one to read when
  /// there are several; without one the reader picks its default series.
  void setSeriesScanner(SeriesScanner scanner) { scanner_ = std::move(scanner); }
  void setModelLoader(ModelLoader loader) { modelLoader_ = std::move(loader); }
  void setDemoProvider(DemoProvider demo);
  void setDemoPhotoProvider(DemoProvider photo);
  /// Where autosaves go (tests use a temporary folder).
  void setAutosaveFolder(const QString& folder);
  annotations::AutosaveStore autosaveStore() const { return autosave_; }

  /// Opens a file or folder on a worker thread; imageLoaded or a message box follows. A folder
  /// with several DICOM series shows the series picker first.
  void openPath(const QString& path);
  /// Shows an image that is already in memory (the demo, tests).
  void openImage(std::shared_ptr<Image> image, const QString& path, const QString& id);
  void openDemo();
  /// The built-in photograph, for trying 2D segmentation (File → Open Demo Photograph).
  void openDemoPhoto();
  /// Reads a label map for the open image on a worker thread (File → Open Labels).
  void openLabelsFile(const QString& path);
  /// Loads the model on the engine thread; AI tools enable when it is ready.
  void loadModel(const QString& checkpoint);
  /// If an autosave is left over from a session that did not end cleanly, reads it on a worker
  /// thread and offers to recover it (ask = false recovers without asking). Returns whether
  /// there was one to read; recoveryChecked follows then.
  bool offerRecovery(bool ask = true);
  /// Writes the autosave now, on a worker thread.
  void autosaveNow();
  /// Waits (event loop running) for background saves to finish; for tests and closing.
  void waitForBackgroundWork();
  bool isLoading() const { return loadWatcher_.isRunning() || scanWatcher_.isRunning(); }
  /// Opens the case `step` places after the open one in its folder (File → Next/Previous Case);
  /// a case read ahead in the background opens at once. Returns false at either end.
  bool openNeighbourCase(int step);

 signals:
  void imageLoaded();
  void autosaved(bool ok);
  void labelsSaved(bool ok);
  void propagationFinished(int slices);
  /// After offerRecovery: whether the autosave is being recovered (its image opening, the labels
  /// applied when it is shown), or not (unreadable, declined, or its image is gone).
  void recoveryChecked(bool recovering);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void createDocks();
  void createMenus();
  void createStatusBar();
  QAction* addToolAction(QMenu* menu, const QString& text, const QKeySequence& key,
                         const QString& name);
  void showAbout();
  void showShortcuts();
  void openFileDialog();
  void openFolderDialog();
  void onImageRead();
  void showLoadProgress(const QString& path);
  void hideLoadProgress();
  void readPath(const QString& path, const QString& series);
  void onFolderScanned();
  /// Reports a failed scan or read (a cancel is only noted) and drops a pending recovery.
  void openingFailed(const QString& title, Error error);
  void rememberSeries(const QString& folder, const QString& uid);
  void rememberRecent(const QString& path);
  void preloadNextCase();
  /// Before the open labels are replaced: Save / Discard / Cancel when they changed since the
  /// last save. Returns whether to go on.
  bool confirmReplacingLabels();
  void showEmbeddingProgress(double fraction, bool background);
  void updateRecentMenu();
  void saveLabels(bool askPath);
  void openLabelsDialog();
  void chooseModel();
  void updateHover(bool valid, std::size_t x, std::size_t y, std::size_t z);
  void updateActions();
  void scheduleAutosave();
  void onRecoveryRead();
  bool startRecovery(Result<annotations::AutosaveSnapshot> snapshot);
  void applyRecovered(const annotations::AutosaveSnapshot& snapshot);
  void showError(const QString& title, const Error& error);

  Document* document_;
  EngineController* engine_;
  ToolController* tools_;
  ViewerArea* viewerArea_ = nullptr;
  PrefetchPlanner* prefetch_ = nullptr;
  PropagationController* propagation_ = nullptr;
  CasePreloader* preloader_ = nullptr;
  LabelPanel* labelPanel_ = nullptr;
  QUndoView* undoView_ = nullptr;

  QLabel* engineLabel_ = nullptr;
  QLabel* positionLabel_ = nullptr;
  QLabel* latencyLabel_ = nullptr;
  QLabel* busyLabel_ = nullptr;
  QProgressBar* progressBar_ = nullptr;
  QToolButton* cancelButton_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QList<QAction*> aiActions_;
  QAction* aiToolAction_ = nullptr;
  QAction* acceptAction_ = nullptr;
  QString aboutDetails_;

  ImageReader reader_;
  ModelLoader modelLoader_;
  DemoProvider demo_;
  DemoProvider demoPhoto_;
  SeriesScanner scanner_;
  QString loadingPath_;
  QString loadingSeries_;
  std::shared_ptr<PolledProgress> loadProgress_;
  QFutureWatcher<Result<Image>> loadWatcher_;
  QFutureWatcher<Result<std::vector<SeriesEntry>>> scanWatcher_;
  QTimer progressTimer_;
  std::optional<annotations::AutosaveSnapshot> pendingRecovery_;
  QFutureWatcher<Result<annotations::AutosaveSnapshot>> recoveryWatcher_;
  bool askBeforeRecovery_ = true;

  QString labelsPath_;
  QFutureWatcher<Status> saveWatcher_;
  annotations::AutosaveStore autosave_;
  QFutureWatcher<Status> autosaveWatcher_;
  bool autosaveAgain_ = false;
  QTimer autosaveTimer_;
};

}  // namespace medsa::ui
