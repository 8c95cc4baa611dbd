#include "medsa/ui/engine_controller.h"

#include <QElapsedTimer>
#include <QTimer>

#include <exception>

#include "medsa/core/slice_picture.h"

namespace medsa::ui {
namespace {

/// Runs engine work that reports failure by returning a message; an exception becomes the
/// message, so none ever leaves the engine thread.
template <typename Work>
QString failureOf(Work&& work) {
  try {
    return work();
  } catch (const std::exception& e) {
    return QString::fromUtf8(e.what());
  } catch (...) {
    return QStringLiteral("unknown error");
  }
}

QString describe(const Error& error) { return QString::fromStdString(error.describe()); }

}  // namespace

/// Owns the engine on the engine thread. Every method runs there.
class EngineWorker : public QObject {
 public:
  EngineWorker(EngineController* controller, std::shared_ptr<EngineController::Mailbox> mailbox)
      : controller_(controller), mailbox_(std::move(mailbox)) {}

  /// A new engine's first embedding goes on while its load is the newest one asked for (a newer
  /// load, or closing, stops it between encoder blocks).
  class LoadStillWanted : public ProgressSink {
   public:
    LoadStillWanted(std::shared_ptr<EngineController::Mailbox> mailbox, std::uint64_t generation)
        : mailbox_(std::move(mailbox)), generation_(generation) {}
    bool report(double, std::string_view) override {
      return mailbox_->loadsRequested.load() == generation_;
    }

   private:
    std::shared_ptr<EngineController::Mailbox> mailbox_;
    std::uint64_t generation_;
  };

  /// Loader thread: makes load `generation`'s engine and embeds the picture on screen with it,
  /// then hands it to the engine thread (adopt). Nothing here touches the engine in use.
  static void makeAndWarm(EngineWorker* worker, std::uint64_t generation,
                          const EngineFactory& factory, const QString& name) {
    const std::shared_ptr<EngineController::Mailbox> mailbox = worker->mailbox_;
    if (generation != mailbox->loadsRequested.load()) return;  // replaced before it began
    std::unique_ptr<SegmentationEngine> engine;
    const QString failure = failureOf([&]() -> QString {
      Result<std::unique_ptr<SegmentationEngine>> made = factory();
      if (!made) return describe(made.error());
      std::string folder;
      {
        std::lock_guard lock(mailbox->mutex);
        folder = mailbox->embeddingFolder;
      }
      made.value()->setEmbeddingFolder(folder);
      engine = std::move(made).value();
      return {};
    });
    if (!engine) {
      worker->settle(generation, failure.isEmpty() ? QStringLiteral("no engine was made") : failure,
                     name);
      return;
    }
    std::optional<PrefetchItem> onScreen;
    {
      std::lock_guard lock(mailbox->mutex);
      onScreen = mailbox->onScreen;
    }
    // The picture on screen, embedded before the swap: the next click is answered at once.
    // Not needed for the load to succeed; a newer load or closing stops it between blocks.
    std::optional<ImageKey> warmed;
    if (onScreen) {
      failureOf([&]() -> QString {
        const RgbImage picture = onScreen->picture();
        LoadStillWanted wanted(mailbox, generation);
        if (picture.isValid() && engine->setImage(picture, onScreen->key, &wanted)) {
          warmed = onScreen->key;
        }
        return {};
      });
    }
    auto handOver = std::make_shared<std::unique_ptr<SegmentationEngine>>(std::move(engine));
    QMetaObject::invokeMethod(
        worker,
        [worker, generation, handOver, warmed, name] {
          worker->adopt(generation, std::move(*handOver), warmed, name);
        },
        Qt::QueuedConnection);
  }

  /// Engine thread: load `generation`'s engine replaces the one in use (destroyed here, on
  /// its own thread), unless a newer load was asked for meanwhile.
  void adopt(std::uint64_t generation, std::unique_ptr<SegmentationEngine> engine,
             const std::optional<ImageKey>& warmed, const QString& name) {
    if (generation != mailbox_->loadsRequested.load()) return;  // the newer load follows
    engine_ = std::move(engine);
    lastKey_ = warmed;
    settle(generation, {}, name);
    drain();  // what waited behind the load
  }

  /// Load `generation` ended: prompts and warm-up go on, and the UI hears of it. Called on the
  /// loader thread for a failure, on the engine thread for an adoption; it touches only the
  /// mailbox and posts the rest.
  void settle(std::uint64_t generation, const QString& failure, const QString& name) {
    if (generation == mailbox_->loadsRequested.load()) mailbox_->loadsSettled = generation;
    QMetaObject::invokeMethod(
        controller_,
        [c = controller_, generation, failure, name] { c->settleLoad(generation, failure, name); },
        Qt::QueuedConnection);
    if (!failure.isEmpty()) {
      // Prompts that waited for a first engine get their answer ("no model is loaded").
      QMetaObject::invokeMethod(
          this, [this] { drain(); }, Qt::QueuedConnection);
    }
  }

  /// Runs whatever waits, newest request first, then the prefetch list (once the last answer's
  /// work ahead is done), until nothing is left or a job waits (jobs run from the event queue,
  /// after this returns).
  void drain() {
    while (mailbox_->jobsQueued.load() == 0) {
      std::optional<EngineRequest> request;
      std::optional<PrefetchItem> prefetch;
      {
        std::lock_guard lock(mailbox_->mutex);
        const bool loading = mailbox_->loading();
        if (engine_ || !loading) request.swap(mailbox_->pending);
        if (!request && !workAheadScheduled_ && engine_ && !loading) {
          if (!mailbox_->prefetch.empty()) {
            prefetch = std::move(mailbox_->prefetch.front());
            mailbox_->prefetch.erase(mailbox_->prefetch.begin());
            prefetchGeneration_ = mailbox_->prefetchGeneration;
          } else if (mailbox_->onScreen && returnedGeneration_ != mailbox_->prefetchGeneration) {
            // The list is done and left the engine on a neighbour: the slice on screen is set
            // again (from the cache), so that the next click finds it set and its decoder side
            // prepared (8 ms for ViT-B) instead of doing both itself. Once per list.
            returnedGeneration_ = prefetchGeneration_ = mailbox_->prefetchGeneration;
            prefetch = mailbox_->onScreen;
          }
        }
      }
      if (request) {
        run(*request);
      } else if (prefetch) {
        warmUp(*prefetch);
      } else {
        return;
      }
    }
  }

  void runJob(const std::function<void(SegmentationEngine*)>& job,
              const std::function<void(const QString&)>& failed) {
    lastKey_.reset();  // a job may set other pictures
    const QString failure = failureOf([&]() -> QString {
      job(engine_.get());
      return {};
    });
    if (!failure.isEmpty() && failed) {
      QMetaObject::invokeMethod(
          controller_, [failed, failure] { failed(failure); }, Qt::QueuedConnection);
    }
    --mailbox_->jobsQueued;
    drain();  // what waited behind the job
  }

 private:
  /// Embeds one picture of the prefetch list. Nobody waits for it, so a failure (a throwing
  /// renderer or engine) is only reported; the list goes on.
  void warmUp(const PrefetchItem& item) {
    if (lastKey_ && *lastKey_ == item.key) return;  // already the engine's picture
    const QString failure = failureOf([&]() -> QString {
      const RgbImage picture = item.picture();
      if (!picture.isValid()) return QStringLiteral("the slice could not be rendered");
      Status set = ensureImage(picture, item.key, /*background=*/true);
      if (!set && set.error().code != ErrorCode::Cancelled) return describe(set.error());
      return {};
    });
    if (failure.isEmpty()) return;
    lastKey_.reset();
    QMetaObject::invokeMethod(
        controller_, [c = controller_, failure] { emit c->backgroundFailed(failure); },
        Qt::QueuedConnection);
  }

  /// After an answer: the work ahead once the UI has painted it, and the warm-up after that.
  /// Working at once competes with the painting for the cores (release-to-painted overhead p50
  /// +1-2 ms, measured with a ViT-B work ahead); the user's next click comes far later.
  void scheduleWorkAhead() {
    workAheadScheduled_ = true;
    QTimer::singleShot(kWorkAheadDelayMs, this, [this, answer = ++answers_] {
      if (answer != answers_) return;  // a newer answer scheduled its own
      workAheadScheduled_ = false;
      workAhead();
      drain();  // the warm-up that waited
    });
  }

  /// After an answer, before any warm-up: the engine's work for the next prompt on this picture
  /// (the SAM predictor encodes the crop of the next correction), while the user looks at the
  /// answer. Any request, job or load that comes stops it: a click then does its own work, as
  /// it would have without it (a crop of a large model may take seconds; the click must not
  /// wait for one it may not need). A failure costs only its time.
  void workAhead() {
    if (!engine_) return;
    class UntilAnythingWaits : public ProgressSink {
     public:
      explicit UntilAnythingWaits(EngineController::Mailbox& box) : box_(box) {}
      bool report(double, std::string_view) override {
        std::lock_guard lock(box_.mutex);
        return !box_.pending && box_.jobsQueued.load() == 0 && !box_.loading();
      }

     private:
      EngineController::Mailbox& box_;
    } sink(*mailbox_);
    failureOf([&]() -> QString {
      (void)engine_->workAhead(&sink);
      return {};
    });
  }

  /// Reports an embedding's progress to the UI and decides when to abandon it: when a request
  /// for another picture or a job waits, or (in the background) when the prefetch list no
  /// longer wants this picture. Announces the embedding at its first report, so a cache hit
  /// (no report at all) shows nothing.
  class EmbeddingProgress : public ProgressSink {
   public:
    EmbeddingProgress(EngineWorker* worker, const ImageKey& key, bool background)
        : worker_(worker), key_(key), background_(background) {}

    bool report(double fraction, std::string_view) override {
      EngineController* c = worker_->controller_;
      if (!started_) {
        started_ = true;
        QMetaObject::invokeMethod(
            c, [c, k = key_, b = background_] { emit c->embeddingStarted(k, b); },
            Qt::QueuedConnection);
      }
      QMetaObject::invokeMethod(
          c, [c, fraction, b = background_] { emit c->embeddingProgress(fraction, b); },
          Qt::QueuedConnection);
      return !worker_->supersedes(key_, background_);
    }
    bool started() const { return started_; }

   private:
    EngineWorker* worker_;
    ImageKey key_;
    bool background_;
    bool started_ = false;
  };

  bool supersedes(const ImageKey& key, bool background) {
    std::lock_guard lock(mailbox_->mutex);
    if (mailbox_->jobsQueued.load() > 0) return true;
    if (background && mailbox_->loading()) return true;  // the new engine warms up instead
    if (mailbox_->pending) return !(mailbox_->pending->key == key);
    if (!background || mailbox_->prefetchGeneration == prefetchGeneration_) return false;
    // A new list was posted (the user moved on): keep going only if it still wants this one.
    for (const PrefetchItem& item : mailbox_->prefetch) {
      if (item.key == key) return false;
    }
    return true;
  }

  Status ensureImage(const RgbImage& image, const ImageKey& key, bool background) {
    if (lastKey_ && *lastKey_ == key) return {};
    lastKey_.reset();  // from here on the engine's current picture is unknown until success
    QElapsedTimer timer;
    timer.start();
    EmbeddingProgress progress(this, key, background);
    Status set = engine_->setImage(image, key, &progress);
    if (progress.started()) {
      const double ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
      QMetaObject::invokeMethod(
          controller_,
          [c = controller_, ms, background, ok = set.ok()] {
            emit c->embeddingFinished(ms, background, ok);
          },
          Qt::QueuedConnection);
    }
    if (set) lastKey_ = key;
    return set;
  }

  void run(const EngineRequest& request) {
    bool superseded = false;  // a newer request replaced this one: no reply at all
    Prediction prediction;
    QElapsedTimer working;
    working.start();
    const QString failure = failureOf([&]() -> QString {
      if (!engine_) return QStringLiteral("no model is loaded");
      if (Status set = ensureImage(request.image, request.key, false); !set) {
        superseded = set.error().code == ErrorCode::Cancelled;
        return describe(set.error());
      }
      // A newer click arrived while the embedding was computed: skip straight to it.
      {
        std::lock_guard lock(mailbox_->mutex);
        superseded = mailbox_->pending.has_value();
      }
      if (superseded) return {};
      Result<Prediction> predicted = engine_->predict(request.prompt);
      if (!predicted) return describe(predicted.error());
      prediction = std::move(predicted).value();
      return {};
    });
    if (superseded) return;
    if (failure.isEmpty()) scheduleWorkAhead();
    const double engineMs = static_cast<double>(working.nsecsElapsed()) / 1e6;
    QMetaObject::invokeMethod(
        controller_,
        [c = controller_, id = request.id, failure, p = std::move(prediction), engineMs] {
          if (id != c->latest_) return;  // stale: the user has moved on
          const double latency =
              static_cast<double>(c->clock_.nsecsElapsed() - c->submittedAt_) / 1e6;
          c->lastEngineMs_ = engineMs;
          if (failure.isEmpty()) {
            emit c->predictionReady(id, p, latency);
          } else {
            emit c->predictionFailed(id, failure);
          }
        },
        Qt::QueuedConnection);
  }

  EngineController* controller_;
  std::shared_ptr<EngineController::Mailbox> mailbox_;
  std::unique_ptr<SegmentationEngine> engine_;
  std::optional<ImageKey> lastKey_;
  std::uint64_t prefetchGeneration_ = 0;  ///< of the list the current warm-up came from
  std::uint64_t returnedGeneration_ = 0;  ///< the last list after which the screen's slice was set
  bool workAheadScheduled_ = false;  ///< the work ahead waits for the UI to paint the answer
  std::uint64_t answers_ = 0;        ///< answers given, to tell the work ahead of the newest
  static constexpr int kWorkAheadDelayMs = 15;
};

EngineController::EngineController(QObject* parent)
    : QObject(parent), mailbox_(std::make_shared<Mailbox>()) {
  qRegisterMetaType<medsa::Prediction>("medsa::Prediction");
  qRegisterMetaType<medsa::ImageKey>("medsa::ImageKey");
  clock_.start();
  worker_ = new EngineWorker(this, mailbox_);
  worker_->moveToThread(&thread_);
  // The engine is destroyed on its own thread when the thread ends.
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.setObjectName(QStringLiteral("medsa-engine"));
  thread_.start();
  loader_ = new QObject;
  loader_->moveToThread(&loaderThread_);
  connect(&loaderThread_, &QThread::finished, loader_, &QObject::deleteLater);
  loaderThread_.setObjectName(QStringLiteral("medsa-engine-loader"));
  loaderThread_.start();
}

EngineController::~EngineController() {
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->pending.reset();
    mailbox_->prefetch.clear();
  }
  ++latest_;
  // A load under way is no longer wanted: its first embedding stops at the next block (making
  // the engine itself, reading a checkpoint, runs to its end), and nothing is handed over.
  ++mailbox_->loadsRequested;
  loaderThread_.quit();
  loaderThread_.wait();
  // Counts as a waiting job: an embedding in progress stops at its next block, so closing the
  // app never waits for a whole warm-up list.
  ++mailbox_->jobsQueued;
  thread_.quit();
  thread_.wait();
}

void EngineController::load(EngineFactory factory, const QString& name) {
  loading_ = true;  // hasEngine_ stays: the engine in use answers until the new one takes over
  const std::uint64_t generation = ++mailbox_->loadsRequested;
  QMetaObject::invokeMethod(
      loader_,
      [w = worker_, generation, f = std::move(factory), name, cleanup = loaderCleanup_] {
        EngineWorker::makeAndWarm(w, generation, f, name);
        if (cleanup) cleanup();
      },
      Qt::QueuedConnection);
}

void EngineController::settleLoad(std::uint64_t generation, const QString& failure,
                                  const QString& name) {
  if (generation != mailbox_->loadsRequested.load()) return;  // a newer load is under way
  loading_ = false;
  if (failure.isEmpty()) {
    hasEngine_ = true;
    name_ = name;
    emit engineLoaded(name);
  } else {
    emit engineFailed(failure);
  }
  std::vector<DeferredJob> jobs;
  jobs.swap(jobsAfterLoad_);
  for (DeferredJob& job : jobs) postJob(std::move(job));
}

quint64 EngineController::submit(RgbImage image, ImageKey key, Prompt prompt) {
  const quint64 id = ++latest_;
  submittedAt_ = clock_.nsecsElapsed();
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->pending = EngineRequest{id, std::move(image), std::move(key), std::move(prompt)};
  }
  QMetaObject::invokeMethod(
      worker_, [w = worker_] { w->drain(); }, Qt::QueuedConnection);
  return id;
}

void EngineController::discard() {
  ++latest_;
  std::lock_guard lock(mailbox_->mutex);
  mailbox_->pending.reset();
}

PrefetchItem slicePrefetchItem(std::shared_ptr<const Image> image, const std::string& imageId,
                               SliceAxis axis, std::size_t index, const WindowLevel& window) {
  return PrefetchItem{slicePictureKey(imageId, axis, index, window),
                      [image = std::move(image), axis, index, window] {
                        Result<RgbImage> picture = slicePicture(*image, axis, index, window);
                        return picture ? std::move(picture).value() : RgbImage{};
                      }};
}

void EngineController::setEmbeddingFolder(const QString& folder) {
  const std::string path = folder.toStdString();
  {
    std::lock_guard lock(mailbox_->mutex);
    if (mailbox_->embeddingFolder == path) return;
    mailbox_->embeddingFolder = path;
  }
  runJob([path](SegmentationEngine* engine) {
    if (engine) engine->setEmbeddingFolder(path);
  });
}

void EngineController::prefetch(std::vector<PrefetchItem> items) {
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->onScreen = items.empty() ? std::nullopt : std::optional<PrefetchItem>(items.front());
    mailbox_->prefetch = std::move(items);
    ++mailbox_->prefetchGeneration;
  }
  QMetaObject::invokeMethod(
      worker_, [w = worker_] { w->drain(); }, Qt::QueuedConnection);
}

void EngineController::runJob(std::function<void(SegmentationEngine*)> job,
                              std::function<void(const QString&)> failed) {
  DeferredJob deferred{std::move(job), std::move(failed)};
  if (loading_) {
    jobsAfterLoad_.push_back(std::move(deferred));  // for the engine the load leaves in place
    return;
  }
  postJob(std::move(deferred));
}

void EngineController::postJob(DeferredJob job) {
  ++mailbox_->jobsQueued;  // an embedding in progress gives way to the job
  QMetaObject::invokeMethod(
      worker_,
      [w = worker_, j = std::move(job.job), f = std::move(job.failed)] { w->runJob(j, f); },
      Qt::QueuedConnection);
}

}  // namespace medsa::ui
