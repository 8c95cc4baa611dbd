// Adapter files: .safetensors holding only what training changed (the adapters, optionally the
// mask decoder), with the metadata needed to refuse a mismatched base model.
#include <chrono>
#include <ctime>

#include "checkpoint/checkpoint_reader.h"
#include "guarded.h"
#include "medsa/model/sam_model.h"
#include "sam_model_impl.h"

namespace medsa::model {
namespace {

constexpr const char* kFormat = "medsa-adapter/1";

}  // namespace

std::string utcTimestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

namespace {

Error adapterError(const std::string& message, const std::string& path) {
  return Error{ErrorCode::CheckpointInvalid, "adapter file: " + message, path};
}

}  // namespace

Status SamModel::saveAdapters(const std::string& path, const Json& training,
                              bool includeDecoder) const {
  return guarded("saving adapters", [&]() -> Status {
    if (!impl_->sam->adapters)
      return Error{ErrorCode::InvalidArgument, "this model has no adapters", path};
    Result<std::string> sha = baseSha256();
    if (!sha.ok()) return sha.error();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& item : impl_->sam->named_parameters()) {
      const bool decoder = item.key().rfind("mask_decoder.", 0) == 0;
      if (isAdapterKey(item.key()) || (includeDecoder && decoder)) {
        tensors.emplace_back(item.key(), item.value().detach().to(torch::kCPU));
      }
    }
    const Json::Object metadata = {{"format", kFormat},
                                   {"base_sha256", sha.value()},
                                   {"base_config", impl_->config.toJson().dump()},
                                   {"profile", std::string(profileName(impl_->options.profile))},
                                   {"adapter_config", impl_->sam->adapters->toJson().dump()},
                                   {"includes_decoder", includeDecoder ? "true" : "false"},
                                   {"created", utcTimestamp()},
                                   {"training", training.dump()}};
    return writeSafetensors(path, tensors, metadata);
  });
}

Result<AdapterFileInfo> inspectAdapterFile(const std::string& path) {
  return readAdapterFile(path, nullptr);
}

Result<AdapterFileInfo> readAdapterFile(
    const std::string& path, std::vector<std::pair<std::string, torch::Tensor>>* tensors) {
  return guarded("reading the adapter file", [&]() -> Result<AdapterFileInfo> {
    Result<LoadedCheckpoint> file = readCheckpoint(path);
    if (!file.ok()) return file.error();
    if (file->format != "safetensors") return adapterError("expected a .safetensors file", path);
    const Json& metadata = file->metadata;
    const auto text = [&](const char* key) -> const std::string* {
      const Json* value = metadata.find(key);
      return value && value->isString() ? &value->asString() : nullptr;
    };
    const std::string* format = text("format");
    if (!format || *format != kFormat) {
      return adapterError(
          "not an adapter file of this program (no '" + std::string(kFormat) + "' metadata)", path);
    }
    AdapterFileInfo info;
    const std::string *sha = text("base_sha256"), *base = text("base_config"),
                      *profile = text("profile"), *adapters = text("adapter_config"),
                      *decoder = text("includes_decoder");
    if (!sha || sha->size() != 64 || !base || !profile || !adapters || !decoder) {
      return adapterError("metadata incomplete (base_sha256, base_config, profile, adapter_config)",
                          path);
    }
    info.baseSha256 = *sha;
    Result<Json> baseJson = parseJson(*base, path);
    if (!baseJson.ok()) return baseJson.error();
    Result<SamConfig> baseConfig = SamConfig::fromJson(baseJson.value(), path);
    if (!baseConfig.ok()) return baseConfig.error();
    info.base = baseConfig.value();
    Result<ProcessingProfile> parsedProfile = parseProfile(*profile);
    if (!parsedProfile.ok()) return adapterError(parsedProfile.error().message, path);
    info.profile = parsedProfile.value();
    Result<Json> adapterJson = parseJson(*adapters, path);
    if (!adapterJson.ok()) return adapterJson.error();
    Result<AdapterConfig> adapterConfig = AdapterConfig::fromJson(adapterJson.value());
    if (!adapterConfig.ok()) return adapterError(adapterConfig.error().message, path);
    info.adapters = adapterConfig.value();
    info.includesDecoder = *decoder == "true";
    if (const std::string* created = text("created")) info.created = *created;
    if (const std::string* training = text("training")) {
      Result<Json> parsed = parseJson(*training, path);
      if (parsed.ok()) info.training = parsed.value();
    }
    for (const auto& [name, tensor] : file->tensors) {
      ++info.tensors;
      info.values += tensor.numel();
    }
    if (tensors) *tensors = std::move(file->tensors);
    return info;
  });
}

}  // namespace medsa::model
