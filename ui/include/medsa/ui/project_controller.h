#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "medsa/annotations/active_time.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_types.h"
#include "medsa/core/error.h"

class QLockFile;

namespace medsa::annotations {
class ProjectStore;
}

namespace medsa::ui {

class DocumentSession;
class ProjectWorker;

/// The open project as the window uses it, with no widget in sight: its cases (refreshed from
/// the store), the case being annotated, status changes, navigation to the next unfinished case,
/// the effort and the interaction log of the case. The store lives on a thread of its own (the
/// UI thread never waits on the database); this instance holds the project's lock, so a second
/// window cannot annotate the same project at once. Saving a case's labels goes through the
/// document session (its label target), so every rule of the session holds for projects too.
///
/// A team's project (a PostgreSQL URL) adds leases: opening a case takes it (refused while
/// someone else holds it), Next Case takes the first free unfinished case, the lease is renewed
/// while the user works and given back when they move on; a save made on an out-of-date case is
/// kept as a conflict version and reported, never lost; other workstations' changes refresh the
/// case list, and a newly promoted adapter is announced (adapterPublished).
class ProjectController : public QObject {
  Q_OBJECT

 public:
  explicit ProjectController(DocumentSession* session, QObject* parent = nullptr);
  ~ProjectController() override;

  /// Opens (or, with a name, creates) the project in `folder` (or at a PostgreSQL URL); opened
  /// or failed follows.
  void open(const QString& folder);
  void create(const QString& folder, const QString& name, const annotations::LabelSet& labels);
  /// Imports a file or folder into the open project; imported or failed follows.
  void import(const QString& path, const annotations::ImportOptions& options = {});
  /// Closes the project (after the effort of the open case is recorded).
  void close();

  bool isOpen() const { return !folder_.isEmpty(); }
  /// Where the project is: its folder or its URL (what open() takes).
  QString folder() const { return folder_; }
  /// Where its files are on this machine: the folder, or a team project's local cache.
  QString filesFolder() const { return filesFolder_; }
  /// A team's project on PostgreSQL (leases apply).
  bool isShared() const { return shared_; }
  /// Seconds a lease lasts without activity.
  static constexpr int kLeaseSeconds = 300;
  QString name() const { return name_; }
  const std::vector<annotations::CaseRecord>& cases() const { return cases_; }
  const annotations::LabelSet& labels() const { return labels_; }
  /// The case on screen (nullopt when none, or a file opened outside the project).
  std::optional<qint64> currentCase() const { return current_; }
  const annotations::CaseRecord* findCase(qint64 id) const;
  /// "37 of 120 done" (done and reviewed count as done).
  QString progressText() const;

  /// Asks for the case's image to be opened (openCaseRequested); when the window shows it
  /// (imageShown), the case's latest labels are put on it and it becomes the current case.
  bool openCase(qint64 id);
  /// Points a case at its image in a new place (the content is checked) and opens it.
  void relink(qint64 id, const QString& path);
  /// The next / previous unfinished case after the current one, in project order (on a team's
  /// project, one nobody else is annotating).
  std::optional<qint64> neighbourUnfinished(int step) const;
  /// A team's project: takes the first unfinished case nobody holds (atomically, in the
  /// database) and opens it; a message says when none is free.
  void openNextFree();
  /// The case requested last is not shown after all (the user chose to stay): the case on
  /// screen stays current, and on a team's project its lease is taken back from the requested
  /// case.
  void stayOnCurrentCase();
  /// Sets a case's status (done and reviewed once its labels are saved).
  void setStatus(qint64 id, annotations::CaseStatus status);

  /// The window opened an image: the case asked for becomes current, anything else leaves the
  /// project's cases alone.
  void imageShown(const QString& path, const QString& series);
  /// Activity in the views (clicks, strokes, keys) counts as active time of the current case.
  void noteActivity();
  /// The model the engine runs, recorded with each case's labels.
  void setModelName(const QString& model, const QString& adapter);
  /// Writes the effort and interaction log gathered since the last flush (also on a timer).
  void flush();

 public slots:
  /// A tool interaction (ToolController::interaction) or an undo/redo ("undo", "redo").
  void recordInteraction(const QString& kind, const QJsonObject& detail, double iou);

 signals:
  void opened(const QString& name);
  void closed();
  void failed(const QString& title, const medsa::Error& error);
  void casesChanged();
  void currentCaseChanged();
  void imported(int added, int total);
  /// The window should open this image (a DICOM folder with its series).
  void openCaseRequested(const QString& path, const QString& series);
  /// The user prompted, drew, accepted, undid or redid something in the open case (the
  /// background trainer pauses while this goes on).
  void interacted();
  /// The case's image is not where it was: the window may ask the user to find it.
  void imageMissing(qint64 caseId, const QString& path);
  void message(const QString& text);
  /// A team's project: another machine made adapter `version` live.
  void adapterPublished(int version);

 private:
  template <typename T>
  void post(std::function<T(annotations::ProjectStore&)> job, std::function<void(T)> done);
  void refresh();
  void adoptCase(qint64 id);
  /// Emits openCaseRequested for a case this window may work on.
  bool requestCase(qint64 id);
  // Leases of a team's project (project_controller_team.cpp).
  void takeAndOpen(qint64 id);
  void renewLease();
  void releaseLease();
  void watchChanges();
  void remoteChange(const QString& change);
  /// The effort and log gathered since the last flush, as a job for the project thread.
  std::function<Status(annotations::ProjectStore&)> takeFlushJob();

  DocumentSession* session_;
  QThread thread_;
  ProjectWorker* worker_ = nullptr;
  std::unique_ptr<QLockFile> lock_;
  QString folder_;
  QString filesFolder_;
  bool shared_ = false;
  std::optional<qint64> held_;  ///< the case this window holds a lease on
  qint64 lastActivityMs_ = 0;
  /// The label version the edit on screen started from (saves are checked against it).
  std::shared_ptr<std::atomic<int>> basedOn_ = std::make_shared<std::atomic<int>>(0);
  /// The label version fetched for the case being opened (a team's project).
  std::optional<annotations::LabelVersion> opening_;
  QTimer refreshSoon_;
  QString name_;
  annotations::LabelSet labels_;
  std::vector<annotations::CaseRecord> cases_;
  std::optional<qint64> current_;
  std::optional<qint64> pending_;
  QString model_, adapter_;
  annotations::ActiveTime active_;
  QElapsedTimer clock_;
  qint64 clicks_ = 0;
  qint64 interactions_ = 0;
  std::vector<annotations::Interaction> log_;
  QTimer flushTimer_;
};

}  // namespace medsa::ui
