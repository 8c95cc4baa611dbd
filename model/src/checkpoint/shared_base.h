#pragma once
// One copy in memory of a base checkpoint's tensors for every model loaded from that file. The
// app loads the same base several times while it runs: the engine, the trainer's base and the
// model it trains, each candidate adapter measured on held-out cases, and the engine a hot swap
// makes. Each load used to read (and, with an adapter file, hash) the whole file again and hold
// its own copy: for ViT-H 2.5 GB each. A load now takes the tensors of a model of the same file,
// geometry and device that is still alive, as they were loaded (same storage, no copy).
//
// Shared tensors are never changed in place: a trainer first makes the tensors it trains its
// own (SamModel::Impl::ownTensorsToTrain), which copies each one another model also uses, or,
// where no other model uses the entry, takes the entry out of the registry instead.

#include <torch/torch.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "medsa/model/adapter_config.h"
#include "medsa/model/sam_config.h"

namespace medsa::model {

/// What a load takes from one checkpoint file. As read, before a model has taken it, it has no
/// key and is in no registry; once in the registry its tensors are the first model's as that
/// model got them (after the move to its device, before any training).
struct SharedBase {
  std::string key;  ///< its key in the registry ("" until it is there)
  SamConfig geometry;
  bool geometryIsTheFiles = false;  ///< named in or inferred from the file, not asked for
  bool isReference = false;         ///< a reference Med-SA checkpoint
  std::optional<AdapterConfig> referenceAdapters;  ///< what its adapter tensors imply
  std::vector<std::string> notes;                  ///< compatibility notes
  /// Every tensor taken from the file, by state_dict key: as read, then aliases of the first
  /// model's storage.
  std::vector<std::pair<std::string, torch::Tensor>> tensors;

  /// The file's SHA-256 if known ("" if not yet computed), and once computed.
  std::string sha256() const;
  void setSha256(const std::string& sha) const;

 private:
  mutable std::mutex mutex_;
  mutable std::string sha256_;
};

/// What identifies a file's contents without reading it.
struct FileStamp {
  bool exists = false;
  std::string identity;  ///< "path:size:mtime": a model's base identity in cache keys
  /// Inode and nanosecond modification and change times: a file replaced in place with the same
  /// size and second (cp -p, rsync -a) is another file.
  std::string detail;
};
/// One stat of `path` (zero sizes and times where it fails, as before a load reports why).
FileStamp stampFile(const std::string& path);

/// The registry's key: the file's stamp and the device; "" where the file does not exist.
std::string sharedBaseKey(const FileStamp& stamp, const std::string& device);

/// The entry under `key` while a model uses it and if its geometry is the one asked for (nullopt:
/// the file's own), else null. Thread-safe, as the others.
std::shared_ptr<SharedBase> findSharedBase(const std::string& key,
                                           const std::optional<SamConfig>& geometry);
/// Makes `entry` the one found under its key (held weakly: it lives while models use it).
void rememberSharedBase(const std::shared_ptr<SharedBase>& entry);
/// Takes `entry` out of the registry if the caller's handle is its only one (no other model
/// uses it), so that no later load finds tensors the caller is about to change; returns whether
/// it did.
bool forgetSharedBaseIfSoleUser(const std::shared_ptr<SharedBase>& entry);

}  // namespace medsa::model
