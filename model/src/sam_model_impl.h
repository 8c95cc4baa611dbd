#pragma once

#include <torch/torch.h>

#include <mutex>

#include "medsa/model/sam_model.h"
#include "sam/sam.h"

namespace medsa::model {

struct SharedBase;

struct SamModel::Impl {
  SamConfig config;
  EngineOptions options;
  std::string version;
  /// What makes the base weights: "path:size:mtime" of the checkpoint or "random:seed".
  std::string baseIdentity;
  std::string checkpointStamp;  ///< inode and nanosecond times of the checkpoint ("" for random)
  std::string checkpointPath;   ///< the base checkpoint ("" for random weights)
  mutable std::string checkpointSha256;  ///< computed on first use
  std::vector<std::string> notes;        ///< compatibility notes
  int generation = 0;                    ///< optimizer steps applied since loading
  Sam sam{nullptr};
  torch::Device device{torch::kCPU};
  torch::ScalarType encoderType = torch::kFloat;
  torch::ScalarType decoderType = torch::kFloat;
  /// The encoder in encoderType (a cast copy when it differs from fp32, so the fp32 weights stay
  /// the reference for the decoder and for training).
  ImageEncoder encoder{nullptr};
  /// The mask decoder in decoderType (a cast copy, as for the encoder).
  MaskDecoder decoder{nullptr};
  torch::Tensor densePe;  ///< cached: depends only on the weights
  /// The base checkpoint's tensors this model shares with others of the same file
  /// (checkpoint/shared_base.h); null for random weights and where training took them over.
  std::shared_ptr<SharedBase> sharedBase;

  /// Before a trainer changes `trainable` in place: each one this model shares with another
  /// model or the registry becomes its own copy (or, where no other model uses the shared base,
  /// the registry forgets it and nothing is copied).
  void ownTensorsToTrain(const std::vector<torch::Tensor>& trainable);

  /// Runs the decoder in its precision; returns fp32 low-res logits [B, T, L, L] and IoU [B, T].
  /// `prepared` (from prepare, or prepareMask for prompts with a mask input) replaces
  /// embedding + dense.
  std::pair<torch::Tensor, torch::Tensor> decode(const torch::Tensor& embedding,
                                                 const torch::Tensor& sparse,
                                                 const torch::Tensor& dense,
                                                 const PreparedImage* prepared = nullptr);
  /// The per-picture part of the decoder, shared by every prompt on the picture.
  PreparedImage prepare(const torch::Tensor& embedding);
  /// The same for prompts with a mask input (MaskDecoder::prepareMask); nullopt where it does
  /// not apply.
  std::optional<PreparedImage> prepareMask(const PreparedImage& picture,
                                           const torch::Tensor& embedding,
                                           const torch::Tensor& dense,
                                           const torch::Tensor& maskFeatures);

  /// After training changed the weights: refreshes the reduced-precision copies and the version
  /// (so cached embeddings of the old weights are never reused).
  void weightsChanged();

  /// [1, 3, S, S] model input -> embedding [1, C, g, g] in fp32, computed (a GPU is waited for,
  /// so that the time spent here is the encoder's).
  /// With depth > 1 the batch holds one chunk of `depth` consecutive slices (SD-Trans).
  torch::Tensor encode(const torch::Tensor& input, int64_t depth = 1,
                       const BlockObserver& observer = {});

  /// Identifies what decides an embedding: the base weights (and their geometry), training
  /// applied to the encoder since loading, the encoder's precision, the adapter configuration and
  /// a digest of the encoder's adapter weights (none for a decoder-only adapter, so its
  /// embeddings are the base's). Empty for a model with SD-Trans depth adapters (an embedding
  /// depends on the chunk around the slice): nothing is stored for those. Cached without a lock:
  /// one thread uses a model, as for everything else.
  const std::string& encoderIdentity() const;
  mutable std::string encoderIdentityCache;  ///< reset by weightsChanged
};

torch::ScalarType scalarType(Precision precision);

/// Now, as ISO 8601 UTC ("2024-05-01T12:00:00Z"), for file metadata.
std::string utcTimestamp();

/// inspectAdapterFile that also hands over the tensors (one read of the file when loading).
Result<AdapterFileInfo> readAdapterFile(
    const std::string& path, std::vector<std::pair<std::string, torch::Tensor>>* tensors);

}  // namespace medsa::model
