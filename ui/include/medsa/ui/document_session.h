#pragma once

#include <QDateTime>
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "medsa/annotations/autosave_folder.h"
#include "medsa/annotations/label_map_io.h"
#include "medsa/core/error.h"
#include "medsa/core/image.h"

namespace medsa::ui {

class Document;

/// An orphaned autosave as the recovery dialog lists it (read from its header only).
struct RecoverableWork {
  QString imagePath;  ///< "" for built-in data
  QString imageId;
  QString series;
  QDateTime savedAt;
  QStringList labelNames;
  QString file;   ///< the autosave file
  QString error;  ///< why it cannot be recovered ("" when it can)
};

/// The life of the user's work on the open image, with no widget in sight: which labels file it
/// belongs to, whether it is saved, its autosave and the recovery of a crashed session's. The
/// window asks the user and shows results; every rule that keeps labels from being lost is here,
/// where a unit test drives it:
/// - labels count as saved only after a write succeeded, and only in the state they had when
///   that write started (edits made meanwhile stay unsaved);
/// - each running instance autosaves into its own locked file; a crash leaves it as an orphan
///   that the next start lists; no instance touches another live instance's file;
/// - a recovered autosave is deleted only once its labels are safe in this instance's own
///   autosave; if its image cannot be opened, it stays for the next start.
class DocumentSession : public QObject {
  Q_OBJECT

 public:
  explicit DocumentSession(Document* document, QObject* parent = nullptr);
  ~DocumentSession() override;

  Document* document() const { return document_; }

  /// Where autosaves go (before the first one; tests use a temporary folder).
  void setAutosaveFolder(const QString& folder);
  QString autosaveFolder() const { return folder_.path(); }
  /// This instance's autosave file ("" before the first autosave).
  QString autosaveFile() const;

  // --- the open image ---
  /// Shows `image` with empty, saved labels; when a recovery waits for this image, its labels
  /// are put on it (unsaved) as soon as they are read.
  void open(std::shared_ptr<const Image> image, const QString& path, const QString& id);
  /// Opening an image failed; a recovery waiting for it is given up (its file stays).
  void openFailed(const Error& error);

  // --- labels on disk ---
  QString labelsPath() const { return labelsPath_; }
  /// Whether the labels differ from what was last saved, opened or discarded.
  bool isModified() const;
  bool isSaving() const { return saveWatcher_.isRunning() || queuedSave_.has_value(); }
  /// Writes the labels to `path` (format by extension) on a worker thread; `done` gets the
  /// outcome. Only a successful write makes `path` the labels path and the labels saved.
  void save(const QString& path, std::function<void(const Status&)> done = {});
  /// Reads a label map for the open image on a worker thread. Success replaces the labels as
  /// one undo step (the earlier labels stay one Undo away) and makes `path` the labels path.
  void openLabels(const QString& path);
  /// The user chose to drop the unsaved labels: they count as saved, their autosave goes.
  void discardChanges();

  /// Where "Save" writes when there is a place other than a file (a project case): `write`
  /// runs on a worker thread and returns the file it wrote. Cleared when another image opens.
  struct LabelTarget {
    QString name;  ///< for messages ("case liver_003")
    std::function<Result<QString>(const annotations::LabelMap&, const annotations::LabelSet&)>
        write;
  };
  void setLabelTarget(LabelTarget target) { target_ = std::move(target); }
  bool hasLabelTarget() const { return static_cast<bool>(target_.write); }
  QString labelTargetName() const { return target_.name; }
  /// Saves to the label target (as save() does to a file).
  void saveToTarget(std::function<void(const Status&)> done = {});
  /// Gives the open image's (empty) labels this label set, as saved: a project case that has
  /// no labels yet starts with the project's labels.
  void setInitialLabelSet(const annotations::LabelSet& set);
  /// Puts the labels of `path` on the open image as its saved state (no undo step): the labels
  /// a project case was last saved with. labelsOpened or labelsOpenFailed follows. Edits made
  /// while the file is read are kept: the saved labels then go underneath them as one undo
  /// step (unsaved); labels recovered meanwhile, being newer, stay as they are.
  void openLabelsAsSaved(const QString& path);

  // --- autosave ---
  /// Autosaves a few seconds after the last change (edits come in bursts).
  void scheduleAutosave();
  /// Autosaves now, on a worker thread (one write at a time; the newest state follows).
  void autosaveNow();
  /// The edit generation the last successful autosave holds (0: none).
  quint64 autosavedGeneration() const { return autosavedGeneration_; }

  // --- recovery ---
  /// Looks for autosaves of instances that ended abnormally and reads their headers on a worker
  /// thread; orphansFound follows. False when a search is already running.
  bool findOrphans();
  const std::vector<RecoverableWork>& orphans() const { return orphanInfo_; }
  /// Recovers orphan `index`: openRequested asks the window for its image, and its labels are
  /// put on the image when open() shows it. The other orphans are released (kept on disk).
  bool recover(int index);
  /// Deletes orphan `index` (the user discarded it).
  void deleteOrphan(int index);
  /// Lets go of the orphans without recovering any (they are offered again next start).
  void releaseOrphans();
  bool isRecovering() const { return recovery_ != nullptr; }

  /// The window closes: waits for writes in flight, then removes this instance's autosave
  /// when nothing is unsaved (else it stays, as after a crash) and releases its lock.
  void finishCleanly();
  /// Waits (event loop running) until no save, autosave or label read is in flight.
  void waitForWrites();

 signals:
  void modifiedChanged(bool modified);
  void saved(const QString& path);
  void saveFailed(const QString& path, const medsa::Error& error);
  /// After each autosave write or removal.
  void autosaved(bool ok, const QString& message);
  void labelsOpened(const QString& path);
  void labelsOpenFailed(const medsa::Error& error);
  void orphansFound(int count);
  /// Recovery needs its image opened: a file or folder (with its DICOM series), or built-in
  /// data (`builtinId`, with an empty path).
  void openRequested(const QString& path, const QString& series, const QString& builtinId);
  void recovered(const QDateTime& savedAt);
  void recoveryFailed(const medsa::Error& error);

 private:
  struct Recovery;
  struct AutosaveJob;
  void markSaved(quint64 generation);
  /// Puts the labels read by openLabels / openLabelsAsSaved on the image, by the rules there.
  Status applyLabelsRead();
  /// The saved labels of the open image under the labels shown (edits made while they were
  /// read win wherever they labelled a voxel, and the user's names and colours win), as one
  /// undo step.
  Status putUnderneath(annotations::LoadedLabelMap saved, const QString& path);
  void updateModified();
  void startSave(const QString& path, std::function<void(const Status&)> done);
  void onSaveFinished();
  void onAutosaveFinished();
  void onOrphansRead();
  void onRecoveryRead();
  void applyRecovery();
  void giveUpRecovery(Error error);
  bool ensureOwnClaim();

  Document* document_;
  annotations::AutosaveFolder folder_;
  std::unique_ptr<annotations::AutosaveClaim> own_;
  QString labelsPath_;
  quint64 savedGeneration_ = 0;
  bool lastModified_ = false;
  bool opening_ = false;

  struct SaveRequest {
    QString path;  ///< "" for the label target
    std::function<void(const Status&)> done;
    /// The image whose labels are saved: a save that ends (or would start) after another image
    /// was opened must not name that image's labels file or mark its labels saved.
    std::weak_ptr<const Image> image;
  };
  bool stillShowing(const SaveRequest& request) const;
  /// Starts the queued save unless a save or a read of the saved labels is in flight.
  void startQueuedSave();
  LabelTarget target_;
  bool labelsAsSaved_ = false;
  QFutureWatcher<Result<QString>> saveWatcher_;
  // In flight until the finished handler has run (a watcher's isRunning() turns false when the
  // worker ends, before the handler is delivered).
  bool saving_ = false;
  bool readingLabels_ = false;
  std::optional<SaveRequest> runningSave_;
  std::optional<SaveRequest> queuedSave_;
  quint64 savingGeneration_ = 0;

  QTimer autosaveTimer_;
  QFutureWatcher<Status> autosaveWatcher_;
  bool autosaveAgain_ = false;
  quint64 autosavingGeneration_ = 0;
  quint64 autosavedGeneration_ = 0;
  bool autosaveRemoves_ = false;

  QFutureWatcher<Result<annotations::LoadedLabelMap>> labelsWatcher_;
  QString labelsReading_;
  std::weak_ptr<const Image> labelsImage_;
  quint64 labelsGeneration_ = 0;   ///< the labels' generation when the read began
  bool labelsSuperseded_ = false;  ///< recovered labels were applied during the read

  QFutureWatcher<std::vector<RecoverableWork>> orphansWatcher_;
  std::vector<annotations::OrphanedAutosave> orphanClaims_;
  std::vector<RecoverableWork> orphanInfo_;
  std::unique_ptr<Recovery> recovery_;
  /// A recovered orphan, deleted once this instance's own autosave holds its labels: a write
  /// of generation adoptedGeneration_ or later.
  std::unique_ptr<annotations::AutosaveClaim> adopted_;
  quint64 adoptedGeneration_ = 0;
};

}  // namespace medsa::ui
