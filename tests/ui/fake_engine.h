#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "medsa/core/segmentation_engine.h"

/// A deterministic stand-in for SAM: the object is the bright (> 128) pixels inside the prompt's
/// box, or within `radius` of the first positive point; negative points carve a disc out. With
/// multimask it answers three candidates of growing size. Counts its calls so tests can see that
/// stale requests were skipped. With an embedding delay, setImage takes that long for a picture it
/// has not seen, reporting progress in ten steps and stopping when the sink says so, like the
/// real encoder; every key it finished embedding is recorded (shared, for the test thread).
class FakeEngine : public medsa::SegmentationEngine {
 public:
  explicit FakeEngine(std::atomic<int>* setImages = nullptr, std::atomic<int>* predicts = nullptr)
      : setImages_(setImages), predicts_(predicts) {}

  struct Log {
    std::mutex mutex;
    std::vector<medsa::ImageKey> embedded;  ///< keys whose embedding was computed, in order
    std::vector<medsa::ImageKey> set;       ///< every key set, computed or known, in order
    int cancelled = 0;
    int workedAhead = 0;       ///< workAhead calls that ran to their end
    int workAheadStopped = 0;  ///< workAhead calls stopped by their sink
    bool workingAhead = false;
    bool contains(const medsa::ImageKey& key) {
      std::lock_guard lock(mutex);
      return std::find(embedded.begin(), embedded.end(), key) != embedded.end();
    }
    std::vector<medsa::ImageKey> embeddedCopy() {
      std::lock_guard lock(mutex);
      return embedded;
    }
  };

  /// Makes each new picture's embedding take `ms`, and records into `log`.
  void simulateEmbedding(int ms, std::shared_ptr<Log> log) {
    embedMs_ = ms;
    log_ = std::move(log);
  }

  /// Makes workAhead take `ms` (reporting every 10 ms, stopping when the sink says so),
  /// recorded into the log given to simulateEmbedding.
  void simulateWorkAhead(int ms) { workAheadMs_ = ms; }

  medsa::Status workAhead(medsa::ProgressSink* progress) override {
    if (!log_ || workAheadMs_ <= 0) return {};
    {
      std::lock_guard lock(log_->mutex);
      log_->workingAhead = true;
    }
    bool stopped = false;
    for (int waited = 0; waited < workAheadMs_ && !stopped; waited += 10) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      stopped = progress && !progress->report(waited / double(workAheadMs_), "ahead");
    }
    std::lock_guard lock(log_->mutex);
    log_->workingAhead = false;
    ++(stopped ? log_->workAheadStopped : log_->workedAhead);
    if (stopped) return medsa::Error{medsa::ErrorCode::Cancelled, "stopped", {}};
    return {};
  }

  /// Every prompt predict was given, in order (shared, for the test thread).
  struct Prompts {
    std::mutex mutex;
    std::vector<medsa::Prompt> list;
    std::vector<medsa::Prompt> copy() {
      std::lock_guard lock(mutex);
      return list;
    }
  };
  /// Makes predict take `ms` and record its prompts into `prompts` (either may be left out).
  void simulatePredict(int ms, std::shared_ptr<Prompts> prompts = nullptr) {
    predictMs_ = ms;
    prompts_ = std::move(prompts);
  }

  /// Makes setImage throw for the keys `when` picks, and predict throw once `predicts` is
  /// set: an engine that fails as a bug would, not as an error value.
  void throwInSetImage(std::function<bool(const medsa::ImageKey&)> when) {
    throwInSetImage_ = std::move(when);
  }
  void throwInPredict(std::shared_ptr<std::atomic<bool>> when) {
    throwInPredict_ = std::move(when);
  }

  medsa::Status setImage(const medsa::RgbImage& image, const medsa::ImageKey& key,
                         medsa::ProgressSink* progress) override {
    if (setImages_) ++*setImages_;
    if (throwInSetImage_ && throwInSetImage_(key)) throw std::runtime_error("embedding exploded");
    const bool known = log_ && log_->contains(key);
    if (embedMs_ > 0 && !known) {
      for (int step = 0; step < 10; ++step) {
        std::this_thread::sleep_for(std::chrono::milliseconds(embedMs_ / 10));
        if (progress && !progress->report((step + 1) / 10.0, "embedding")) {
          std::lock_guard lock(log_->mutex);
          ++log_->cancelled;
          return medsa::Error{medsa::ErrorCode::Cancelled, "stopped", key.imageId};
        }
      }
    }
    if (log_) {
      std::lock_guard lock(log_->mutex);
      if (!known) log_->embedded.push_back(key);
      log_->set.push_back(key);
    }
    image_ = image;
    return {};
  }

  medsa::Result<medsa::Prediction> predict(const medsa::Prompt& prompt) override {
    if (predictMs_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(predictMs_));
    if (prompts_) {
      std::lock_guard lock(prompts_->mutex);
      prompts_->list.push_back(prompt);
    }
    if (predicts_) ++*predicts_;
    if (throwInPredict_ && *throwInPredict_) throw std::runtime_error("decoder exploded");
    medsa::Prediction p;
    p.width = image_.width;
    p.height = image_.height;
    p.count = prompt.multimask ? 3 : 1;
    const std::size_t n = static_cast<std::size_t>(p.width) * p.height;
    p.masks.assign(n * p.count, 0);
    p.logits.assign(n * p.count, -1.f);
    for (int c = 0; c < p.count; ++c) {
      const double radius = 6.0 + 4.0 * c;
      for (int y = 0; y < p.height; ++y) {
        for (int x = 0; x < p.width; ++x) {
          bool in = false;
          if (prompt.box) {
            const auto& b = *prompt.box;
            in = x + 0.5 >= b.x0 && x + 0.5 <= b.x1 && y + 0.5 >= b.y0 && y + 0.5 <= b.y1 &&
                 image_.pixel(x, y)[0] > 128;
          } else {
            for (const auto& pt : prompt.points) {
              if (pt.positive && std::hypot(x + 0.5 - pt.x, y + 0.5 - pt.y) <= radius) in = true;
            }
          }
          for (const auto& pt : prompt.points) {
            if (!pt.positive && std::hypot(x + 0.5 - pt.x, y + 0.5 - pt.y) <= 4) in = false;
          }
          const std::size_t i =
              static_cast<std::size_t>(c) * n + static_cast<std::size_t>(y) * p.width + x;
          p.masks[i] = in ? 1 : 0;
          p.logits[i] = in ? 1.f : -1.f;
        }
      }
      p.iou.push_back(c == 1 ? 0.95f : 0.9f);  // the middle one is "best"
      p.lowRes.push_back(
          medsa::LowResMask{4, std::vector<float>(16, static_cast<float>(c)), std::nullopt});
    }
    lastPrompt = prompt;
    return p;
  }

  std::string modelVersion() const override { return "fake"; }

  medsa::Prompt lastPrompt;

 private:
  medsa::RgbImage image_;
  std::atomic<int>* setImages_;
  std::atomic<int>* predicts_;
  int embedMs_ = 0;
  int workAheadMs_ = 0;
  int predictMs_ = 0;
  std::shared_ptr<Prompts> prompts_;
  std::shared_ptr<Log> log_;
  std::function<bool(const medsa::ImageKey&)> throwInSetImage_;
  std::shared_ptr<std::atomic<bool>> throwInPredict_;
};
