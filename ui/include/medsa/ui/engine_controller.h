#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/segmentation_engine.h"
#include "medsa/core/slice.h"
#include "medsa/core/window_level.h"

namespace medsa::ui {

/// Makes an engine; runs on the engine loader thread, so loading weights never blocks the UI
/// or the engine in use.
using EngineFactory = std::function<Result<std::unique_ptr<SegmentationEngine>>()>;

struct EngineRequest {
  quint64 id = 0;
  RgbImage image;
  ImageKey key;
  Prompt prompt;
};

/// A picture whose embedding should be ready before the user needs it. The picture is made on
/// the engine thread when its turn comes, so posting a list costs the UI thread nothing.
struct PrefetchItem {
  ImageKey key;
  std::function<RgbImage()> picture;
};

/// A prefetch item for a slice of `image`, rendered with slicePicture when embedded.
PrefetchItem slicePrefetchItem(std::shared_ptr<const Image> image, const std::string& imageId,
                               SliceAxis axis, std::size_t index, const WindowLevel& window);

class EngineWorker;

/// The UI-thread face of the segmentation engine. The engine lives on its own thread; requests
/// go into a one-slot mailbox so only the latest one is ever run (a burst of clicks costs one
/// decoder run, not a queue), and replies to anything but the latest request are dropped.
/// When idle, the engine works down a prefetch list (the slice on screen, its neighbours, the
/// next case). An embedding in progress is abandoned between encoder blocks as soon as it stops
/// mattering: a click on another picture, a job, or a new prefetch list without its picture.
/// Errors come back as messages; exceptions never leave the engine thread.
class EngineController : public QObject {
  Q_OBJECT

 public:
  explicit EngineController(QObject* parent = nullptr);
  ~EngineController() override;

  /// Replaces the engine with what `factory` makes; engineLoaded or engineFailed follows.
  /// `name` is shown to the user. The new engine is made on a loader thread and embeds the
  /// picture on screen (the first of the prefetch list) there, while the engine in use goes on
  /// answering prompts; then it takes over, and the old one is destroyed. Background warm-up
  /// pauses meanwhile, and jobs submitted meanwhile wait for the outcome, so they run with the
  /// engine that follows the load. With no engine yet, prompts wait for the load. If making it
  /// fails the old engine stays (hasEngine() and engineName() unchanged). A newer load
  /// replaces an older one still under way.
  void load(EngineFactory factory, const QString& name);
  /// Runs on the loader thread after each load, made or failed: where the composition root
  /// lets the engine library release what it keeps per calling thread (medsa-studio: LibTorch's
  /// OpenMP workers, which would otherwise slow every parallel step of the engine thread's
  /// clicks and encodes). Applies to the loads asked for after it is set.
  void setLoaderCleanup(std::function<void()> cleanup) { loaderCleanup_ = std::move(cleanup); }
  bool hasEngine() const { return hasEngine_; }
  bool isLoading() const { return loading_; }
  QString engineName() const { return name_; }

  /// Queues a prediction; returns its id. Replaces any request not yet started.
  quint64 submit(RgbImage image, ImageKey key, Prompt prompt);
  /// Forgets the outstanding request: its reply will be dropped.
  void discard();
  quint64 latestId() const { return latest_; }
  /// The engine thread's own time for the last answer (its picture, if it had to be set, and
  /// the prompt), milliseconds; predictionReady's latency adds the queues on both sides.
  double lastEngineMs() const { return lastEngineMs_; }

  /// Runs `job` on the engine thread with the engine (null when none is loaded; asked for
  /// during a load, after it, with the engine it leaves in place). A job reports its own
  /// outcome; if it throws instead, `failed` runs on the UI thread with the reason, so whoever
  /// waits for the job (a progress dialog) always hears back.
  void runJob(std::function<void(SegmentationEngine*)> job,
              std::function<void(const QString&)> failed = {});
  /// Replaces the prefetch list: embeddings computed in this order while no request or job
  /// waits (the lowest priority). An empty list stops the warm-up.
  void prefetch(std::vector<PrefetchItem> items);
  /// Where every engine, this one and those loaded later, keeps its embeddings on disk (the open
  /// project's embeddings/ folder, which the trainer reuses); "" for none.
  void setEmbeddingFolder(const QString& folder);

 signals:
  void engineLoaded(const QString& name);
  void engineFailed(const QString& message);
  /// An embedding is being computed (the picture is not in the cache): for a click, or in the
  /// background for the prefetch list. Progress in [0, 1] follows; finished comes also when the
  /// work was abandoned (completed = false).
  void embeddingStarted(const medsa::ImageKey& key, bool background);
  void embeddingProgress(double fraction, bool background);
  void embeddingFinished(double milliseconds, bool background, bool completed);
  /// The latest request's answer; latency from submit to reply.
  void predictionReady(quint64 id, const medsa::Prediction& prediction, double latencyMs);
  void predictionFailed(quint64 id, const QString& message);
  /// Work nobody waits for failed (a background embedding): the engine goes on with the rest.
  void backgroundFailed(const QString& message);

 private:
  friend class EngineWorker;
  struct Mailbox {
    std::mutex mutex;
    std::optional<EngineRequest> pending;
    std::vector<PrefetchItem> prefetch;
    std::uint64_t prefetchGeneration = 0;  ///< counts the lists posted
    std::atomic<int> jobsQueued{0};
    std::string embeddingFolder;  ///< applied to every engine loaded
    std::optional<PrefetchItem> onScreen;  ///< the latest list's first picture, for a new engine
    std::atomic<std::uint64_t> loadsRequested{0};  ///< generation of the newest load
    std::atomic<std::uint64_t> loadsSettled{0};    ///< generation of the newest load settled
    bool loading() const { return loadsSettled.load() < loadsRequested.load(); }
  };
  struct DeferredJob {
    std::function<void(SegmentationEngine*)> job;
    std::function<void(const QString&)> failed;
  };
  /// UI thread: load `generation` ended (adopted, or `failure`). Older generations are ignored.
  void settleLoad(std::uint64_t generation, const QString& failure, const QString& name);
  void postJob(DeferredJob job);

  QThread thread_;
  EngineWorker* worker_ = nullptr;
  QThread loaderThread_;
  QObject* loader_ = nullptr;  ///< lives on loaderThread_: the context that loads run in
  std::function<void()> loaderCleanup_;  ///< run on loaderThread_ after each load
  std::vector<DeferredJob> jobsAfterLoad_;
  std::shared_ptr<Mailbox> mailbox_;
  quint64 latest_ = 0;
  bool hasEngine_ = false;
  bool loading_ = false;
  QString name_;
  QElapsedTimer clock_;     ///< started at construction: a monotonic clock for latencies
  qint64 submittedAt_ = 0;  ///< clock_ nanoseconds at the last submit
  double lastEngineMs_ = 0;
};

}  // namespace medsa::ui
