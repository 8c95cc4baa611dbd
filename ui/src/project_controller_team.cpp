// ProjectController on a team's project (PostgreSQL): case leases and other workstations'
// changes. The store enforces the rules (one holder per case, conflict versions); this side
// takes, renews and gives back the lease of the case on screen and keeps the list current.
#include <QDateTime>

#include "medsa/annotations/project_store.h"
#include "medsa/ui/project_controller.h"
#include "project_worker.h"

namespace medsa::ui {

using annotations::CaseRecord;
using annotations::ProjectStore;

namespace {

/// What a take brings back: the case now held and the list as it stands.
struct Taken {
  std::optional<CaseRecord> record;
  std::vector<CaseRecord> cases;
};

}  // namespace

void ProjectController::takeAndOpen(qint64 id) {
  const std::optional<qint64> previous = held_;
  const QString user = annotations::currentUser();
  post<Result<Taken>>(
      [id, previous, user](ProjectStore& store) -> Result<Taken> {
        Result<CaseRecord> taken = store.takeCase(id, user, kLeaseSeconds);
        if (!taken) return taken.error();
        // The old case goes back only once the new one is ours.
        if (previous && *previous != id) store.releaseCase(*previous, user);
        Result<std::vector<CaseRecord>> cases = store.cases();
        return Taken{std::move(taken).value(),
                     cases ? std::move(cases).value() : std::vector<CaseRecord>{}};
      },
      [this, id](Result<Taken> taken) {
        if (!taken) {
          emit failed(tr("Cannot open the case"), taken.error());
          return;
        }
        held_ = id;
        lastActivityMs_ = QDateTime::currentMSecsSinceEpoch();
        if (!taken->cases.empty()) {
          cases_ = std::move(taken->cases);
          emit casesChanged();
        }
        requestCase(id);
      });
}

void ProjectController::stayOnCurrentCase() {
  pending_.reset();
  opening_.reset();
  if (!shared_ || !current_ || held_ == current_) return;
  const qint64 stay = *current_;
  const std::optional<qint64> requested = held_;
  const QString user = annotations::currentUser();
  // From now on renewals and a release on close act on the case on screen (the worker runs
  // them after this take).
  held_ = stay;
  post<Status>(
      [stay, requested, user](ProjectStore& store) -> Status {
        // The case on screen first; only then does the requested one go back.
        Result<CaseRecord> taken = store.takeCase(stay, user, kLeaseSeconds);
        if (!taken) return taken.error();
        if (requested && *requested != stay) store.releaseCase(*requested, user);
        return {};
      },
      [this, requested](Status done) {
        if (!done) {
          // Someone took it meanwhile: saves of it are kept as conflict versions, not lost;
          // the lease this window still has is the requested case's.
          held_ = requested;
          emit failed(tr("Cannot hold the case on screen again"), done.error());
        }
        refresh();
      });
}

void ProjectController::openNextFree() {
  if (!shared_) return;
  const std::optional<qint64> previous = held_;
  const QString user = annotations::currentUser();
  post<Result<Taken>>(
      [previous, user](ProjectStore& store) -> Result<Taken> {
        // The next case is taken first (never the one on screen); only then does the case on
        // screen go back, so a failed take leaves the user holding what they are working on.
        Result<std::optional<CaseRecord>> next = store.takeNextCase(user, kLeaseSeconds, previous);
        if (!next) return next.error();
        if (!next.value()) return Taken{};
        if (previous) store.releaseCase(*previous, user);
        Result<std::vector<CaseRecord>> cases = store.cases();
        return Taken{std::move(next).value(),
                     cases ? std::move(cases).value() : std::vector<CaseRecord>{}};
      },
      [this](Result<Taken> taken) {
        if (!taken) {
          emit failed(tr("Cannot take the next case"), taken.error());
          return;
        }
        if (!taken->cases.empty()) {
          cases_ = std::move(taken->cases);
          emit casesChanged();
        }
        if (!taken->record) {
          emit message(tr("No unfinished case is free: %1").arg(progressText()));
          return;
        }
        held_ = taken->record->id;
        lastActivityMs_ = QDateTime::currentMSecsSinceEpoch();
        if (!requestCase(taken->record->id)) openCase(taken->record->id);
      });
}

void ProjectController::renewLease() {
  if (!shared_ || !held_) return;
  // Renewed while the user works; after kLeaseSeconds without activity it lapses, and the case
  // can go to someone else.
  if (QDateTime::currentMSecsSinceEpoch() - lastActivityMs_ > kLeaseSeconds * 1000LL) return;
  const qint64 id = *held_;
  post<Status>([id, user = annotations::currentUser()](
                   ProjectStore& store) { return store.renewLease(id, user, kLeaseSeconds); },
               [this, id](Status renewed) {
                 // Only someone else holding it ends this window's hold; a database that did not
                 // answer is asked again at the next tick, before the lease runs out.
                 if (renewed || held_ != id || renewed.error().code != ErrorCode::Conflict) return;
                 held_.reset();
                 emit message(tr("This case is no longer yours (%1); your saves will be kept as "
                                 "conflict versions")
                                  .arg(QString::fromStdString(renewed.error().message)));
               });
}

void ProjectController::releaseLease() {
  if (!shared_ || !held_) return;
  const qint64 id = *std::exchange(held_, std::nullopt);
  post<Status>([id, user = annotations::currentUser()](
                   ProjectStore& store) { return store.releaseCase(id, user); },
               {});
}

void ProjectController::watchChanges() {
  QPointer<ProjectController> self(this);
  QMetaObject::invokeMethod(
      worker_,
      [worker = worker_, self] {
        if (!worker->store) return;
        worker->store->watch(worker, [self](const QString& change) {
          QMetaObject::invokeMethod(
              self.data(),
              [self, change] {
                if (self) self->remoteChange(change);
              },
              Qt::QueuedConnection);
        });
      },
      Qt::QueuedConnection);
}

void ProjectController::remoteChange(const QString& change) {
  if (!isOpen()) return;
  if (change.startsWith(QStringLiteral("live:"))) {
    bool ok = false;
    const int version = change.mid(5).toInt(&ok);
    if (ok) emit adapterPublished(version);
  }
  refreshSoon_.start();
}

}  // namespace medsa::ui
