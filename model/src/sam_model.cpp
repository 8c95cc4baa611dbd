#include "medsa/model/sam_model.h"

#include <set>

#include "buffer_reuse.h"
#include "checkpoint/checkpoint_reader.h"
#include "checkpoint/reference_compat.h"
#include "checkpoint/shared_base.h"
#include "checkpoint/state_dict_loader.h"
#include "guarded.h"
#include "medsa/core/sha256.h"
#include "medsa/model/runtime.h"
#include "sam_model_impl.h"
#include "torch_compat.h"

namespace medsa::model {
namespace {

std::string dtypeName(torch::ScalarType type) { return c10::toString(type); }

Result<std::unique_ptr<SamModel::Impl>> buildImpl(const SamConfig& config,
                                                  const EngineOptions& options) {
  if (Status status = config.validate(); !status) return status.error();
  if (options.device == Device::Cuda && !torch::cuda::is_available()) {
    return Error{ErrorCode::Unavailable,
                 "CUDA was requested but this LibTorch build or machine has no CUDA device",
                 {}};
  }
  setThreadCount(options.threads);
  keepEncoderAllocationsResident();
  auto impl = std::make_unique<SamModel::Impl>();
  impl->config = config;
  impl->options = options;
  impl->device =
      options.device == Device::Cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  impl->encoderType = scalarType(options.encoderPrecision);
  impl->decoderType = scalarType(options.decoderPrecision);
  if (options.adapters) {
    if (Status status = options.adapters->validate(); !status) return status.error();
  }
  impl->sam = Sam(config, options.adapters);
  impl->sam->eval();
  return impl;
}

// `copy` with the parameters of `source`, then moved to `device` and `type`.
template <typename Holder>
Holder castCopy(Holder copy, torch::nn::Module& source, torch::Device device,
                torch::ScalarType type) {
  copy->eval();
  auto parameters = source.named_parameters();
  for (auto& item : copy->named_parameters()) item.value().copy_(parameters[item.key()]);
  auto buffers = source.named_buffers();
  for (auto& item : copy->named_buffers()) item.value().copy_(buffers[item.key()]);
  copy->to(device, type);
  return copy;
}

// Moves the model to its device and prepares the encoder copy in the requested precision.
void finish(SamModel::Impl& impl) {
  torch::NoGradGuard noGrad;
  impl.sam->to(impl.device);
  impl.encoder = impl.sam->image_encoder;
  impl.decoder = impl.sam->mask_decoder;
  if (impl.encoderType != torch::kFloat) {
    impl.encoder =
        castCopy(ImageEncoder(impl.config, impl.sam->adapters ? &*impl.sam->adapters : nullptr),
                 *impl.sam->image_encoder, impl.device, impl.encoderType);
  }
  if (impl.decoderType != torch::kFloat) {
    impl.decoder =
        castCopy(MaskDecoder(impl.config, impl.sam->adapters ? &*impl.sam->adapters : nullptr),
                 *impl.sam->mask_decoder, impl.device, impl.decoderType);
  }
  impl.densePe = impl.sam->prompt_encoder->densePe();
}

}  // namespace

torch::ScalarType scalarType(Precision precision) {
  switch (precision) {
    case Precision::Bf16:
      return torch::kBFloat16;
    case Precision::Fp16:
      return torch::kHalf;
    case Precision::Fp32:
      break;
  }
  return torch::kFloat;
}

void SamModel::Impl::weightsChanged() {
  finish(*this);
  ++generation;
  const size_t mark = version.find("#trained-");
  version = version.substr(0, mark) + "#trained-" + std::to_string(generation);
  encoderIdentityCache.clear();
}

void SamModel::Impl::ownTensorsToTrain(const std::vector<torch::Tensor>& trainable) {
  if (!sharedBase) return;
  if (forgetSharedBaseIfSoleUser(sharedBase)) {
    sharedBase.reset();  // no later load finds them: this model's tensors are its own
    return;
  }
  std::set<const void*> shared;
  for (const auto& item : sharedBase->tensors) shared.insert(item.second.storage().data());
  torch::NoGradGuard noGrad;
  for (torch::Tensor tensor : trainable) {
    if (shared.count(tensor.storage().data())) tensor.set_data(tensor.detach().clone());
  }
}

const std::string& SamModel::Impl::encoderIdentity() const {
  if (!encoderIdentityCache.empty() || (sam->adapters && sam->adapters->depth))
    return encoderIdentityCache;
  // One pass over the encoder: a digest of its adapter weights, and whether its own weights
  // are trained (only then does training since loading count: pre-training; a decoder-side run
  // or its resume leaves the encoder as it was).
  Sha256 adapters;
  bool anyAdapter = false, encoderTrained = false;
  torch::NoGradGuard noGrad;
  for (const auto& item : sam->image_encoder->named_parameters()) {
    if (!isAdapterKey("image_encoder." + item.key())) {
      encoderTrained = encoderTrained || item.value().requires_grad();
      continue;
    }
    const torch::Tensor t = item.value().detach().to(torch::kCPU, torch::kFloat).contiguous();
    adapters.update(item.key());
    adapters.update(std::string_view(static_cast<const char*>(t.data_ptr()),
                                     static_cast<std::size_t>(t.numel()) * sizeof(float)));
    anyAdapter = true;
  }
  std::string id = baseIdentity + ":" + checkpointStamp +
                   "|trained:" + std::to_string(encoderTrained ? generation : 0) +
                   "|encoder:" + std::string(c10::toString(encoderType)) +
                   "|config:" + config.toJson().dump();
  if (sam->adapters && (sam->adapters->encoder || sam->adapters->padBeforeNorm)) {
    // What of the adapter configuration the encoder computes with (decoder settings are not).
    id += "|encoder-adapters:" + std::to_string(sam->adapters->encoder) + "/" +
          std::to_string(sam->adapters->ratio) + "/" + std::to_string(sam->adapters->mlpScale) +
          "/" + std::to_string(sam->adapters->padBeforeNorm);
  }
  if (anyAdapter) id += "|adapter-weights:" + adapters.hexDigest();
  encoderIdentityCache = std::move(id);
  return encoderIdentityCache;
}

std::pair<torch::Tensor, torch::Tensor> SamModel::Impl::decode(const torch::Tensor& embedding,
                                                               const torch::Tensor& sparse,
                                                               const torch::Tensor& dense,
                                                               const PreparedImage* prepared) {
  const torch::ScalarType type = decoderType;
  auto [lowRes, iou] = decoder->forward(embedding.to(type), densePe.to(type), sparse.to(type),
                                        dense.to(type), prepared);
  return {lowRes.to(torch::kFloat), iou.to(torch::kFloat)};
}

PreparedImage SamModel::Impl::prepare(const torch::Tensor& embedding) {
  const torch::ScalarType type = decoderType;
  const torch::Tensor noMask =
      sam->prompt_encoder->no_mask_embed->weight.reshape({1, -1, 1, 1}).expand_as(embedding);
  const auto& projection = sam->prompt_encoder->maskProjection();
  return decoder->prepare(embedding.to(type), densePe.to(type), noMask.to(type),
                          projection.weight.flatten(1).to(type), projection.bias.to(type));
}

std::optional<PreparedImage> SamModel::Impl::prepareMask(const PreparedImage& picture,
                                                         const torch::Tensor& embedding,
                                                         const torch::Tensor& dense,
                                                         const torch::Tensor& maskFeatures) {
  const torch::ScalarType type = decoderType;
  return decoder->prepareMask(picture, embedding.to(type), dense.to(type),
                              maskFeatures.defined() ? maskFeatures.to(type) : maskFeatures);
}

torch::Tensor SamModel::Impl::encode(const torch::Tensor& input, int64_t depth,
                                     const BlockObserver& observer) {
  torch::InferenceMode inference;
  // Each block's qkv and first MLP outputs (38 and 50 MB in ViT-B) are above glibc's largest
  // mmap threshold: without reuse they were mapped and faulted in anew in every block.
  const BufferReuseScope reuse;
  torch::Tensor embedding =
      encoder(input.to(device, encoderType), depth, observer).to(torch::kFloat);
  compat::waitForDevice(device);
  return embedding;
}

Precision preferredEncoderPrecision(Device device) {
  return device == Device::Cuda ? Precision::Bf16 : Precision::Fp32;
}

EngineOptions preferredEngineOptions() {
  EngineOptions options;
  options.device = runtimeInfo().cudaAvailable ? Device::Cuda : Device::Cpu;
  options.encoderPrecision = preferredEncoderPrecision(options.device);
  return options;
}

Result<Device> parseDevice(std::string_view name) {
  if (name == "cpu") return Device::Cpu;
  if (name == "cuda") return Device::Cuda;
  return Error{ErrorCode::InvalidArgument,
               "unknown device '" + std::string(name) + "' (use cpu or cuda)",
               {}};
}

Result<Precision> parsePrecision(std::string_view name) {
  if (name == "fp32") return Precision::Fp32;
  if (name == "bf16") return Precision::Bf16;
  if (name == "fp16") return Precision::Fp16;
  return Error{ErrorCode::InvalidArgument,
               "unknown precision '" + std::string(name) + "' (use fp32, bf16 or fp16)",
               {}};
}

Result<ZoomIn> parseZoomIn(std::string_view name) {
  if (name == "auto") return ZoomIn::Auto;
  if (name == "on") return ZoomIn::On;
  if (name == "off") return ZoomIn::Off;
  return Error{ErrorCode::InvalidArgument,
               "unknown zoom-in mode '" + std::string(name) + "' (use auto, on or off)",
               {}};
}

std::string_view zoomInName(ZoomIn zoom) {
  switch (zoom) {
    case ZoomIn::On:
      return "on";
    case ZoomIn::Off:
      return "off";
    case ZoomIn::Auto:
      break;
  }
  return "auto";
}

std::string_view deviceName(Device device) { return device == Device::Cuda ? "cuda" : "cpu"; }

std::string_view precisionName(Precision precision) {
  switch (precision) {
    case Precision::Bf16:
      return "bf16";
    case Precision::Fp16:
      return "fp16";
    case Precision::Fp32:
      break;
  }
  return "fp32";
}

std::string_view profileName(ProcessingProfile profile) {
  return profile == ProcessingProfile::MedSam ? "medsam" : "sam";
}

Result<ProcessingProfile> parseProfile(std::string_view name) {
  if (name == "sam") return ProcessingProfile::Sam;
  if (name == "medsam") return ProcessingProfile::MedSam;
  return Error{ErrorCode::InvalidArgument,
               "unknown processing profile '" + std::string(name) + "' (use sam or medsam)",
               {}};
}

std::int64_t TensorInfo::elements() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

SamModel::SamModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SamModel::~SamModel() = default;

const SamConfig& SamModel::config() const { return impl_->config; }
const EngineOptions& SamModel::options() const { return impl_->options; }
const std::string& SamModel::version() const { return impl_->version; }

std::vector<TensorInfo> SamModel::tensors() const {
  std::vector<TensorInfo> infos;
  for (const auto& [name, tensor] : namedTensors(*impl_->sam)) {
    infos.push_back({name, tensor.sizes().vec(), dtypeName(tensor.scalar_type())});
  }
  return infos;
}

Result<std::shared_ptr<SamModel>> SamModel::load(const std::string& checkpoint,
                                                 const std::optional<SamConfig>& config,
                                                 const EngineOptions& options) {
  return guarded("loading the model", [&]() -> Result<std::shared_ptr<SamModel>> {
    Result<std::shared_ptr<SamModel>> model = loadUnguarded(checkpoint, config, options);
    if (!model.ok() && model.error().path.empty()) {
      Error error = model.error();
      error.path = checkpoint;
      return error;
    }
    return model;
  });
}

namespace {

// The base as read from the file: an entry for the registry, not yet in it (no key), with the
// file's own tensors until a model has taken them.
Result<std::shared_ptr<SharedBase>> readBase(const std::string& checkpoint,
                                             const std::optional<SamConfig>& config) {
  Result<LoadedCheckpoint> loaded = readCheckpoint(checkpoint);
  if (!loaded.ok()) return loaded.error();
  Result<ReferenceMapping> reference = mapReferenceCheckpoint(loaded->tensors, checkpoint);
  if (!reference.ok()) return reference.error();
  auto base = std::make_shared<SharedBase>();
  base->isReference = reference->isReference;
  base->referenceAdapters = reference->adapters;
  base->notes = reference->notes;
  base->geometryIsTheFiles = !config;
  const Json* stored = loaded->metadata.find("sam_config");
  if (config) {
    base->geometry = *config;
  } else if (stored && stored->isString()) {
    // Our own model files name their geometry: a decoder narrower than SAM's cannot be inferred.
    Result<Json> json = parseJson(stored->asString(), checkpoint);
    if (!json.ok()) return json.error();
    Result<SamConfig> named = SamConfig::fromJson(json.value(), checkpoint);
    if (!named.ok()) return named.error();
    base->geometry = named.value();
  } else {
    std::map<std::string, std::vector<long>> shapes;
    for (const auto& [name, tensor] : loaded->tensors) shapes[name] = tensor.sizes().vec();
    Result<SamConfig> inferred = SamConfig::inferFromShapes(shapes);
    if (!inferred.ok()) {
      Error error = inferred.error();
      error.path = checkpoint;
      return error;
    }
    base->geometry = inferred.value();
  }
  base->tensors = std::move(loaded->tensors);
  return base;
}

// The SHA-256 of the base checkpoint, hashed once per base (another model may have done it).
Result<std::string> baseSha256Of(const std::string& checkpoint, const SharedBase& base) {
  if (std::string known = base.sha256(); !known.empty()) return known;
  Result<std::string> sha = sha256File(checkpoint);
  if (sha.ok()) base.setSha256(sha.value());
  return sha;
}

}  // namespace

Result<std::shared_ptr<SamModel>> SamModel::loadUnguarded(const std::string& checkpoint,
                                                          const std::optional<SamConfig>& config,
                                                          const EngineOptions& requested) {
  const FileStamp stamp = stampFile(checkpoint);
  const std::string sharedKey =
      sharedBaseKey(stamp, requested.device == Device::Cuda ? "cuda" : "cpu");
  // A live model's tensors where one of this file, geometry and device exists, else the file's.
  std::shared_ptr<SharedBase> base = findSharedBase(sharedKey, config);
  const bool shared = base != nullptr;
  if (!shared) {
    Result<std::shared_ptr<SharedBase>> read = readBase(checkpoint, config);
    if (!read.ok()) return read.error();
    base = read.value();
  }
  EngineOptions options = requested;
  if (base->referenceAdapters && !options.adapters) options.adapters = base->referenceAdapters;
  const SamConfig& geometry = base->geometry;

  // Trained adapters replace the requested configuration with their own and must have been
  // trained on this very base checkpoint.
  std::vector<std::pair<std::string, torch::Tensor>> adapterTensors;
  std::string baseSha;
  if (!options.adapterFile.empty()) {
    Result<AdapterFileInfo> info = readAdapterFile(options.adapterFile, &adapterTensors);
    if (!info.ok()) return info.error();
    if (!(info->base == geometry)) {
      return Error{ErrorCode::CheckpointInvalid,
                   "the adapters were trained on a model of another geometry", options.adapterFile};
    }
    Result<std::string> sha = baseSha256Of(checkpoint, *base);
    if (!sha.ok()) return sha.error();
    if (sha.value() != info->baseSha256) {
      return Error{ErrorCode::CheckpointInvalid,
                   "the adapters were trained on another base checkpoint (sha256 " +
                       info->baseSha256.substr(0, 12) + "..., this one is " +
                       sha.value().substr(0, 12) + "...)",
                   options.adapterFile};
    }
    options.adapters = info->adapters;
    options.profile = info->profile;
    baseSha = sha.value();
  }

  Result<std::unique_ptr<Impl>> impl = buildImpl(geometry, options);
  if (!impl.ok()) return impl.error();
  // Adapter files may carry fine-tuned decoder weights: they replace the base's.
  std::map<std::string, torch::Tensor> merged;
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (auto& item : adapterTensors) merged.insert(item);
  bool overridden = false;  // whether the adapter file replaces any of the base's tensors
  for (auto& [name, tensor] : base->tensors) {
    if (merged.count(name)) {
      overridden = true;
    } else {
      tensors.emplace_back(name, tensor);
    }
  }
  for (auto& item : adapterTensors) tensors.push_back(item);
  const bool freshAdapters = adapterTensors.empty() && !base->isReference;
  const auto fromBase = [&](const std::string& key) { return !merged.count(key); };
  if (Status status = loadStateDict(
          *impl.value()->sam, tensors, checkpoint,
          [&](const std::string& key) { return freshAdapters && isAdapterKey(key); },
          shared ? std::function<bool(const std::string&)>(fromBase) : nullptr);
      !status) {
    return status.error();
  }
  impl.value()->checkpointPath = checkpoint;
  impl.value()->checkpointSha256 = baseSha;  // already hashed when adapters were verified
  impl.value()->notes = base->notes;
  impl.value()->baseIdentity = stamp.identity;
  impl.value()->checkpointStamp = stamp.detail;
  impl.value()->version = impl.value()->baseIdentity +
                          (options.adapterFile.empty() ? std::string() : "+" + options.adapterFile);
  finish(*impl.value());
  if (shared) {
    impl.value()->sharedBase = base;
  } else if (!overridden && !sharedKey.empty()) {
    // The first model of this file: later loads share its tensors as loaded (on its device).
    // The registry keeps aliases of their storage, not the module's own tensor objects: a
    // trainer that later gives this model's tensor other storage (ownTensorsToTrain) leaves
    // the registry's as it was.
    std::map<std::string, torch::Tensor> own;
    for (auto& [name, tensor] : namedTensors(*impl.value()->sam)) own.emplace(name, tensor);
    for (auto& item : base->tensors) item.second = own.at(item.first).detach();
    base->key = sharedKey;
    impl.value()->sharedBase = base;
    rememberSharedBase(base);
  }
  return std::shared_ptr<SamModel>(new SamModel(std::move(impl.value())));
}

Result<std::shared_ptr<SamModel>> SamModel::randomWeights(const SamConfig& config,
                                                          const EngineOptions& options,
                                                          std::uint64_t seed) {
  return guarded("building the model", [&]() -> Result<std::shared_ptr<SamModel>> {
    return randomWeightsUnguarded(config, options, seed);
  });
}

Result<std::shared_ptr<SamModel>> SamModel::randomWeightsUnguarded(const SamConfig& config,
                                                                   const EngineOptions& options,
                                                                   std::uint64_t seed) {
  torch::manual_seed(seed);
  Result<std::unique_ptr<Impl>> impl = buildImpl(config, options);
  if (!impl.ok()) return impl.error();
  {
    // Relative-position tables start at zero in SAM; random values exercise them.
    torch::NoGradGuard noGrad;
    for (auto& p : impl.value()->sam->named_parameters()) {
      if (p.key().find("rel_pos") != std::string::npos) p.value().normal_(0, 0.02);
    }
  }
  impl.value()->version = "random:" + std::to_string(seed);
  impl.value()->baseIdentity = impl.value()->version;
  finish(*impl.value());
  return std::shared_ptr<SamModel>(new SamModel(std::move(impl.value())));
}

Result<std::vector<TensorInfo>> inspectCheckpoint(const std::string& checkpoint) {
  Result<LoadedCheckpoint> loaded =
      guarded("reading the checkpoint",
              [&]() -> Result<LoadedCheckpoint> { return readCheckpoint(checkpoint); });
  if (!loaded.ok()) return loaded.error();
  std::vector<TensorInfo> infos;
  for (const auto& [name, tensor] : loaded->tensors) {
    infos.push_back({name, tensor.sizes().vec(), dtypeName(tensor.scalar_type())});
  }
  return infos;
}

}  // namespace medsa::model

namespace medsa::model {

const std::optional<AdapterConfig>& SamModel::adapters() const { return impl_->sam->adapters; }

const std::vector<std::string>& SamModel::compatibilityNotes() const { return impl_->notes; }

std::vector<ParameterCount> SamModel::parameterCounts(bool trainDecoder) const {
  std::vector<ParameterCount> counts = {{"image_encoder"},
                                        {"image_encoder adapters"},
                                        {"prompt_encoder"},
                                        {"mask_decoder"},
                                        {"mask_decoder adapters"}};
  for (const auto& item : impl_->sam->named_parameters()) {
    const std::string& key = item.key();
    const bool adapter = isAdapterKey(key);
    size_t group = 2;
    if (key.rfind("image_encoder.", 0) == 0) group = adapter ? 1 : 0;
    if (key.rfind("mask_decoder.", 0) == 0) group = adapter ? 4 : 3;
    counts[group].total += item.value().numel();
    if (adapter || (trainDecoder && group == 3)) counts[group].trainable += item.value().numel();
  }
  return counts;
}

Result<std::string> SamModel::baseSha256() const {
  if (impl_->checkpointPath.empty()) return std::string();
  if (impl_->checkpointSha256.empty()) {
    // A shared base is hashed once for every model that shares it.
    Result<std::string> sha = impl_->sharedBase
                                  ? baseSha256Of(impl_->checkpointPath, *impl_->sharedBase)
                                  : sha256File(impl_->checkpointPath);
    if (!sha.ok()) return sha.error();
    impl_->checkpointSha256 = sha.value();
  }
  return impl_->checkpointSha256;
}

}  // namespace medsa::model

namespace medsa::model {

Result<std::shared_ptr<SamModel>> SamModel::withAdapterFile(const std::string& file) const {
  if (impl_->checkpointPath.empty()) {
    return Error{ErrorCode::InvalidArgument,
                 "adapters need a base model loaded from a checkpoint file (this one has random "
                 "weights)",
                 file};
  }
  EngineOptions options = impl_->options;
  options.adapters.reset();  // the file's own configuration applies
  options.adapterFile = file;
  return load(impl_->checkpointPath, impl_->config, options);
}

Result<std::shared_ptr<SamModel>> SamModel::baseOnly() const {
  if (impl_->checkpointPath.empty()) {
    return Error{ErrorCode::InvalidArgument, "this model has no checkpoint file to reload", {}};
  }
  EngineOptions options = impl_->options;
  options.adapters.reset();
  options.adapterFile.clear();
  return load(impl_->checkpointPath, impl_->config, options);
}

const std::string& SamModel::adapterFile() const { return impl_->options.adapterFile; }

}  // namespace medsa::model
