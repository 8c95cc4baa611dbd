#include "medsa/ui/document_session.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QtConcurrent>

#include "medsa/ui/document.h"

namespace medsa::ui {
namespace {

constexpr int kAutosaveIdleMs = 3000;

Error recoveryKept(const QString& file, const std::string& why) {
  return Error{ErrorCode::Unavailable,
               why + "; the autosave is kept and will be offered again at the next start",
               file.toStdString()};
}

}  // namespace

struct DocumentSession::Recovery {
  std::unique_ptr<annotations::AutosaveClaim> claim;
  RecoverableWork info;
  QFutureWatcher<Result<annotations::AutosaveSnapshot>> reader;
  std::optional<annotations::AutosaveSnapshot> snapshot;
  bool imageShown = false;
  quint64 shownGeneration = 0;  ///< the labels' generation when the image was shown
};

DocumentSession::DocumentSession(Document* document, QObject* parent)
    : QObject(parent), document_(document), folder_(annotations::AutosaveFolder::defaultFolder()) {
  autosaveTimer_.setSingleShot(true);
  autosaveTimer_.setInterval(kAutosaveIdleMs);
  connect(&autosaveTimer_, &QTimer::timeout, this, &DocumentSession::autosaveNow);
  connect(&saveWatcher_, &QFutureWatcher<Status>::finished, this, &DocumentSession::onSaveFinished);
  connect(&autosaveWatcher_, &QFutureWatcher<Status>::finished, this,
          &DocumentSession::onAutosaveFinished);
  connect(&orphansWatcher_, &QFutureWatcher<std::vector<RecoverableWork>>::finished, this,
          &DocumentSession::onOrphansRead);
  connect(&labelsWatcher_, &QFutureWatcher<Result<annotations::LoadedLabelMap>>::finished, this,
          [this] {
            readingLabels_ = false;
            const Status applied = applyLabelsRead();
            if (applied)
              emit labelsOpened(labelsReading_);
            else
              emit labelsOpenFailed(applied.error());
            startQueuedSave();  // a save asked for during the read holds what it brought
          });
  const auto changed = [this] {
    if (opening_) return;  // a new image is saved by definition: no flicker through "modified"
    updateModified();
    scheduleAutosave();
  };
  connect(document_, &Document::labelMapChanged, this, changed);
  connect(document_, &Document::labelSetChanged, this, changed);
}

DocumentSession::~DocumentSession() {
  // Writes in flight finish: a half-run save must not be abandoned with the process alive.
  saveWatcher_.waitForFinished();
  autosaveWatcher_.waitForFinished();
  labelsWatcher_.waitForFinished();
  orphansWatcher_.waitForFinished();
  if (recovery_) recovery_->reader.waitForFinished();
}

void DocumentSession::setAutosaveFolder(const QString& folder) {
  folder_ = annotations::AutosaveFolder(folder);
  own_.reset();
}

QString DocumentSession::autosaveFile() const { return own_ ? own_->filePath() : QString(); }

// --- the open image ---

void DocumentSession::open(std::shared_ptr<const Image> image, const QString& path,
                           const QString& id) {
  autosaveTimer_.stop();
  labelsPath_.clear();
  target_ = {};
  opening_ = true;
  document_->setImage(std::move(image), path, id);
  opening_ = false;
  markSaved(document_->editGeneration());
  if (!recovery_) return;
  const RecoverableWork& wanted = recovery_->info;
  const bool same = wanted.imagePath.isEmpty() ? id == wanted.imageId : path == wanted.imagePath;
  if (!same) {
    giveUpRecovery(recoveryKept(
        wanted.file, "another image was opened instead of " + wanted.imagePath.toStdString()));
    return;
  }
  recovery_->imageShown = true;
  recovery_->shownGeneration = document_->editGeneration();
  if (recovery_->snapshot) applyRecovery();
}

void DocumentSession::openFailed(const Error& error) {
  if (!recovery_) return;
  giveUpRecovery(recoveryKept(recovery_->info.file,
                              "its image could not be opened (" + error.describe() + ")"));
}

// --- labels on disk ---

bool DocumentSession::isModified() const {
  return document_->hasImage() && !document_->labels().isEmpty() &&
         document_->editGeneration() != savedGeneration_;
}

void DocumentSession::markSaved(quint64 generation) {
  savedGeneration_ = generation;
  updateModified();
}

void DocumentSession::updateModified() {
  const bool modified = isModified();
  if (modified == lastModified_) return;
  lastModified_ = modified;
  emit modifiedChanged(modified);
}

void DocumentSession::save(const QString& path, std::function<void(const Status&)> done) {
  if (!document_->hasImage() || document_->labels().isEmpty() ||
      (path.isEmpty() && !hasLabelTarget())) {
    const Status none = Error{ErrorCode::InvalidArgument, "no labels to save", path.toStdString()};
    emit saveFailed(path, none.error());
    if (done) done(none);
    return;
  }
  if (saving_ || readingLabels_) {
    // One write at a time, and none before the saved labels are on the image (it would save a
    // version without them); a save asked for meanwhile runs next. The newest request wins; a
    // replaced one to the same place hears how the newer one ended, else that it was replaced.
    if (queuedSave_ && queuedSave_->done) {
      if (queuedSave_->path == path && queuedSave_->image.lock() == document_->image()) {
        done = [earlier = std::move(queuedSave_->done),
                later = std::move(done)](const Status& status) {
          earlier(status);
          if (later) later(status);
        };
      } else {
        queuedSave_->done(Error{ErrorCode::Cancelled, "replaced by a newer save", {}});
      }
    }
    queuedSave_ = SaveRequest{path, std::move(done), document_->image()};
    return;
  }
  startSave(path, std::move(done));
}

void DocumentSession::saveToTarget(std::function<void(const Status&)> done) {
  if (!hasLabelTarget()) {
    const Status none = Error{ErrorCode::InvalidArgument, "no place to save the labels to", {}};
    if (done) done(none);
    return;
  }
  save(QString(), std::move(done));
}

bool DocumentSession::stillShowing(const SaveRequest& request) const {
  return document_->hasImage() && request.image.lock() == document_->image();
}

void DocumentSession::startSave(const QString& path, std::function<void(const Status&)> done) {
  saving_ = true;
  runningSave_ = SaveRequest{path, std::move(done), document_->image()};
  savingGeneration_ = document_->editGeneration();
  // A copy of the label volume (a memcpy) goes to the worker, so editing can go on meanwhile.
  saveWatcher_.setFuture(QtConcurrent::run([map = document_->labels(), set = document_->labelSet(),
                                            path, target = target_]() -> Result<QString> {
    if (path.isEmpty()) return target.write(map, set);
    if (Status saved = annotations::saveLabelMap(map, set, path); !saved) return saved.error();
    return path;
  }));
}

void DocumentSession::onSaveFinished() {
  saving_ = false;
  const Result<QString> written = saveWatcher_.result();
  const Status status = written ? Status() : Status(written.error());
  SaveRequest request = std::move(*runningSave_);
  runningSave_.reset();
  if (status) {
    // Unless another image was opened meanwhile: then the file holds the earlier image's
    // labels, and says nothing about what is shown now.
    if (stillShowing(request)) {
      // A file save names the labels file from now on; a target keeps being the target.
      if (!request.path.isEmpty()) labelsPath_ = request.path;
      markSaved(savingGeneration_);
      autosaveNow();  // nothing unsaved: the autosave goes; else it follows the newer edits
    }
    emit saved(written.value());
  } else {
    emit saveFailed(request.path.isEmpty() ? target_.name : request.path, status.error());
  }
  if (request.done) request.done(status);
  startQueuedSave();
}

void DocumentSession::startQueuedSave() {
  if (!queuedSave_ || saving_ || readingLabels_) return;
  SaveRequest next = std::move(*queuedSave_);
  queuedSave_.reset();
  // Asked for while another image was shown: its path (or target) is that image's.
  if (!stillShowing(next)) {
    if (next.done)
      next.done(Error{ErrorCode::Cancelled, "another image was opened before it could start",
                      next.path.toStdString()});
    return;
  }
  startSave(next.path, std::move(next.done));
}

Status DocumentSession::applyLabelsRead() {
  Result<annotations::LoadedLabelMap> loaded = labelsWatcher_.result();
  const QString path = labelsReading_;
  if (!loaded) return loaded.error();
  if (labelsImage_.lock() != document_->image()) {
    return Error{ErrorCode::Cancelled, "another image was opened while it was read",
                 path.toStdString()};
  }
  if (!labelsAsSaved_) {
    // False when the file holds exactly what is shown: nothing to undo then.
    document_->replaceLabelsUndoably(loaded->map, loaded->labels,
                                     tr("Open labels %1").arg(QFileInfo(path).fileName()));
    // Saving goes back to this file, unless it is a kind labels are never saved as.
    if (annotations::canSaveLabelsAs(path)) labelsPath_ = path;
    markSaved(document_->editGeneration());
  } else if (document_->editGeneration() == labelsGeneration_) {
    document_->setLabels(std::move(loaded->map), std::move(loaded->labels));
    markSaved(document_->editGeneration());
  } else if (!labelsSuperseded_) {
    // The user edited while the saved labels were read: they go underneath the edits, as one
    // undo step, and the result is unsaved (it is not the saved state).
    return putUnderneath(std::move(loaded).value(), path);
  }
  // else recovered labels arrived meanwhile: newer than the saved ones, they stay.
  return {};
}

Status DocumentSession::putUnderneath(annotations::LoadedLabelMap saved, const QString& path) {
  const annotations::LabelMap& shown = document_->labels();
  if (saved.map.image().voxelCount() != shown.image().voxelCount())
    return Error{ErrorCode::InvalidArgument, "the saved labels are on another grid",
                 path.toStdString()};
  Image merged = shown.image();
  std::uint16_t* out = merged.data<std::uint16_t>();
  const std::uint16_t* under = saved.map.image().data<std::uint16_t>();
  for (std::size_t i = 0, n = merged.voxelCount(); i < n; ++i) {
    if (out[i] == 0) out[i] = under[i];
  }
  Result<annotations::LabelMap> map = annotations::LabelMap::fromImage(std::move(merged));
  if (!map) return map.error();
  // Names and colours too: the saved ones only for labels the user's set does not have.
  annotations::LabelSet names = saved.labels;
  for (const annotations::Label& label : document_->labelSet().labels()) {
    if (annotations::Label* existing = names.find(label.value))
      *existing = label;
    else
      names.insert(label);
  }
  document_->replaceLabelsUndoably(map.value(), names, tr("Saved labels of this case"));
  updateModified();
  return {};
}

void DocumentSession::openLabels(const QString& path) {
  if (!document_->hasImage()) return;
  labelsWatcher_.waitForFinished();
  labelsAsSaved_ = false;
  labelsReading_ = path;
  labelsImage_ = document_->image();
  labelsGeneration_ = document_->editGeneration();
  labelsSuperseded_ = false;
  readingLabels_ = true;
  labelsWatcher_.setFuture(QtConcurrent::run(
      [path, image = document_->image()] { return annotations::loadLabelMap(path, *image); }));
}

void DocumentSession::setInitialLabelSet(const annotations::LabelSet& set) {
  if (!document_->hasImage()) return;
  Result<annotations::LabelMap> empty = annotations::LabelMap::createFor(*document_->image());
  if (!empty) return;
  opening_ = true;
  document_->setLabels(std::move(empty).value(), set);
  opening_ = false;
  markSaved(document_->editGeneration());
}

void DocumentSession::openLabelsAsSaved(const QString& path) {
  openLabels(path);
  labelsAsSaved_ = true;
}

void DocumentSession::discardChanges() {
  markSaved(document_->editGeneration());
  autosaveNow();  // removes the autosave of what was discarded
}

// --- autosave ---

void DocumentSession::scheduleAutosave() {
  if (document_->hasImage()) autosaveTimer_.start();
}

bool DocumentSession::ensureOwnClaim() {
  if (own_) return true;
  Result<std::unique_ptr<annotations::AutosaveClaim>> claim = folder_.claimNew();
  if (!claim) {
    emit autosaved(false, QString::fromStdString(claim.error().describe()));
    return false;
  }
  own_ = std::move(claim).value();
  return true;
}

void DocumentSession::autosaveNow() {
  autosaveTimer_.stop();
  if (!document_->hasImage() || document_->labels().isEmpty()) return;
  if (autosaveWatcher_.isRunning()) {
    autosaveAgain_ = true;  // one write at a time; the newest state follows right after
    return;
  }
  const quint64 generation = document_->editGeneration();
  if (!isModified()) {
    // Everything is saved (or discarded): an autosave would only offer stale work after a crash.
    if (!own_ || !own_->store().exists()) return;
    autosaveRemoves_ = true;
    autosavingGeneration_ = generation;
    autosaveWatcher_.setFuture(QtConcurrent::run([store = own_->store()]() -> Status {
      store.remove();
      return {};
    }));
    return;
  }
  if (!ensureOwnClaim()) return;
  annotations::AutosaveSnapshot snapshot;
  snapshot.imagePath = document_->path();
  snapshot.imageId = document_->imageId();
  snapshot.series = QString::fromStdString(document_->image()->metadata.seriesInstanceUid);
  snapshot.labels = document_->labelSet();
  snapshot.labelImage = document_->labels().image();
  snapshot.savedAt = QDateTime::currentDateTimeUtc();
  autosaveRemoves_ = false;
  autosavingGeneration_ = generation;
  autosaveWatcher_.setFuture(QtConcurrent::run(
      [store = own_->store(), snapshot = std::move(snapshot)] { return store.write(snapshot); }));
}

void DocumentSession::onAutosaveFinished() {
  const Status status = autosaveWatcher_.result();
  if (status) {
    autosavedGeneration_ = autosavingGeneration_;
    // The recovered labels are now in this instance's own autosave (or saved): the orphan they
    // came from has done its job.
    // Not by a write that started before the recovered labels were applied (the user edited
    // while they were read): that one does not hold them.
    if (adopted_ && autosavingGeneration_ >= adoptedGeneration_) {
      adopted_->removeFile();
      adopted_.reset();
    }
  }
  emit autosaved(status.ok(),
                 status ? QString() : QString::fromStdString(status.error().describe()));
  if (autosaveAgain_) {
    autosaveAgain_ = false;
    autosaveNow();
  }
}

// --- recovery ---

bool DocumentSession::findOrphans() {
  if (orphansWatcher_.isRunning()) return false;
  releaseOrphans();
  orphanClaims_ = folder_.claimOrphans();
  std::vector<annotations::AutosaveStore> stores;
  for (const annotations::OrphanedAutosave& orphan : orphanClaims_)
    stores.push_back(orphan.claim->store());
  // Headers only: a label volume can be hundreds of megabytes, read when it is recovered.
  orphansWatcher_.setFuture(QtConcurrent::run([stores = std::move(stores)] {
    std::vector<RecoverableWork> found;
    for (const annotations::AutosaveStore& store : stores) {
      RecoverableWork work;
      work.file = store.filePath();
      Result<annotations::AutosaveSnapshot> header = store.readHeader();
      if (header) {
        work.imagePath = header->imagePath;
        work.imageId = header->imageId;
        work.series = header->series;
        work.savedAt = header->savedAt;
        for (const annotations::Label& label : header->labels.labels())
          work.labelNames << label.name;
      } else {
        work.error = QString::fromStdString(header.error().describe());
      }
      found.push_back(std::move(work));
    }
    return found;
  }));
  return true;
}

void DocumentSession::onOrphansRead() {
  orphanInfo_ = orphansWatcher_.result();
  emit orphansFound(static_cast<int>(orphanInfo_.size()));
}

bool DocumentSession::recover(int index) {
  if (index < 0 || index >= static_cast<int>(orphanInfo_.size()) ||
      index >= static_cast<int>(orphanClaims_.size()) || recovery_ ||
      !orphanClaims_[static_cast<std::size_t>(index)].claim)
    return false;
  auto recovery = std::make_unique<Recovery>();
  recovery->claim = std::move(orphanClaims_[static_cast<std::size_t>(index)].claim);
  recovery->info = orphanInfo_[static_cast<std::size_t>(index)];
  releaseOrphans();
  recovery_ = std::move(recovery);
  connect(&recovery_->reader, &QFutureWatcher<Result<annotations::AutosaveSnapshot>>::finished,
          this, &DocumentSession::onRecoveryRead);
  // The label volume is read while the image opens.
  recovery_->reader.setFuture(
      QtConcurrent::run([store = recovery_->claim->store()] { return store.read(); }));
  const RecoverableWork& info = recovery_->info;
  emit openRequested(info.imagePath, info.series,
                     info.imagePath.isEmpty() ? info.imageId : QString());
  return true;
}

void DocumentSession::deleteOrphan(int index) {
  if (index < 0 || index >= static_cast<int>(orphanClaims_.size())) return;
  auto& claim = orphanClaims_[static_cast<std::size_t>(index)].claim;
  if (claim) claim->removeFile();
  claim.reset();
  orphanInfo_[static_cast<std::size_t>(index)].error = tr("deleted");
}

void DocumentSession::releaseOrphans() {
  orphanClaims_.clear();  // each claim releases its lock; the files stay
}

void DocumentSession::onRecoveryRead() {
  if (!recovery_) return;
  Result<annotations::AutosaveSnapshot> snapshot = recovery_->reader.result();
  if (!snapshot) {
    giveUpRecovery(snapshot.error());
    return;
  }
  recovery_->snapshot = std::move(snapshot).value();
  if (recovery_->imageShown) applyRecovery();
}

void DocumentSession::applyRecovery() {
  annotations::AutosaveSnapshot& snapshot = *recovery_->snapshot;
  const Image& labels = snapshot.labelImage;
  const std::shared_ptr<const Image>& image = document_->image();
  if (!image || labels.size(0) != image->size(0) || labels.size(1) != image->size(1) ||
      labels.size(2) != image->size(2)) {
    giveUpRecovery(recoveryKept(recovery_->info.file,
                                "the image has changed since it was autosaved (its size differs)"));
    return;
  }
  Result<annotations::LabelMap> map =
      annotations::LabelMap::fromImage(std::move(snapshot.labelImage));
  if (!map) {
    giveUpRecovery(map.error());
    return;
  }
  const QDateTime savedAt = snapshot.savedAt;
  if (document_->editGeneration() == recovery_->shownGeneration) {
    document_->setLabels(std::move(map).value(), snapshot.labels);  // unsaved until saved
  } else {
    // The labels changed while the autosave was still being read (the user edited, a project
    // put its latest labels on the image): the recovered labels go on top as one step, so
    // Ctrl+Z brings those back instead of losing them.
    document_->replaceLabelsUndoably(map.value(), snapshot.labels,
                                     tr("Recover autosaved annotations"));
  }
  if (readingLabels_) labelsSuperseded_ = true;
  adopted_ = std::move(recovery_->claim);
  adoptedGeneration_ = document_->editGeneration();
  recovery_.reset();
  updateModified();
  autosaveNow();  // once this holds the labels, the orphan is deleted
  emit recovered(savedAt);
}

void DocumentSession::giveUpRecovery(Error error) {
  recovery_.reset();  // the claim goes: the orphan stays on disk, unlocked, for the next start
  emit recoveryFailed(error);
}

// --- the end ---

void DocumentSession::waitForWrites() {
  while (saveWatcher_.isRunning() || autosaveWatcher_.isRunning() || labelsWatcher_.isRunning() ||
         queuedSave_ || autosaveAgain_) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  QCoreApplication::processEvents();
}

void DocumentSession::finishCleanly() {
  autosaveTimer_.stop();
  if (isModified()) autosaveNow();  // the newest state, not the one of a few seconds ago
  waitForWrites();
  if (isModified()) {
    // Unsaved work stays in the autosave, as after a crash: the next start offers it.
    own_.reset();
    adopted_.reset();
    return;
  }
  if (own_) own_->removeFile();
  own_.reset();
  if (adopted_) adopted_->removeFile();
  adopted_.reset();
}

}  // namespace medsa::ui
