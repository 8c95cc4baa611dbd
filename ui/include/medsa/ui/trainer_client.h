#pragma once

#include <QDateTime>
#include <QObject>
#include <QString>

#include <vector>

namespace medsa::ui {

/// One adapter version as the trainer panel lists it.
struct TrainerVersion {
  int version = 0;
  QString state;  ///< "live", "candidate", "retired", "rejected"
  QDateTime created;
  double diceBox = 0, diceClick = 0, noc85 = 0, noc90 = 0;
  int heldOutCases = 0;
  int trainCases = 0;
  int steps = 0;
  double seconds = 0;
  QString decision;  ///< why it was or was not promoted
};

/// Where the background trainer stands.
struct TrainerStatus {
  enum class State {
    Off,        ///< no project (the trainer learns from a project's accepted cases)
    Idle,       ///< ready; waits for Train Now or enough newly accepted cases
    Preparing,  ///< reading cases, computing embeddings
    Training,
    Evaluating,  ///< measuring the new adapter on the held-out cases
    Paused,      ///< by the user, or while the user works (yields to clicks)
    Failed,
  };
  State state = State::Off;
  QString plan;  ///< what is trained, and on what ("decoder adapters on stored embeddings, CPU")
  int step = 0, steps = 0;
  double secondsLeft = -1;  ///< ETA (negative: unknown)
  QString message;          ///< the latest note (a failure's reason, a skipped step)
  bool automatic = false;   ///< train after every `every` newly accepted cases
  int every = 5;
  int newCases = 0;  ///< accepted since the last training
};

/// What a promoted adapter changed on the held-out cases. Promotion goes by the mean of the two
/// Dice figures, so one of them may fall while the adapter is still the better one: a user is
/// shown both.
struct AdapterGain {
  int version = 0;
  double boxBefore = 0, boxAfter = 0;      ///< mean Dice after one box, live model and new adapter
  double clickBefore = 0, clickAfter = 0;  ///< mean Dice after one click
  int heldOutCases = 0;
};

/// The UI's view of the background trainer, whatever runs it (the app composes it from the
/// model layer and the project). The panel and the window only ask and show through this.
class TrainerClient : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;
  virtual TrainerStatus status() const = 0;
  virtual std::vector<TrainerVersion> versions() const = 0;
  /// Training loss per step of the run in progress (or the last one).
  virtual std::vector<std::pair<double, double>> lossCurve() const = 0;

 public slots:
  virtual void trainNow() = 0;
  virtual void pause() = 0;
  virtual void resume() = 0;
  virtual void stop() = 0;
  /// Makes a version live (a rollback is promoting an older one; 0 = the base model alone).
  virtual void makeLive(int version) = 0;
  virtual void setAutomatic(bool on, int every) = 0;

 signals:
  void statusChanged();
  void curvesChanged();
  void versionsChanged();
  /// A better adapter went live.
  void promoted(const medsa::ui::AdapterGain& gain);
};

}  // namespace medsa::ui
