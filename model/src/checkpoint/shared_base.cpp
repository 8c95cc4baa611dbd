#include "checkpoint/shared_base.h"

#include <map>

#include <sys/stat.h>

namespace medsa::model {
namespace {

std::mutex registryMutex;
std::map<std::string, std::weak_ptr<SharedBase>>& registry() {
  static std::map<std::string, std::weak_ptr<SharedBase>> entries;
  return entries;
}

}  // namespace

std::string SharedBase::sha256() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return sha256_;
}

void SharedBase::setSha256(const std::string& sha) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  sha256_ = sha;
}

FileStamp stampFile(const std::string& path) {
  struct stat info {};
  FileStamp stamp;
  stamp.exists = ::stat(path.c_str(), &info) == 0;
  stamp.identity = path + ":" + std::to_string(info.st_size) + ":" + std::to_string(info.st_mtime);
  stamp.detail = std::to_string(info.st_ino) + ":" + std::to_string(info.st_mtim.tv_nsec) + ":" +
                 std::to_string(info.st_ctim.tv_sec) + "." + std::to_string(info.st_ctim.tv_nsec);
  return stamp;
}

std::string sharedBaseKey(const FileStamp& stamp, const std::string& device) {
  return stamp.exists ? stamp.identity + "|" + stamp.detail + "|" + device : std::string();
}

std::shared_ptr<SharedBase> findSharedBase(const std::string& key,
                                           const std::optional<SamConfig>& geometry) {
  if (key.empty()) return nullptr;
  const std::lock_guard<std::mutex> lock(registryMutex);
  auto& entries = registry();
  const auto it = entries.find(key);
  if (it == entries.end()) return nullptr;
  std::shared_ptr<SharedBase> entry = it->second.lock();
  if (!entry) {
    entries.erase(it);
    return nullptr;
  }
  const bool fits = geometry ? entry->geometry == *geometry : entry->geometryIsTheFiles;
  return fits ? entry : nullptr;
}

void rememberSharedBase(const std::shared_ptr<SharedBase>& entry) {
  if (!entry || entry->key.empty()) return;
  const std::lock_guard<std::mutex> lock(registryMutex);
  auto& entries = registry();
  // Entries of models gone: dropped as new ones come, so the map stays small.
  for (auto it = entries.begin(); it != entries.end();) {
    it = it->second.expired() ? entries.erase(it) : std::next(it);
  }
  entries[entry->key] = entry;
}

bool forgetSharedBaseIfSoleUser(const std::shared_ptr<SharedBase>& entry) {
  if (!entry) return false;
  // Under the registry's lock: a load cannot take the entry between the count and the erase.
  const std::lock_guard<std::mutex> lock(registryMutex);
  if (entry.use_count() != 1) return false;
  auto& entries = registry();
  const auto it = entries.find(entry->key);
  if (it != entries.end() && it->second.lock() == entry) entries.erase(it);
  return true;
}

}  // namespace medsa::model
