#include "medsa/model/adapter_config.h"

namespace medsa::model {

Status AdapterConfig::validate() const {
  if (!(ratio > 0 && ratio <= 1))
    return Error{ErrorCode::InvalidArgument, "adapter ratio must be in (0, 1]", {}};
  if (!(mlpScale >= 0 && mlpScale <= 10))
    return Error{ErrorCode::InvalidArgument, "adapter MLP scale must be in [0, 10]", {}};
  if (decoderBottleneck < 1 || decoderBottleneck > 256) {
    return Error{ErrorCode::InvalidArgument, "decoder bottleneck must be 1 to 256", {}};
  }
  return {};
}

Json AdapterConfig::toJson() const {
  return Json::Object{{"encoder", encoder},
                      {"ratio", ratio},
                      {"mlp_scale", mlpScale},
                      {"depth", depth},
                      {"decoder", decoder},
                      {"decoder_bottleneck", decoderBottleneck},
                      {"pad_before_norm", padBeforeNorm}};
}

Result<AdapterConfig> AdapterConfig::fromJson(const Json& json) {
  if (!json.isObject())
    return Error{ErrorCode::CorruptData, "adapter config must be a JSON object", {}};
  AdapterConfig config;
  const auto flag = [&](const char* key, bool& target) -> bool {
    const Json* value = json.find(key);
    if (!value) return true;
    if (!value->isBool()) return false;
    target = value->asBool();
    return true;
  };
  const auto number = [&](const char* key, double& target) -> bool {
    const Json* value = json.find(key);
    if (!value) return true;
    if (!value->isNumber()) return false;
    target = value->asNumber();
    return true;
  };
  double bottleneck = config.decoderBottleneck;
  if (!flag("encoder", config.encoder) || !flag("depth", config.depth) ||
      !flag("decoder", config.decoder) || !flag("pad_before_norm", config.padBeforeNorm) ||
      !number("ratio", config.ratio) || !number("mlp_scale", config.mlpScale) ||
      !number("decoder_bottleneck", bottleneck)) {
    return Error{ErrorCode::CorruptData, "adapter config has a field of the wrong type", {}};
  }
  config.decoderBottleneck = static_cast<int>(bottleneck);
  if (Status status = config.validate(); !status) return status.error();
  return config;
}

}  // namespace medsa::model
