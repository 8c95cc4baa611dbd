#pragma once

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "medsa/core/error.h"
#include "medsa/core/segmentation_engine.h"

namespace medsa::ui {

/// Makes an engine; runs on the engine thread, so loading weights never blocks the UI.
using EngineFactory = std::function<Result<std::unique_ptr<SegmentationEngine>>()>;

struct EngineRequest {
  quint64 id = 0;
  RgbImage image;
  ImageKey key;
  Prompt prompt;
};

class EngineWorker;

/// The UI-thread face of the segmentation engine. The engine lives on its own thread; requests
/// go into a one-slot mailbox so only the latest one is ever run (a burst of clicks costs one
/// decoder run, not a queue), and replies to anything but the latest request are dropped.
/// Errors come back as messages; exceptions never leave the engine thread.
class EngineController : public QObject {
  Q_OBJECT

 public:
  explicit EngineController(QObject* parent = nullptr);
  ~EngineController() override;

  /// Replaces the engine with what `factory` makes on the engine thread; engineLoaded or
  /// engineFailed follows. `name` is shown to the user.
  void load(EngineFactory factory, const QString& name);
  bool hasEngine() const { return hasEngine_; }
  bool isLoading() const { return loading_; }
  QString engineName() const { return name_; }

  /// Queues a prediction; returns its id. Replaces any request not yet started.
  quint64 submit(RgbImage image, ImageKey key, Prompt prompt);
  /// Forgets the outstanding request: its reply will be dropped.
  void discard();
  quint64 latestId() const { return latest_; }

  /// Runs `job` on the engine thread with the engine (null when none is loaded). The job must
  /// catch nothing-throwing code paths itself; anything thrown is caught and reported.
  void runJob(std::function<void(SegmentationEngine*)> job);
  /// Warms the embedding cache for a picture while the user is idle (lowest priority).
  void prefetch(RgbImage image, ImageKey key);

 signals:
  void engineLoaded(const QString& name);
  void engineFailed(const QString& message);
  /// An embedding is being computed (the picture is not in the cache); finished follows.
  void embeddingStarted();
  void embeddingFinished(double milliseconds);
  /// The latest request's answer; latency from submit to reply.
  void predictionReady(quint64 id, const medsa::Prediction& prediction, double latencyMs);
  void predictionFailed(quint64 id, const QString& message);

 private:
  friend class EngineWorker;
  struct Mailbox {
    std::mutex mutex;
    std::optional<EngineRequest> pending;
    std::optional<std::pair<RgbImage, ImageKey>> prefetch;
  };
  QThread thread_;
  EngineWorker* worker_ = nullptr;
  std::shared_ptr<Mailbox> mailbox_;
  quint64 latest_ = 0;
  bool hasEngine_ = false;
  bool loading_ = false;
  QString name_;
  qint64 submittedAt_ = 0;
};

}  // namespace medsa::ui
