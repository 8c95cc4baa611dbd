#pragma once
// The background trainer of medsa-studio: the learning loop (app/project/training_cycle) on a
// thread of its own, at idle CPU priority, in the app's process. In-process because the
// trained adapter goes live in the same engine without a file hand-over protocol, and because a
// CPU-only machine has no spare cores for a second process anyway; SCHED_IDLE lets every click
// of the engine thread run first, and between steps training waits while the user works.

#include <QHash>
#include <QString>
#include <QThread>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "medsa/model/sam_model.h"
#include "medsa/ui/engine_controller.h"
#include "medsa/ui/trainer_client.h"

namespace medsa::ui {
class MainWindow;
}

namespace medsa::app {

/// Makes the engine for a checkpoint with an adapter file ("" = the base alone).
using AdapterEngineFactory =
    std::function<ui::EngineFactory(const QString& checkpoint, const QString& adapter)>;
/// Loads a checkpoint as the trainer's base (with the geometry the engine uses for it); runs on
/// the trainer thread.
using BaseModelLoader =
    std::function<Result<std::shared_ptr<model::SamModel>>(const QString& checkpoint)>;

struct TrainerSettings {
  int steps = 200;         ///< optimizer steps per training
  double idleSeconds = 3;  ///< training waits this long after the user's last interaction
  /// SCHED_IDLE: the trainer gets only cycles nobody else wants (tests on a shared CI machine
  /// turn it off, or a busy neighbour would starve them).
  bool idlePriority = true;
  bool automatic = false;  ///< train after every `every` newly labelled cases
  int every = 5;
  static TrainerSettings load();  ///< from QSettings (trainer/...)
  void save() const;
};

class TrainerService : public ui::TrainerClient {
  Q_OBJECT

 public:
  TrainerService(ui::MainWindow& window, AdapterEngineFactory engines, BaseModelLoader loadBase,
                 TrainerSettings settings = TrainerSettings::load(), QObject* parent = nullptr);
  ~TrainerService() override;

  ui::TrainerStatus status() const override;
  std::vector<ui::TrainerVersion> versions() const override;
  std::vector<std::pair<double, double>> lossCurve() const override;
  /// The adapter file the engine runs now ("" = the base model alone).
  QString liveAdapter() const { return liveAdapter_; }

 public slots:
  void trainNow() override;
  void pause() override;
  void resume() override;
  void stop() override;
  void makeLive(int version) override;
  void setAutomatic(bool on, int every) override;

 signals:
  /// A training ended (a version recorded, stopped, or failed): for tests and logs.
  void trainingFinished();

 private:
  class Monitor;
  friend class Monitor;
  void projectOpened();
  void projectClosed();
  void casesChanged();
  void userInteracted();
  /// Runs `work` on the trainer thread; `done` on the UI thread afterwards.
  void post(std::function<void()> work);
  void refreshVersions();
  /// SHA-256 of a base checkpoint ("" when unreadable), cached; trainer thread only.
  QString checkpointSha256(const QString& checkpoint);
  void applyVersions(std::vector<ui::TrainerVersion> versions, int live, QString liveFile);
  void setState(ui::TrainerStatus::State state, const QString& message = {});
  int labelledCases() const;

  ui::MainWindow& window_;
  AdapterEngineFactory engines_;
  BaseModelLoader loadBase_;
  TrainerSettings settings_;
  QThread thread_;
  QObject* worker_ = nullptr;  // lives on thread_: work is queued to it

  mutable std::mutex mutex_;  // guards status_ and curve_ (the trainer thread writes them)
  ui::TrainerStatus status_;
  std::vector<std::pair<double, double>> curve_;
  std::vector<ui::TrainerVersion> versions_;
  QString folder_;
  QString liveAdapter_;
  int labelledAtLastTraining_ = 0;
  bool running_ = false;

  // Read by the trainer thread between steps.
  std::atomic<bool> paused_{false}, stopRequested_{false};
  QHash<QString, QString> checkpointSha_;  // trainer thread only
  std::atomic<qint64> lastInteractionMs_{0};
  std::condition_variable wake_;
  std::mutex wakeMutex_;
};

}  // namespace medsa::app
