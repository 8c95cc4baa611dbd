#include "medsa/ui/engine_controller.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <exception>

namespace medsa::ui {

/// Owns the engine on the engine thread. Every method runs there.
class EngineWorker : public QObject {
 public:
  EngineWorker(EngineController* controller, std::shared_ptr<EngineController::Mailbox> mailbox)
      : controller_(controller), mailbox_(std::move(mailbox)) {}

  void load(const EngineFactory& factory, const QString& name) {
    engine_.reset();
    lastKey_.reset();
    QString failure;
    try {
      Result<std::unique_ptr<SegmentationEngine>> made = factory();
      if (made) {
        engine_ = std::move(made).value();
      } else {
        failure = QString::fromStdString(made.error().describe());
      }
    } catch (const std::exception& e) {
      failure = QString::fromUtf8(e.what());
    } catch (...) {
      failure = QStringLiteral("unknown error");
    }
    QMetaObject::invokeMethod(
        controller_,
        [c = controller_, failure, name] {
          c->loading_ = false;
          c->hasEngine_ = failure.isEmpty();
          if (failure.isEmpty()) {
            c->name_ = name;
            emit c->engineLoaded(name);
          } else {
            c->name_.clear();
            emit c->engineFailed(failure);
          }
        },
        Qt::QueuedConnection);
  }

  void drain() {
    std::optional<EngineRequest> request;
    std::optional<std::pair<RgbImage, ImageKey>> prefetch;
    {
      std::lock_guard lock(mailbox_->mutex);
      request.swap(mailbox_->pending);
      if (!request) prefetch.swap(mailbox_->prefetch);
    }
    if (request) {
      run(*request);
    } else if (prefetch && engine_) {
      ensureImage(prefetch->first, prefetch->second, /*announce=*/false);
    }
  }

  void runJob(const std::function<void(SegmentationEngine*)>& job) {
    lastKey_.reset();  // a job may set other pictures
    try {
      job(engine_.get());
    } catch (...) {
      // Jobs report their own errors; this only keeps an exception from killing the thread.
    }
  }

 private:
  Status ensureImage(const RgbImage& image, const ImageKey& key, bool announce) {
    if (lastKey_ && *lastKey_ == key) return {};
    QElapsedTimer timer;
    timer.start();
    if (announce) QMetaObject::invokeMethod(controller_, &EngineController::embeddingStarted);
    Status set = engine_->setImage(image, key);
    const double ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    if (announce) {
      QMetaObject::invokeMethod(
          controller_, [c = controller_, ms] { emit c->embeddingFinished(ms); },
          Qt::QueuedConnection);
    }
    if (set) lastKey_ = key;
    return set;
  }

  void run(const EngineRequest& request) {
    QString failure;
    Prediction prediction;
    try {
      if (!engine_) {
        failure = QStringLiteral("no model is loaded");
      } else if (Status set = ensureImage(request.image, request.key, true); !set) {
        failure = QString::fromStdString(set.error().describe());
      } else {
        // A newer click arrived while the embedding was computed: skip straight to it.
        {
          std::lock_guard lock(mailbox_->mutex);
          if (mailbox_->pending) return;
        }
        Result<Prediction> predicted = engine_->predict(request.prompt);
        if (predicted) {
          prediction = std::move(predicted).value();
        } else {
          failure = QString::fromStdString(predicted.error().describe());
        }
      }
    } catch (const std::exception& e) {
      failure = QString::fromUtf8(e.what());
    } catch (...) {
      failure = QStringLiteral("unknown error");
    }
    QMetaObject::invokeMethod(
        controller_,
        [c = controller_, id = request.id, failure, p = std::move(prediction)] {
          if (id != c->latest_) return;  // stale: the user has moved on
          const double latency =
              static_cast<double>(QDateTime::currentMSecsSinceEpoch() - c->submittedAt_);
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
};

EngineController::EngineController(QObject* parent)
    : QObject(parent), mailbox_(std::make_shared<Mailbox>()) {
  qRegisterMetaType<medsa::Prediction>("medsa::Prediction");
  worker_ = new EngineWorker(this, mailbox_);
  worker_->moveToThread(&thread_);
  // The engine is destroyed on its own thread when the thread ends.
  connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
  thread_.setObjectName(QStringLiteral("medsa-engine"));
  thread_.start();
}

EngineController::~EngineController() {
  discard();
  thread_.quit();
  thread_.wait();
}

void EngineController::load(EngineFactory factory, const QString& name) {
  loading_ = true;
  hasEngine_ = false;
  QMetaObject::invokeMethod(
      worker_, [w = worker_, f = std::move(factory), name] { w->load(f, name); },
      Qt::QueuedConnection);
}

quint64 EngineController::submit(RgbImage image, ImageKey key, Prompt prompt) {
  const quint64 id = ++latest_;
  submittedAt_ = QDateTime::currentMSecsSinceEpoch();
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

void EngineController::prefetch(RgbImage image, ImageKey key) {
  {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->prefetch = std::make_pair(std::move(image), std::move(key));
  }
  QMetaObject::invokeMethod(
      worker_, [w = worker_] { w->drain(); }, Qt::QueuedConnection);
}

void EngineController::runJob(std::function<void(SegmentationEngine*)> job) {
  QMetaObject::invokeMethod(
      worker_, [w = worker_, j = std::move(job)] { w->runJob(j); }, Qt::QueuedConnection);
}

}  // namespace medsa::ui
