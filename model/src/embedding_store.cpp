#include "embedding_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <vector>

#include "checkpoint/checkpoint_reader.h"
#include "medsa/core/atomic_file.h"
#include "medsa/core/sha256.h"
#include "medsa/model/processing_profile.h"

namespace medsa::model {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view suffix = ".embedding.safetensors";
// Sweeping the folder (budget, dead temporaries) costs a directory listing: once every few
// writes.
constexpr std::size_t sweepEveryWrites = 16;
// A write that died (the process was killed between creating its temporary file and renaming
// it) leaves its temporary file behind (atomic_file.h). Writing an embedding takes well under a
// second, so one older than this belongs to no write in progress, in any process.
constexpr auto staleTemporaryAge = std::chrono::minutes(10);

bool endsWith(std::string_view text, std::string_view end) {
  return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

// The temporary file of a write of one of ours.
bool isOurTemporary(const std::string& name) {
  const std::optional<std::string> target = replacedNameOf(name);
  return target && endsWith(*target, suffix);
}
}  // namespace

EmbeddingStore::EmbeddingStore(std::string folder, std::uint64_t budgetBytes)
    : folder_(std::move(folder)), budget_(budgetBytes) {}

std::string EmbeddingStore::keyOf(const SamModel::Impl& model, const RgbImage& resized) {
  const std::string& encoder = model.encoderIdentity();
  if (encoder.empty() || !resized.isValid()) return {};
  Sha256 sha;
  sha.update(encoder);
  sha.update("|profile:" + std::string(profileName(model.options.profile)) +
             "|input:" + std::to_string(model.config.imageSize) + "|" +
             std::to_string(resized.width) + "x" + std::to_string(resized.height) + "|");
  sha.update(std::string_view(reinterpret_cast<const char*>(resized.pixels.data()),
                              resized.pixels.size()));
  return sha.hexDigest();
}

std::string EmbeddingStore::pathOf(const std::string& key) const {
  return folder_ + "/" + key + std::string(suffix);
}

std::optional<torch::Tensor> EmbeddingStore::find(const std::string& key,
                                                  const SamModel::Impl& model) {
  // A cache never fails its caller: whatever goes wrong (a file system error, a bad file) is a
  // miss.
  try {
    return findUnguarded(key, model);
  } catch (const std::exception&) {
    ++misses_;
    return std::nullopt;
  }
}

Status EmbeddingStore::insert(const std::string& key, const torch::Tensor& embedding) {
  try {
    return insertUnguarded(key, embedding);
  } catch (const std::exception& e) {
    return Error{ErrorCode::WriteFailed, std::string("cannot keep the embedding: ") + e.what(),
                 folder_};
  }
}

std::optional<torch::Tensor> EmbeddingStore::findUnguarded(const std::string& key,
                                                           const SamModel::Impl& model) {
  if (key.empty()) return std::nullopt;
  const std::string path = pathOf(key);
  std::error_code error;
  if (!fs::exists(path, error)) {
    ++misses_;
    return std::nullopt;
  }
  Result<LoadedCheckpoint> loaded = readCheckpoint(path);
  const std::vector<int64_t> expected = model.densePe.sizes().vec();  // [1, C, g, g]
  const bool fits =
      loaded.ok() && loaded->tensors.size() == 1 && loaded->tensors[0].first == "embedding" &&
      loaded->tensors[0].second.sizes().vec() == expected && loaded->metadata.find("key") &&
      loaded->metadata.find("key")->isString() && loaded->metadata.find("key")->asString() == key &&
      torch::isfinite(loaded->tensors[0].second).all().item<bool>();
  if (!fits) {
    fs::remove(path, error);  // damaged or not ours: computed again and written anew
    ++misses_;
    return std::nullopt;
  }
  // The modification time marks use, for the budget's eviction order.
  fs::last_write_time(path, fs::file_time_type::clock::now(), error);
  ++hits_;
  return loaded->tensors[0].second.to(torch::kFloat);
}

Status EmbeddingStore::insertUnguarded(const std::string& key, const torch::Tensor& embedding) {
  if (key.empty()) return {};
  std::error_code error;
  // Only the folder itself: a project folder that was moved or deleted meanwhile is not made
  // again by a late write.
  fs::create_directory(folder_, error);
  if (error) {
    return Error{ErrorCode::WriteFailed, "cannot create the embedding folder: " + error.message(),
                 folder_};
  }
  const torch::Tensor half = embedding.detach().to(torch::kCPU, torch::kHalf).contiguous();
  if (Status status = writeSafetensors(pathOf(key), {{"embedding", half}},
                                       {{"key", Json(key)}, {"format", Json("medsa-embedding-1")}});
      !status) {
    return status;
  }
  if (++writes_ % sweepEveryWrites == 1) sweep();
  return {};
}

void EmbeddingStore::sweep() {
  struct File {
    fs::path path;
    fs::file_time_type used;
    std::uintmax_t bytes;
  };
  std::vector<File> files;
  std::uintmax_t total = 0;
  std::error_code error;
  const auto staleBefore = fs::file_time_type::clock::now() - staleTemporaryAge;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder_, error)) {
    const std::string name = entry.path().filename().string();
    if (isOurTemporary(name)) {
      std::error_code fileError;
      const fs::file_time_type written = entry.last_write_time(fileError);
      if (!fileError && written < staleBefore && fs::remove(entry.path(), fileError)) {
        ++staleTemporariesRemoved_;
      }
      continue;
    }
    if (name.size() <= suffix.size() || !endsWith(name, suffix) || name[0] == '.') {
      continue;
    }
    std::error_code fileError;
    File file{entry.path(), entry.last_write_time(fileError), entry.file_size(fileError)};
    if (fileError) continue;
    total += file.bytes;
    files.push_back(std::move(file));
  }
  if (total <= budget_) return;
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return a.used < b.used; });
  for (const File& file : files) {
    if (total <= budget_ * 9 / 10) break;  // some room, so the next write does not evict again
    if (fs::remove(file.path, error)) {
      total -= file.bytes;
      ++evictions_;
    }
  }
}

}  // namespace medsa::model
