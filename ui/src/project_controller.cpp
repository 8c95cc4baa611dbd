#include "medsa/ui/project_controller.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QPointer>

#include "medsa/annotations/project_store.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "project_worker.h"

namespace medsa::ui {

using annotations::CaseRecord;
using annotations::CaseStatus;
using annotations::ProjectStore;

namespace {

constexpr int kFlushMs = 10000;

/// What the project thread reads after any change: the label set and the cases.
struct Snapshot {
  QString name;
  annotations::LabelSet labels;
  std::vector<CaseRecord> cases;
  QString filesFolder;
  bool shared = false;
};

Result<Snapshot> snapshotOf(ProjectStore& store) {
  Result<annotations::LabelSet> labels = store.labels();
  if (!labels) return labels.error();
  Result<std::vector<CaseRecord>> cases = store.cases();
  if (!cases) return cases.error();
  return Snapshot{store.name(), std::move(labels).value(), std::move(cases).value(), store.folder(),
                  store.shared()};
}

}  // namespace

ProjectController::ProjectController(DocumentSession* session, QObject* parent)
    : QObject(parent), session_(session), worker_(new ProjectWorker) {
  worker_->moveToThread(&thread_);
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.setObjectName(QStringLiteral("medsa-project"));
  thread_.start();
  clock_.start();
  flushTimer_.setInterval(kFlushMs);
  connect(&flushTimer_, &QTimer::timeout, this, &ProjectController::flush);
  connect(&flushTimer_, &QTimer::timeout, this, &ProjectController::renewLease);
  // Changes from other workstations arrive in bursts (a take, a save, a release): one refresh.
  refreshSoon_.setSingleShot(true);
  refreshSoon_.setInterval(250);
  connect(&refreshSoon_, &QTimer::timeout, this, &ProjectController::refresh);
  // A case saved through the session has a new version: the list shows its labels.
  connect(session_, &DocumentSession::saved, this, [this] {
    if (current_) refresh();
  });
}

ProjectController::~ProjectController() {
  // The last effort and log are written, and a team's case given back, before the thread ends
  // (a queued job might not run).
  if (shared_ && held_) {
    QMetaObject::invokeMethod(
        worker_,
        [worker = worker_, id = *held_] {
          if (worker->store) worker->store->releaseCase(id, annotations::currentUser());
        },
        Qt::BlockingQueuedConnection);
  }
  if (std::function<Status(ProjectStore&)> job = takeFlushJob()) {
    QMetaObject::invokeMethod(
        worker_,
        [worker = worker_, job] {
          if (worker->store) job(*worker->store);
        },
        Qt::BlockingQueuedConnection);
  }
  thread_.quit();
  thread_.wait();
}

// --- the project ---

void ProjectController::open(const QString& folder) {
  const bool url = ProjectStore::isDatabaseUrl(folder);
  const QString absolute = url ? folder : QFileInfo(folder).absoluteFilePath();
  if (!ProjectStore::exists(absolute)) {
    emit failed(tr("Cannot open the project"),
                Error{ErrorCode::FileNotFound, "no project here (no project.medsa)",
                      absolute.toStdString()});
    return;
  }
  close();
  // One window per project folder: a second one would annotate the same cases behind its back.
  // A team's project needs no such lock: its leases keep annotators apart.
  if (!url) {
    auto lock =
        std::make_unique<QLockFile>(QDir(absolute).filePath(QStringLiteral("project.lock")));
    lock->setStaleLockTime(0);
    if (!lock->tryLock(0)) {
      qint64 pid = 0;
      QString host, app;
      lock->getLockInfo(&pid, &host, &app);
      emit failed(tr("Cannot open the project"),
                  Error{ErrorCode::Unavailable,
                        "the project is open in another Med-SA Studio window (process " +
                            std::to_string(pid) + " on " + host.toStdString() + ")",
                        absolute.toStdString()});
      return;
    }
    lock_ = std::move(lock);
  }
  QPointer<ProjectController> self(this);
  QMetaObject::invokeMethod(
      worker_,
      [worker = worker_, self, absolute] {
        Result<std::unique_ptr<ProjectStore>> opened = ProjectStore::open(absolute);
        Result<Snapshot> snapshot =
            opened ? snapshotOf(*opened.value()) : Result<Snapshot>(opened.error());
        QString last;
        if (opened) {
          Result<QString> state =
              opened.value()->userState(annotations::currentUser(), QStringLiteral("case"));
          if (state) last = state.value();
          worker->store = std::move(opened).value();
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, absolute, snapshot = std::move(snapshot), last] {
              if (!self) return;
              if (!snapshot) {
                self->lock_.reset();
                emit self->failed(tr("Cannot open the project"), snapshot.error());
                return;
              }
              self->folder_ = absolute;
              self->filesFolder_ = snapshot->filesFolder;
              self->shared_ = snapshot->shared;
              if (self->shared_) self->watchChanges();
              self->name_ = snapshot->name;
              self->labels_ = snapshot->labels;
              self->cases_ = snapshot->cases;
              self->flushTimer_.start();
              emit self->opened(self->name_);
              emit self->casesChanged();
              // Back to where this user was.
              bool ok = false;
              const qint64 id = last.toLongLong(&ok);
              if (ok && self->findCase(id)) self->openCase(id);
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

void ProjectController::create(const QString& folder, const QString& name,
                               const annotations::LabelSet& labels) {
  const QString absolute =
      ProjectStore::isDatabaseUrl(folder) ? folder : QFileInfo(folder).absoluteFilePath();
  QPointer<ProjectController> self(this);
  QMetaObject::invokeMethod(
      worker_,
      [self, absolute, name, labels] {
        Status made = Status();
        {
          Result<std::unique_ptr<ProjectStore>> created =
              ProjectStore::create(absolute, name, labels);
          if (!created) made = created.error();
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, absolute, made] {
              if (!self) return;
              if (!made) {
                emit self->failed(tr("Cannot create the project"), made.error());
                return;
              }
              self->open(absolute);
            },
            Qt::QueuedConnection);
      },
      Qt::QueuedConnection);
}

void ProjectController::close() {
  if (!isOpen()) return;
  flush();
  releaseLease();
  QMetaObject::invokeMethod(
      worker_, [worker = worker_] { worker->store.reset(); }, Qt::QueuedConnection);
  flushTimer_.stop();
  lock_.reset();
  folder_.clear();
  filesFolder_.clear();
  shared_ = false;
  refreshSoon_.stop();
  name_.clear();
  cases_.clear();
  current_.reset();
  pending_.reset();
  emit closed();
  emit casesChanged();
  emit currentCaseChanged();
}

void ProjectController::import(const QString& path, const annotations::ImportOptions& options) {
  post<Result<std::pair<int, int>>>(
      [path, options](ProjectStore& store) -> Result<std::pair<int, int>> {
        Result<std::vector<annotations::ImportedCase>> imported =
            annotations::importIntoProject(store, path, options);
        if (!imported) return imported.error();
        int added = 0;
        for (const annotations::ImportedCase& c : imported.value()) added += c.added ? 1 : 0;
        return std::make_pair(added, static_cast<int>(imported->size()));
      },
      [this](Result<std::pair<int, int>> result) {
        if (!result) {
          emit failed(tr("Cannot import"), result.error());
          return;
        }
        emit imported(result->first, result->second);
        refresh();
      });
}

void ProjectController::refresh() {
  post<Result<Snapshot>>(snapshotOf, [this](Result<Snapshot> snapshot) {
    if (!snapshot) {
      emit failed(tr("Cannot read the project"), snapshot.error());
      return;
    }
    labels_ = snapshot->labels;
    cases_ = snapshot->cases;
    emit casesChanged();
  });
}

const CaseRecord* ProjectController::findCase(qint64 id) const {
  for (const CaseRecord& c : cases_)
    if (c.id == id) return &c;
  return nullptr;
}

QString ProjectController::progressText() const {
  int done = 0;
  for (const CaseRecord& c : cases_) done += annotations::isLabelled(c.status) ? 1 : 0;
  return tr("%1 of %2 done").arg(done).arg(cases_.size());
}

// --- cases ---

bool ProjectController::openCase(qint64 id) {
  const CaseRecord* record = findCase(id);
  if (!record) return false;
  if (!QFileInfo::exists(record->imagePath)) {
    emit imageMissing(id, record->imagePath);
    return false;
  }
  if (shared_ && held_ != id) {
    takeAndOpen(id);  // opens once the lease is ours
    return true;
  }
  return requestCase(id);
}

bool ProjectController::requestCase(qint64 id) {
  const CaseRecord* record = findCase(id);
  if (!record) return false;
  flush();
  pending_ = id;
  if (shared_ && record->latest) {
    // A team's case: its labels come from the database into this machine's cache first.
    post<Result<QString>>(
        [latest = *record->latest](ProjectStore& store) { return store.labelFile(latest); },
        [this, id, latest = *record->latest, path = record->imagePath,
         series = record->series](Result<QString> file) {
          if (pending_ != id) return;  // the user moved on meanwhile
          if (!file) {
            emit failed(tr("Cannot read the case's labels"), file.error());
            return;
          }
          opening_ = latest;  // what adoptCase shows, whatever a refresh brings meanwhile
          emit openCaseRequested(path, series);
        });
    return true;
  }
  emit openCaseRequested(record->imagePath, record->series);
  return true;
}

void ProjectController::relink(qint64 id, const QString& path) {
  const CaseRecord* record = findCase(id);
  if (!record) return;
  post<Status>(
      [id, path, series = record->series](ProjectStore& store) -> Status {
        Result<QString> hash = annotations::imageContentHash(path, series);
        if (!hash) return hash.error();
        return store.relink(id, path, hash.value());
      },
      [this, id](Status done) {
        if (!done) {
          emit failed(tr("Cannot relink the image"), done.error());
          return;
        }
        post<Result<Snapshot>>(snapshotOf, [this, id](Result<Snapshot> snapshot) {
          if (!snapshot) return;
          cases_ = snapshot->cases;
          emit casesChanged();
          openCase(id);
        });
      });
}

std::optional<qint64> ProjectController::neighbourUnfinished(int step) const {
  if (cases_.empty()) return std::nullopt;
  long at = step > 0 ? -1 : static_cast<long>(cases_.size());
  if (current_) {
    for (std::size_t i = 0; i < cases_.size(); ++i)
      if (cases_[i].id == *current_) at = static_cast<long>(i);
  }
  for (long i = at + step; i >= 0 && i < static_cast<long>(cases_.size()); i += step) {
    const CaseRecord& c = cases_[static_cast<std::size_t>(i)];
    const bool someoneElses = !c.leaseHolder.isEmpty() && held_ != c.id;
    if (annotations::isUnfinished(c.status) && !someoneElses) return c.id;
  }
  return std::nullopt;
}

void ProjectController::setStatus(qint64 id, CaseStatus status) {
  post<Status>([id, status](ProjectStore& store) { return store.setStatus(id, status); },
               [this](Status done) {
                 if (!done) emit failed(tr("Cannot change the case's status"), done.error());
                 refresh();
               });
  for (CaseRecord& c : cases_)
    if (c.id == id) c.status = status;  // shown at once; the refresh confirms it
  emit casesChanged();
}

void ProjectController::imageShown(const QString& path, const QString& series) {
  const CaseRecord* wanted = pending_ ? findCase(*pending_) : nullptr;
  // A case of one file (a DICOM file imported on its own included) has no series of its own:
  // the series UID the file carries must not make it another image.
  if (wanted &&
      QFileInfo(wanted->imagePath).absoluteFilePath() == QFileInfo(path).absoluteFilePath() &&
      (wanted->series.isEmpty() || wanted->series == series)) {
    adoptCase(*pending_);
    return;
  }
  // Something outside the project: no case is current.
  flush();
  pending_.reset();
  if (current_) {
    current_.reset();
    emit currentCaseChanged();
  }
}

void ProjectController::adoptCase(qint64 id) {
  pending_.reset();
  current_ = id;
  active_.restart();
  const CaseRecord record = *findCase(id);
  // A team's case shows the version fetched for it (the list may have moved on since).
  const std::optional<annotations::LabelVersion> latest =
      shared_ && opening_ && opening_->caseId == id ? opening_ : record.latest;
  opening_.reset();
  // A fresh counter per case: a save still running for the previous case cannot move it.
  basedOn_ = std::make_shared<std::atomic<int>>(latest ? latest->version : 0);
  // Saving writes the case's next version in the project (on the session's worker thread,
  // with a connection of its own).
  session_->setLabelTarget(
      {tr("case %1").arg(record.name),
       [folder = folder_, id, model = model_, adapter = adapter_, shared = shared_,
        basedOn = basedOn_](const annotations::LabelMap& map,
                            const annotations::LabelSet& set) -> Result<QString> {
         Result<std::unique_ptr<ProjectStore>> store = ProjectStore::open(folder);
         if (!store) return store.error();
         // Labels added in a case become the project's labels (added, never rewritten: another
         // annotator may be adding theirs at the same moment).
         if (Status s = store.value()->addLabels(set); !s) return s.error();
         // On a team's project the save is checked against the version the edit began from.
         Result<annotations::LabelVersion> saved =
             store.value()->saveLabels(id, map, set, annotations::currentUser(),
                                       shared ? std::optional<int>(basedOn->load()) : std::nullopt);
         if (!saved) return saved.error();
         if (!saved->conflict.isEmpty()) {
           // Kept, not lost; but these are not the case's labels, so the save did not succeed.
           return Error{ErrorCode::Conflict,
                        "not saved as the case's labels: " + saved->conflict.toStdString() +
                            "; your labels are kept as conflict version " +
                            std::to_string(saved->version),
                        saved->path.toStdString()};
         }
         basedOn->store(saved->version);
         if (!model.isEmpty()) store.value()->setModel(id, model, adapter);
         return saved->path;
       }});
  if (latest)
    session_->openLabelsAsSaved(latest->path);
  else
    session_->setInitialLabelSet(labels_);
  const QString user = annotations::currentUser();
  post<Status>(
      [id, user, status = record.status](ProjectStore& store) -> Status {
        if (status == CaseStatus::New) {
          if (Status s = store.setStatus(id, CaseStatus::InProgress); !s) return s;
        }
        return store.setUserState(user, QStringLiteral("case"), QString::number(id));
      },
      [this](Status done) {
        if (!done) emit failed(tr("Cannot update the project"), done.error());
        refresh();
      });
  emit currentCaseChanged();
}

// --- effort and the interaction log ---

void ProjectController::noteActivity() {
  if (!current_) return;
  active_.activity(clock_.elapsed() / 1000.0);
  lastActivityMs_ = QDateTime::currentMSecsSinceEpoch();
}

void ProjectController::setModelName(const QString& model, const QString& adapter) {
  model_ = model;
  adapter_ = adapter;
}

void ProjectController::recordInteraction(const QString& kind, const QJsonObject& detail,
                                          double iou) {
  if (!current_) return;
  noteActivity();
  emit interacted();
  annotations::Interaction entry;
  entry.caseId = *current_;
  entry.msSinceEpoch = QDateTime::currentMSecsSinceEpoch();
  entry.kind = kind;
  entry.detail = detail;
  if (iou >= 0) entry.iou = iou;
  log_.push_back(std::move(entry));
  ++interactions_;
  if (kind == QStringLiteral("point") || kind == QStringLiteral("box")) ++clicks_;
}

std::function<Status(ProjectStore&)> ProjectController::takeFlushJob() {
  if (!current_ || (log_.empty() && active_.seconds() <= 0 && clicks_ == 0)) return {};
  const qint64 id = *current_;
  const double seconds = active_.take();
  const qint64 clicks = std::exchange(clicks_, 0);
  const qint64 interactions = std::exchange(interactions_, 0);
  return [id, seconds, clicks, interactions,
          log = std::exchange(log_, {})](ProjectStore& store) -> Status {
    if (Status s = store.logInteractions(log); !s) return s;
    return store.addEffort(id, seconds, clicks, interactions);
  };
}

void ProjectController::flush() {
  std::function<Status(ProjectStore&)> job = takeFlushJob();
  if (!job) return;
  post<Status>(std::move(job), [this](Status done) {
    if (!done) emit failed(tr("Cannot record the interaction log"), done.error());
  });
}

}  // namespace medsa::ui
