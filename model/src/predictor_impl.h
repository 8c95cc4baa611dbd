#pragma once

#include <torch/torch.h>

#include <future>

#include "embedding_cache.h"
#include "embedding_store.h"
#include "medsa/model/predictor.h"
#include "preprocess.h"
#include "sam_model_impl.h"

namespace medsa::model {

struct Predictor::Impl {
  Impl(std::shared_ptr<SamModel> model, PredictorOptions options);

  /// Decoder outputs of one prompt (all mask tokens, before candidate selection).
  struct Decoded {
    torch::Tensor lowRes;  ///< [C, L, L] selected candidates
    torch::Tensor iou;     ///< [C]
    torch::Tensor logits;  ///< [C, H, W] at the original size
  };

  /// Uses an already resized picture (parity tests start from the reference resize).
  void setResized(const RgbImage& resized, int originalWidth, int originalHeight,
                  const BlockObserver& observer = {});
  Result<std::vector<Decoded>> decode(const std::vector<Prompt>& prompts);
  static Prediction toPrediction(const Decoded& decoded);

  std::shared_ptr<SamModel> model;
  PredictorOptions options;
  EmbeddingCache cache;
  std::shared_ptr<EmbeddingStore> store;  ///< on disk, when a folder is set
  /// The embedding being written to `store` on a worker thread (at most one at a time).
  std::future<Status> storeWrite;
  /// Waits for the write in flight, if any.
  void finishStoreWrite();
  /// Writes `embedding` under `key` on a worker thread after the write in flight.
  void storeInBackground(const std::string& key, const torch::Tensor& embedding);
  torch::Tensor embedding;                ///< [1, C, g, g] fp32 on the model's device
  std::optional<PreparedImage> prepared;  ///< of `embedding`, made at the first click
  FrameGeometry frame;
  bool hasImage = false;
  bool lastCached = false;
  PredictorTimings timings;
};

}  // namespace medsa::model
