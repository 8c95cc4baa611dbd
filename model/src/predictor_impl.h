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

  /// What prompts are decoded against: the picture's embedding, or a zoomed-in crop's.
  struct View {
    const torch::Tensor& embedding;
    const FrameGeometry& frame;
    std::optional<PreparedImage>& prepared;  ///< made with the embedding (else at its first prompt)
  };

  /// Uses an already resized picture (parity tests start from the reference resize).
  void setResized(const RgbImage& resized, int originalWidth, int originalHeight,
                  const BlockObserver& observer = {});
  /// The decoder's image side of a new embedding (MaskDecoder::prepare), made where the embedding
  /// is set, so that a click on a picture set before it does not wait for it (8 ms for ViT-B on
  /// two Zen 4 cores).
  PreparedImage prepareImage(const torch::Tensor& embedding);
  /// `picture`'s embedding becomes the one clicks are answered against, with its prepared side.
  void useEmbedding(torch::Tensor picture);
  /// Checks the prompts (checkPrompt), then decodes them against the picture's embedding.
  Result<std::vector<Decoded>> decode(const std::vector<Prompt>& prompts);
  /// Decodes prompts the caller has checked, against `view`.
  Result<std::vector<Decoded>> decodeIn(View view, const std::vector<Prompt>& prompts);
  /// A picture is set and the prompt is well formed (its previous mask of this model, its region
  /// inside the picture).
  Status checkPrompt(const Prompt& prompt) const;
  /// One prompt, answered in a crop when zoom-in applies (zoom_in.h).
  Result<Prediction> predictOne(const Prompt& prompt);
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
  std::optional<PreparedImage> prepared;  ///< of `embedding`, made with it
  FrameGeometry frame;
  bool hasImage = false;

  // Zoom-in (zoom_in.h).
  bool zoomIn = false;     ///< zoomInEnabled(model), fixed at construction
  RgbImage picture;        ///< the current picture, kept for crops when zoomIn (else empty)
  std::string pictureKey;  ///< its embedding-cache key
  /// The last crop encoded, reused by the clicks that stay in it.
  struct Crop {
    std::string key;  ///< pictureKey and region
    PixelRect region;
    FrameGeometry frame;
    torch::Tensor embedding;
    std::optional<PreparedImage> prepared;
  };
  std::optional<Crop> crop;
  /// Encoded by workAhead for the next correction; becomes `crop` when a prompt needs it.
  std::optional<Crop> ahead;
  /// The crop a correction of the last answer will need, if it is not `crop`: workAhead's job.
  std::optional<PixelRect> aheadRegion;
  std::size_t cropsEncoded = 0;
  /// The crop the prompt is answered in; nullopt for the whole picture.
  std::optional<PixelRect> zoomRegionFor(const Prompt& prompt) const;
  /// Makes `crop` the one at `region`, encoding it unless it already is (or `ahead` is it).
  void encodeCrop(PixelRect region);
  std::string cropKey(PixelRect region) const;
  /// Encodes the picture's crop at `region`; the observer may stop it between blocks.
  Crop makeCrop(PixelRect region, const BlockObserver& observer = {});
  /// Sets aheadRegion from the prompt just answered and its answer.
  void planAhead(const Prompt& prompt, const Prediction& answer);
  void forgetCrops();
  FrameGeometry frameOf(PixelRect region) const;
  void rememberPicture(const RgbImage& image, const std::string& cacheKey);
  bool lastCached = false;
  PredictorTimings timings;
};

}  // namespace medsa::model
