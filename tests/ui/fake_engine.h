#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>

#include "medsa/core/segmentation_engine.h"

/// A deterministic stand-in for SAM: the object is the bright (> 128) pixels inside the prompt's
/// box, or within `radius` of the first positive point; negative points carve a disc out. With
/// multimask it answers three candidates of growing size. Counts its calls so tests can see that
/// stale requests were skipped.
class FakeEngine : public medsa::SegmentationEngine {
 public:
  explicit FakeEngine(std::atomic<int>* setImages = nullptr, std::atomic<int>* predicts = nullptr)
      : setImages_(setImages), predicts_(predicts) {}

  medsa::Status setImage(const medsa::RgbImage& image, const medsa::ImageKey&) override {
    image_ = image;
    if (setImages_) ++*setImages_;
    return {};
  }

  medsa::Result<medsa::Prediction> predict(const medsa::Prompt& prompt) override {
    if (predicts_) ++*predicts_;
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
      p.lowRes.push_back(medsa::LowResMask{4, std::vector<float>(16, static_cast<float>(c))});
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
};
