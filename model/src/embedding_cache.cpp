#include "embedding_cache.h"

#include <sstream>

namespace medsa::model {

EmbeddingCache::EmbeddingCache(std::size_t budgetBytes, torch::ScalarType storage)
    : budget_(budgetBytes), storage_(storage) {}

std::string EmbeddingCache::keyOf(const ImageKey& image, const std::string& modelVersion) {
  std::ostringstream key;
  key.precision(17);  // window/level must match exactly, not to a few digits
  key << modelVersion << '\n'
      << image.imageId << '\n'
      << image.plane << '/' << image.slice << '/' << image.window << '/' << image.level;
  return key.str();
}

std::optional<torch::Tensor> EmbeddingCache::find(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  ++stats_.hits;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->embedding.to(torch::kFloat);
}

void EmbeddingCache::insert(const std::string& key, const torch::Tensor& embedding) {
  torch::Tensor stored = embedding.to(storage_).clone();
  const std::size_t bytes = stored.numel() * stored.element_size();
  if (auto it = index_.find(key); it != index_.end()) {
    stats_.bytes -= it->second->bytes;
    entries_.erase(it->second);
    index_.erase(it);
  }
  if (bytes > budget_) return;  // larger than the whole budget: not worth evicting everything
  while (stats_.bytes + bytes > budget_ && !entries_.empty()) {
    stats_.bytes -= entries_.back().bytes;
    index_.erase(entries_.back().key);
    entries_.pop_back();
    ++stats_.evictions;
  }
  entries_.push_front({key, std::move(stored), bytes});
  index_[key] = entries_.begin();
  stats_.bytes += bytes;
  stats_.entries = entries_.size();
}

}  // namespace medsa::model
