#pragma once

#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "medsa/core/error.h"
#include "medsa/core/rgb_image.h"
#include "sam_model_impl.h"

namespace medsa::model {

/// Image embeddings kept on disk in fp16 (a project's embeddings/ folder), so that an embedding is
/// computed once: not again when the picture is opened again, and not again when the trainer's
/// decoder plan needs the slice the annotator's engine already encoded. The key is a SHA-256 of
/// everything that decides the embedding: the encoder (SamModel::Impl::encoderIdentity) and the
/// model input (the processing profile, the input size and the resized picture's pixels).
///
/// Files are written whole under a temporary name and renamed, so the engine thread, the trainer
/// and other processes can share a folder. A file that is damaged, of another shape or not ours
/// is a miss (and is removed), never an error. The folder is kept under a byte budget: when it
/// grows past it, the files used longest ago go first. The same sweep (every few writes, and at
/// the first) removes temporary files that writes killed mid-way left behind.
class EmbeddingStore {
 public:
  explicit EmbeddingStore(std::string folder, std::uint64_t budgetBytes = std::uint64_t(4) << 30);

  const std::string& folder() const { return folder_; }

  /// "" when the model's embeddings cannot be stored (SD-Trans depth adapters).
  static std::string keyOf(const SamModel::Impl& model, const RgbImage& resized);

  /// The stored embedding, [1, C, g, g] fp32 on the CPU, when it exists and has the model's
  /// shape.
  std::optional<torch::Tensor> find(const std::string& key, const SamModel::Impl& model);
  /// Stores `embedding` ([1, C, g, g]) as fp16.
  Status insert(const std::string& key, const torch::Tensor& embedding);

  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }
  std::size_t writes() const { return writes_; }
  std::size_t evictions() const { return evictions_; }
  std::size_t staleTemporariesRemoved() const { return staleTemporariesRemoved_; }

 private:
  std::optional<torch::Tensor> findUnguarded(const std::string& key, const SamModel::Impl& model);
  Status insertUnguarded(const std::string& key, const torch::Tensor& embedding);
  std::string pathOf(const std::string& key) const;
  /// Removes what writes killed mid-way left, then the files used longest ago while the folder
  /// is over its budget.
  void sweep();

  std::string folder_;
  std::uint64_t budget_;
  std::atomic<std::size_t> hits_{0}, misses_{0}, writes_{0}, evictions_{0},
      staleTemporariesRemoved_{0};
};

}  // namespace medsa::model
