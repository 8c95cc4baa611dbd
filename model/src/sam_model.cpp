#include "medsa/model/sam_model.h"

#include "checkpoint/checkpoint_reader.h"
#include "checkpoint/state_dict_loader.h"
#include "guarded.h"
#include "medsa/model/runtime.h"
#include "sam_model_impl.h"

#include <sys/stat.h>

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
  auto impl = std::make_unique<SamModel::Impl>();
  impl->config = config;
  impl->options = options;
  impl->device =
      options.device == Device::Cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  impl->encoderType = scalarType(options.encoderPrecision);
  impl->decoderType = scalarType(options.decoderPrecision);
  impl->sam = Sam(config);
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
    impl.encoder = castCopy(ImageEncoder(impl.config), *impl.sam->image_encoder, impl.device,
                            impl.encoderType);
  }
  if (impl.decoderType != torch::kFloat) {
    impl.decoder =
        castCopy(MaskDecoder(impl.config), *impl.sam->mask_decoder, impl.device, impl.decoderType);
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

std::pair<torch::Tensor, torch::Tensor> SamModel::Impl::decode(const torch::Tensor& embedding,
                                                               const torch::Tensor& sparse,
                                                               const torch::Tensor& dense) {
  const torch::ScalarType type = decoderType;
  auto [lowRes, iou] =
      decoder->forward(embedding.to(type), densePe.to(type), sparse.to(type), dense.to(type));
  return {lowRes.to(torch::kFloat), iou.to(torch::kFloat)};
}

torch::Tensor SamModel::Impl::encode(const torch::Tensor& input) {
  torch::InferenceMode inference;
  return encoder(input.to(device, encoderType)).to(torch::kFloat);
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

Result<std::shared_ptr<SamModel>> SamModel::loadUnguarded(const std::string& checkpoint,
                                                          const std::optional<SamConfig>& config,
                                                          const EngineOptions& options) {
  Result<LoadedCheckpoint> loaded = readCheckpoint(checkpoint);
  if (!loaded.ok()) return loaded.error();
  SamConfig geometry;
  if (config) {
    geometry = *config;
  } else {
    std::map<std::string, std::vector<long>> shapes;
    for (const auto& [name, tensor] : loaded->tensors) shapes[name] = tensor.sizes().vec();
    Result<SamConfig> inferred = SamConfig::inferFromShapes(shapes);
    if (!inferred.ok()) {
      Error error = inferred.error();
      error.path = checkpoint;
      return error;
    }
    geometry = inferred.value();
  }
  Result<std::unique_ptr<Impl>> impl = buildImpl(geometry, options);
  if (!impl.ok()) return impl.error();
  if (Status status = loadStateDict(*impl.value()->sam, loaded->tensors, checkpoint); !status) {
    return status.error();
  }
  struct stat info {};
  ::stat(checkpoint.c_str(), &info);
  impl.value()->version =
      checkpoint + ":" + std::to_string(info.st_size) + ":" + std::to_string(info.st_mtime);
  finish(*impl.value());
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
