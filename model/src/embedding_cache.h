#pragma once

#include <torch/torch.h>

#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "medsa/model/predictor.h"

namespace medsa::model {

/// Least-recently-used image embeddings under a byte budget. Keys combine the picture
/// (ImageKey) with the model version, so a new adapter never reuses stale embeddings.
class EmbeddingCache {
 public:
  EmbeddingCache(std::size_t budgetBytes, torch::ScalarType storage);

  static std::string keyOf(const ImageKey& image, const std::string& modelVersion);

  /// The embedding in fp32, or nothing.
  std::optional<torch::Tensor> find(const std::string& key);
  void insert(const std::string& key, const torch::Tensor& embedding);
  const CacheStats& stats() const { return stats_; }

 private:
  struct Entry {
    std::string key;
    torch::Tensor embedding;
    std::size_t bytes;
  };
  std::size_t budget_;
  torch::ScalarType storage_;
  std::list<Entry> entries_;  // most recent first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  CacheStats stats_;
};

}  // namespace medsa::model
