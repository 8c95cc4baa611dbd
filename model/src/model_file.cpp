// Whole-model files of our own (what `medsa pretrain` ships): .safetensors with the geometry in
// the metadata, so that a model with a narrower decoder than SAM's loads without --config.
#include "checkpoint/checkpoint_reader.h"
#include "guarded.h"
#include "medsa/model/sam_model.h"
#include "sam_model_impl.h"

namespace medsa::model {

Status SamModel::saveModel(const std::string& path, Precision precision,
                           const Json& training) const {
  return guarded("saving the model", [&]() -> Status {
    const torch::ScalarType type = scalarType(precision);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto& [name, tensor] : namedTensors(*impl_->sam)) {
      if (isAdapterKey(name)) continue;
      torch::Tensor value = tensor.detach().to(torch::kCPU);
      // The prompt encoder's Fourier matrix turns every coordinate into phases of up to ~20
      // radians: fp16 would shift them visibly. It is 256 numbers; keep them exact.
      const bool keepExact = name.find("positional_encoding_gaussian_matrix") != std::string::npos;
      if (value.is_floating_point() && !keepExact) value = value.to(type);
      tensors.emplace_back(name, value);
    }
    const Json::Object metadata = {{"format", "medsa-model/1"},
                                   {"sam_config", impl_->config.toJson().dump()},
                                   {"profile", std::string(profileName(impl_->options.profile))},
                                   {"precision", std::string(precisionName(precision))},
                                   {"created", utcTimestamp()},
                                   {"training", training.dump()}};
    return writeSafetensors(path, tensors, metadata);
  });
}

}  // namespace medsa::model
