#include "trainer_service.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QSettings>

#include <chrono>

#include "medsa/annotations/project_store.h"
#include "medsa/core/sha256.h"
#include "medsa/model/runtime.h"
#include "medsa/model/sam_model.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/tool_controller.h"
#include "training_cycle.h"

namespace medsa::app {
namespace {

using State = ui::TrainerStatus::State;

ui::TrainerVersion toTrainerVersion(const annotations::AdapterVersion& v) {
  ui::TrainerVersion out;
  out.version = v.version;
  out.state = v.state;
  out.created = v.created;
  const QJsonObject candidate = v.metrics.value(QStringLiteral("candidate")).toObject();
  out.diceBox = candidate.value(QStringLiteral("dice_box")).toDouble();
  out.diceClick = candidate.value(QStringLiteral("dice_click")).toDouble();
  out.noc85 = candidate.value(QStringLiteral("noc85")).toDouble();
  out.noc90 = candidate.value(QStringLiteral("noc90")).toDouble();
  out.decision = v.metrics.value(QStringLiteral("decision"))
                     .toObject()
                     .value(QStringLiteral("reason"))
                     .toString();
  out.heldOutCases = v.dataSummary.value(QStringLiteral("heldout_cases")).toInt();
  out.trainCases = v.dataSummary.value(QStringLiteral("train_cases")).toInt();
  const QJsonObject training = v.dataSummary.value(QStringLiteral("training")).toObject();
  out.steps = training.value(QStringLiteral("steps")).toInt();
  out.seconds = training.value(QStringLiteral("seconds")).toDouble();
  return out;
}

}  // namespace

TrainerSettings TrainerSettings::load() {
  QSettings s;
  TrainerSettings t;
  t.steps = std::clamp(s.value(QStringLiteral("trainer/steps"), t.steps).toInt(), 1, 100000);
  t.automatic = s.value(QStringLiteral("trainer/automatic"), t.automatic).toBool();
  t.every = std::clamp(s.value(QStringLiteral("trainer/every"), t.every).toInt(), 1, 1000);
  return t;
}

void TrainerSettings::save() const {
  QSettings s;
  s.setValue(QStringLiteral("trainer/steps"), steps);
  s.setValue(QStringLiteral("trainer/automatic"), automatic);
  s.setValue(QStringLiteral("trainer/every"), every);
}

/// The run's hold on the service, on the trainer thread: status and curve updates, and the
/// waits between steps while the user works or paused training.
class TrainerService::Monitor : public model::TrainingMonitor, public ProgressSink {
 public:
  explicit Monitor(TrainerService& service) : s_(service) {}

  bool proceed(const model::TrainingProgress& p) override {
    update([&](ui::TrainerStatus& status) {
      status.state = p.stage == "training" ? State::Training : State::Preparing;
      status.step = static_cast<int>(p.step);
      status.steps = static_cast<int>(p.steps);
      status.secondsLeft = p.secondsLeft;
    });
    bool waited = false;
    while (!s_.stopRequested_ && (s_.paused_ || userIsWorking())) {
      if (!waited) {
        update([&](ui::TrainerStatus& status) {
          status.state = State::Paused;
          status.message = s_.paused_ ? tr("Paused") : tr("Waiting while you work");
        });
        // While it waits, this thread's parallel workers would make the engine's sleep between
        // parallel steps (runtime.h): the clicks the user makes now would pay for them.
        model::releaseParallelWorkers();
        waited = true;
      }
      std::unique_lock lock(s_.wakeMutex_);
      s_.wake_.wait_for(lock, std::chrono::milliseconds(250));
    }
    if (waited) update([](ui::TrainerStatus& status) { status.message.clear(); });
    return !s_.stopRequested_;
  }

  void stepDone(const model::TrainingProgress& p) override {
    {
      std::lock_guard lock(s_.mutex_);
      s_.curve_.emplace_back(static_cast<double>(p.step), p.loss);
      s_.status_.step = static_cast<int>(p.step);
      s_.status_.secondsLeft = p.secondsLeft;
    }
    QMetaObject::invokeMethod(
        &s_,
        [service = &s_] {
          emit service->curvesChanged();
          emit service->statusChanged();
        },
        Qt::QueuedConnection);
  }

  void planChosen(const model::PlanChoice& plan) override {
    update(
        [&](ui::TrainerStatus& status) { status.plan = QString::fromStdString(plan.description); });
  }

  void note(std::string_view message) override {
    update([&](ui::TrainerStatus& status) { status.message = QString::fromUtf8(message); });
  }

  // The cycle's evaluations (before and after training) and its data loading.
  bool report(double fraction, std::string_view) override {
    const State state = fraction < 0.5 ? State::Preparing : State::Evaluating;
    if (state != last_) {
      last_ = state;
      update([&](ui::TrainerStatus& status) {
        status.state = state;
        status.message = state == State::Evaluating ? tr("Measuring the new adapter")
                                                    : tr("Measuring the live model");
      });
    }
    return !s_.stopRequested_;
  }

 private:
  static QString tr(const char* text) { return TrainerService::tr(text); }
  bool userIsWorking() const {
    const qint64 quiet = QDateTime::currentMSecsSinceEpoch() - s_.lastInteractionMs_.load();
    return quiet < static_cast<qint64>(s_.settings_.idleSeconds * 1000);
  }
  template <typename Change>
  void update(Change change) {
    {
      std::lock_guard lock(s_.mutex_);
      change(s_.status_);
    }
    QMetaObject::invokeMethod(
        &s_, [service = &s_] { emit service->statusChanged(); }, Qt::QueuedConnection);
  }

  TrainerService& s_;
  State last_ = State::Off;
};

TrainerService::TrainerService(ui::MainWindow& window, AdapterEngineFactory engines,
                               BaseModelLoader loadBase, TrainerSettings settings, QObject* parent)
    : ui::TrainerClient(parent),
      window_(window),
      engines_(std::move(engines)),
      loadBase_(std::move(loadBase)),
      settings_(settings) {
  worker_ = new QObject;
  worker_->moveToThread(&thread_);
  thread_.setObjectName(QStringLiteral("trainer"));
  // SCHED_IDLE on Linux: clicks (and everything else) always run first.
  thread_.start(settings_.idlePriority ? QThread::IdlePriority : QThread::InheritPriority);
  ui::ProjectController* project = window_.project();
  connect(project, &ui::ProjectController::opened, this, &TrainerService::projectOpened);
  connect(project, &ui::ProjectController::closed, this, &TrainerService::projectClosed);
  connect(project, &ui::ProjectController::casesChanged, this, &TrainerService::casesChanged);
  connect(project, &ui::ProjectController::interacted, this, &TrainerService::userInteracted);
  // A team's trainer (medsa train --watch, on a server) promoted a version: swap it in.
  connect(project, &ui::ProjectController::adapterPublished, this, [this] { refreshVersions(); });
  // Every prompt, stroke or accept, in a project case or not: training waits while you work.
  connect(window_.tools(), &ui::ToolController::interaction, this, [this] { userInteracted(); });
  if (project->isOpen()) projectOpened();
}

TrainerService::~TrainerService() {
  stopRequested_ = true;
  paused_ = false;
  wake_.notify_all();
  thread_.quit();
  thread_.wait();
  delete worker_;
}

ui::TrainerStatus TrainerService::status() const {
  std::lock_guard lock(mutex_);
  ui::TrainerStatus copy = status_;
  copy.automatic = settings_.automatic;
  copy.every = settings_.every;
  copy.newCases = std::max(0, labelledCases() - labelledAtLastTraining_);
  return copy;
}

std::vector<ui::TrainerVersion> TrainerService::versions() const { return versions_; }

std::vector<std::pair<double, double>> TrainerService::lossCurve() const {
  std::lock_guard lock(mutex_);
  return curve_;
}

void TrainerService::post(std::function<void()> work) {
  QMetaObject::invokeMethod(
      worker_,
      [work = std::move(work)] {
        work();
        // Idle until the next job: the engine thread alone keeps parallel workers.
        model::releaseParallelWorkers();
      },
      Qt::QueuedConnection);
}

void TrainerService::setState(State state, const QString& message) {
  {
    std::lock_guard lock(mutex_);
    status_.state = state;
    status_.message = message;
  }
  emit statusChanged();
}

int TrainerService::labelledCases() const {
  int n = 0;
  for (const annotations::CaseRecord& c : window_.project()->cases()) {
    if ((c.status == annotations::CaseStatus::Done ||
         c.status == annotations::CaseStatus::Reviewed) &&
        c.latest)
      ++n;
  }
  return n;
}

void TrainerService::projectOpened() {
  folder_ = window_.project()->folder();
  // The engine keeps the project's embeddings where the trainer's decoder plan finds them.
  window_.engine()->setEmbeddingFolder(
      QDir(window_.project()->filesFolder()).filePath(QStringLiteral("embeddings")));
  labelledAtLastTraining_ = labelledCases();
  setState(State::Idle);
  refreshVersions();
}

void TrainerService::projectClosed() {
  if (running_) stop();
  folder_.clear();
  window_.engine()->setEmbeddingFolder(QString());
  versions_.clear();
  emit versionsChanged();
  setState(State::Off);
  if (!liveAdapter_.isEmpty()) applyVersions({}, 0, QString());  // back to the base model
}

void TrainerService::casesChanged() {
  emit statusChanged();  // the count of newly labelled cases
  if (settings_.automatic && !running_ && !folder_.isEmpty() &&
      labelledCases() - labelledAtLastTraining_ >= settings_.every) {
    trainNow();
  }
}

void TrainerService::userInteracted() { lastInteractionMs_ = QDateTime::currentMSecsSinceEpoch(); }

QString TrainerService::checkpointSha256(const QString& checkpoint) {
  // Hashing a ViT-B checkpoint reads 375 MB: once per file, size and time, not per refresh.
  const QFileInfo info(checkpoint);
  const QString key = info.absoluteFilePath() + QLatin1Char(':') + QString::number(info.size()) +
                      QLatin1Char(':') + QString::number(info.lastModified().toMSecsSinceEpoch());
  auto cached = checkpointSha_.find(key);
  if (cached == checkpointSha_.end()) {
    auto sha = sha256File(checkpoint.toStdString());
    cached = checkpointSha_.insert(key, sha.ok() ? QString::fromStdString(sha.value()) : QString());
  }
  return cached.value();
}

void TrainerService::refreshVersions() {
  if (folder_.isEmpty()) return;
  const QString folder = folder_;
  const QString checkpoint = window_.modelCheckpoint();
  post([this, folder, checkpoint] {
    auto store = annotations::ProjectStore::open(folder);
    if (!store.ok()) {
      const QString why = QString::fromStdString(store.error().describe());
      QMetaObject::invokeMethod(
          this, [this, why] { setState(State::Failed, why); }, Qt::QueuedConnection);
      return;
    }
    auto stored = store.value()->adapterVersions();
    std::vector<ui::TrainerVersion> list;
    int live = 0;
    QString liveFile, note;
    if (stored.ok()) {
      for (const annotations::AdapterVersion& v : stored.value()) {
        list.push_back(toTrainerVersion(v));
        if (v.state != QStringLiteral("live")) continue;
        // Only an adapter of the loaded base goes into the engine (another would fail there).
        if (checkpointSha256(checkpoint) == v.baseModel && QFileInfo::exists(v.path)) {
          live = v.version;
          liveFile = v.path;
        } else {
          note = tr("Adapter v%1 was trained on another base model; the base model runs")
                     .arg(v.version);
        }
      }
    }
    QMetaObject::invokeMethod(
        this,
        [this, list = std::move(list), live, liveFile, note]() mutable {
          applyVersions(std::move(list), live, liveFile);
          if (!note.isEmpty()) setState(status().state, note);
        },
        Qt::QueuedConnection);
  });
}

void TrainerService::applyVersions(std::vector<ui::TrainerVersion> versions, int live,
                                   QString liveFile) {
  versions_ = std::move(versions);
  emit versionsChanged();
  if (liveFile == liveAdapter_) return;
  // The hot swap: a loader thread makes base + adapter and embeds the picture on screen, then
  // the engine thread swaps it in; clicks are answered by the old engine meanwhile, and a
  // failed load keeps it.
  liveAdapter_ = liveFile;
  const QString checkpoint = window_.modelCheckpoint();
  if (checkpoint.isEmpty() || !engines_) return;
  const QString file = QFileInfo(checkpoint).fileName();
  const QString name = live > 0 ? tr("%1 + adapter v%2").arg(file).arg(live) : file;
  window_.engine()->load(engines_(checkpoint, liveFile), name);
  window_.project()->setModelName(file, live > 0 ? QStringLiteral("v%1").arg(live) : QString());
}

void TrainerService::trainNow() {
  if (folder_.isEmpty() || running_) return;
  const QString checkpoint = window_.modelCheckpoint();
  if (checkpoint.isEmpty()) {
    setState(State::Failed, tr("No model is loaded to adapt"));
    return;
  }
  running_ = true;
  stopRequested_ = false;
  labelledAtLastTraining_ = labelledCases();
  {
    std::lock_guard lock(mutex_);
    curve_.clear();
    status_.step = 0;
    status_.steps = settings_.steps;
    status_.secondsLeft = -1;
    status_.plan.clear();
  }
  emit curvesChanged();
  setState(State::Preparing, tr("Reading the labelled cases"));
  const QString folder = folder_;
  const int steps = settings_.steps;
  post([this, folder, checkpoint, steps] {
    Monitor monitor(*this);
    Result<TrainingCycleResult> cycle = Error{ErrorCode::Internal, "not run", {}};
    {
      auto store = annotations::ProjectStore::open(folder);
      auto base = store.ok() ? loadBase_(checkpoint)
                             : Result<std::shared_ptr<model::SamModel>>(store.error());
      if (!store.ok()) {
        cycle = store.error();
      } else if (!base.ok()) {
        cycle = base.error();
      } else {
        TrainingCycleOptions options;
        options.training.steps = steps;
        cycle = runTrainingCycle(*store.value(), base.value(), options, &monitor, &monitor);
      }
    }
    QMetaObject::invokeMethod(
        this,
        [this, cycle = std::move(cycle)] {
          running_ = false;
          if (folder_.isEmpty()) {  // the project was closed meanwhile
            setState(State::Off);
            emit trainingFinished();
            return;
          }
          if (!cycle.ok()) {
            if (cycle.error().code == ErrorCode::Cancelled) {
              setState(State::Idle, tr("Stopped"));
            } else {
              setState(State::Failed, QString::fromStdString(cycle.error().describe()));
            }
          } else if (!cycle->version) {
            setState(State::Idle, tr("Stopped at step %1; Train Now continues from there")
                                      .arg(cycle->training.steps));
          } else {
            setState(State::Idle, QString::fromStdString(cycle->decision.reason));
            if (cycle->promoted) {
              const Json* held = cycle->data.find("heldout_cases");
              emit promoted({cycle->version->version, cycle->live.diceBox, cycle->candidate.diceBox,
                             cycle->live.diceClick, cycle->candidate.diceClick,
                             held && held->isNumber() ? static_cast<int>(held->asNumber()) : 0});
            }
          }
          refreshVersions();
          emit trainingFinished();
        },
        Qt::QueuedConnection);
  });
}

void TrainerService::pause() {
  paused_ = true;
  wake_.notify_all();
}

void TrainerService::resume() {
  paused_ = false;
  wake_.notify_all();
}

void TrainerService::stop() {
  stopRequested_ = true;
  paused_ = false;
  wake_.notify_all();
}

void TrainerService::makeLive(int version) {
  if (folder_.isEmpty()) return;
  const QString folder = folder_;
  post([this, folder, version] {
    auto store = annotations::ProjectStore::open(folder);
    Status made = store.ok() ? store.value()->setLiveAdapter(version) : Status(store.error());
    QMetaObject::invokeMethod(
        this,
        [this, made] {
          if (!made) setState(State::Failed, QString::fromStdString(made.error().describe()));
          refreshVersions();
        },
        Qt::QueuedConnection);
  });
}

void TrainerService::setAutomatic(bool on, int every) {
  settings_.automatic = on;
  settings_.every = std::max(1, every);
  settings_.save();
  emit statusChanged();
  casesChanged();
}

}  // namespace medsa::app
