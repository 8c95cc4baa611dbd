#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "medsa/core/segmentation_engine.h"
#include "medsa/model/sam_model.h"

namespace medsa::model {

struct PredictorOptions {
  /// Memory for cached image embeddings (a vit_b embedding is 4 MB in fp32, 2 MB in fp16).
  std::size_t cacheBytes = std::size_t(512) << 20;
  /// Precision of cached embeddings; fp16/bf16 halve the memory at a tiny cost in accuracy.
  Precision cachePrecision = Precision::Fp32;
};

struct CacheStats {
  std::size_t hits = 0, misses = 0, entries = 0, bytes = 0, evictions = 0;
};

/// Timings of the last call, milliseconds.
struct PredictorTimings {
  double preprocessMs = 0, encoderMs = 0, decoderMs = 0, postprocessMs = 0;
  double zoomEncoderMs = 0;  ///< encoding a zoomed-in crop in the last predict (0: none needed)
};

/// SAM's interactive predictor: one embedding per picture (cached), then a cheap decoder run per
/// click. Implements SegmentationEngine for the UI and the CLI. One owner thread.
class Predictor final : public SegmentationEngine {
 public:
  explicit Predictor(std::shared_ptr<SamModel> model, PredictorOptions options = {});
  ~Predictor() override;

  Status setImage(const RgbImage& image, const ImageKey& key,
                  ProgressSink* progress = nullptr) override;
  Result<Prediction> predict(const Prompt& prompt) override;
  /// With zoom-in: encodes the crop that the next correction of the last answer from predict()
  /// is answered in (the answer's best candidate fed back, and a click that does not widen the
  /// object: any negative point, or a positive one inside it), when that is not the crop in
  /// use. The correction then finds it ready; its answer is the same.
  Status workAhead(ProgressSink* progress = nullptr) override;
  /// Encodes consecutive slices of a volume together, so that a model with SD-Trans depth
  /// adapters sees its chunk (slices in order, one key each); every embedding goes to the cache,
  /// where setImage finds it. Without depth adapters each slice is encoded on its own.
  Status encodeChunk(const std::vector<RgbImage>& slices, const std::vector<ImageKey>& keys);
  /// Several prompt sets on the current picture in one decoder batch (one object each); prompts
  /// that zoom-in answers in a crop are answered one by one, each as predict() would.
  Result<std::vector<Prediction>> predictBatch(const std::vector<Prompt>& prompts);
  std::string modelVersion() const override;
  /// Embeddings are also kept in `folder` (fp16, keyed by encoder and pixels): setImage takes
  /// one from there before it encodes, and writes every embedding it computes on a worker
  /// thread (one write at a time; the destructor waits for the last).
  void setEmbeddingFolder(const std::string& folder) override;
  /// Waits until the embedding being written to the folder, if any, is on disk.
  void finishStoreWrites();

  bool hasImage() const;
  /// Whether the last setImage found its embedding in the cache.
  bool lastSetImageWasCached() const;
  CacheStats cacheStats() const;
  /// Embeddings found in and written to the folder of setEmbeddingFolder since it was set
  /// (after the write in flight, which it waits for).
  struct StoreStats {
    std::size_t hits = 0, writes = 0;
  };
  StoreStats storeStats() const;
  const PredictorTimings& lastTimings() const;
  /// Crops encoded for zoom-in since construction (a crop kept from click to click counts once;
  /// those encoded by workAhead count too).
  std::size_t zoomCropsEncoded() const;
  const SamModel& model() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  Status setImageUnguarded(const RgbImage& image, const ImageKey& key, ProgressSink* progress);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medsa::model
