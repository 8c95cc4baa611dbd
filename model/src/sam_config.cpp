#include "medsa/model/sam_config.h"

#include <algorithm>
#include <regex>
#include <set>

namespace medsa::model {
namespace {

Error configError(std::string message, std::string_view source) {
  return Error{ErrorCode::InvalidArgument, "model config: " + std::move(message),
               std::string(source)};
}

}  // namespace

bool SamConfig::isGlobal(int block) const {
  return std::find(globalAttentionBlocks.begin(), globalAttentionBlocks.end(), block) !=
         globalAttentionBlocks.end();
}

Status SamConfig::validate() const {
  const auto positive = {imageSize,    patchSize,    embedDim,      depth,           heads,
                         windowSize,   mlpRatio,     promptDim,     maskInChannels,  decoderMlpDim,
                         decoderHeads, decoderDepth, iouHeadHidden, multimaskOutputs};
  for (int value : positive) {
    if (value <= 0) return configError("every size must be positive", {});
  }
  if (imageSize % patchSize != 0)
    return configError("img_size must be a multiple of the patch size", {});
  if (embedDim % heads != 0) return configError("embed_dim must be divisible by heads", {});
  if (promptDim % 8 != 0) return configError("prompt_dim must be a multiple of 8", {});
  if ((promptDim / 2) % decoderHeads != 0)
    return configError("prompt_dim / 2 must be divisible by dec_heads", {});
  if (maskInChannels % 4 != 0) return configError("mask_in must be a multiple of 4", {});
  for (int block : globalAttentionBlocks) {
    if (block < 0 || block >= depth)
      return configError("global_idx names a block beyond depth", {});
  }
  return {};
}

Result<SamConfig> SamConfig::preset(std::string_view name) {
  SamConfig config;  // defaults are vit_b
  if (name == "vit_b") return config;
  if (name == "vit_l") {
    config.embedDim = 1024;
    config.depth = 24;
    config.heads = 16;
    config.globalAttentionBlocks = {5, 11, 17, 23};
    return config;
  }
  if (name == "vit_h") {
    config.embedDim = 1280;
    config.depth = 32;
    config.heads = 16;
    config.globalAttentionBlocks = {7, 15, 23, 31};
    return config;
  }
  if (name == "starter") {
    // Our small SAM for a 2-core CPU (docs/models/starter.md): the anchor geometry of
    // trainer-anchors.md, ~4 M parameters, 256-pixel input, a 128-wide decoder.
    config.imageSize = 256;
    config.embedDim = 192;
    config.depth = 6;
    config.heads = 3;
    config.globalAttentionBlocks = {2, 5};
    config.windowSize = 8;
    config.promptDim = 128;
    config.decoderMlpDim = 1024;
    config.decoderHeads = 4;
    config.iouHeadHidden = 128;
    return config;
  }
  return configError(
      "unknown architecture '" + std::string(name) + "' (use vit_b, vit_l, vit_h or starter)", {});
}

Result<SamConfig> SamConfig::fromJson(const Json& json, std::string_view source) {
  if (!json.isObject()) return configError("expected a JSON object", source);
  SamConfig config;
  const std::pair<const char*, int*> fields[] = {{"img_size", &config.imageSize},
                                                 {"embed_dim", &config.embedDim},
                                                 {"depth", &config.depth},
                                                 {"heads", &config.heads},
                                                 {"window", &config.windowSize},
                                                 {"prompt_dim", &config.promptDim},
                                                 {"mask_in", &config.maskInChannels},
                                                 {"dec_mlp", &config.decoderMlpDim},
                                                 {"dec_heads", &config.decoderHeads},
                                                 {"iou_hidden", &config.iouHeadHidden}};
  for (const auto& [name, target] : fields) {
    const Json* value = json.find(name);
    if (!value || !value->isNumber() || value->asNumber() != static_cast<int>(value->asNumber())) {
      return configError(std::string("'") + name + "' must be a whole number", source);
    }
    *target = static_cast<int>(value->asNumber());
  }
  // Optional (older manifests and adapter files lack them): SAM's values by default.
  const std::pair<const char*, int*> optional[] = {{"patch_size", &config.patchSize},
                                                   {"mlp_ratio", &config.mlpRatio},
                                                   {"dec_depth", &config.decoderDepth}};
  for (const auto& [name, target] : optional) {
    const Json* value = json.find(name);
    if (!value) continue;
    if (!value->isNumber() || value->asNumber() != static_cast<int>(value->asNumber())) {
      return configError(std::string("'") + name + "' must be a whole number", source);
    }
    *target = static_cast<int>(value->asNumber());
  }
  const Json* global = json.find("global_idx");
  if (!global || !global->isArray()) return configError("'global_idx' must be an array", source);
  config.globalAttentionBlocks.clear();
  for (const Json& index : global->asArray()) {
    if (!index.isNumber()) return configError("'global_idx' must hold block numbers", source);
    config.globalAttentionBlocks.push_back(static_cast<int>(index.asNumber()));
  }
  if (Status status = config.validate(); !status) {
    Error error = status.error();
    error.path = std::string(source);
    return error;
  }
  return config;
}

Json SamConfig::toJson() const {
  Json::Array global;
  for (int block : globalAttentionBlocks) global.emplace_back(block);
  return Json::Object{{"img_size", imageSize},
                      {"patch_size", patchSize},
                      {"mlp_ratio", mlpRatio},
                      {"dec_depth", decoderDepth},
                      {"embed_dim", embedDim},
                      {"depth", depth},
                      {"heads", heads},
                      {"global_idx", global},
                      {"window", windowSize},
                      {"prompt_dim", promptDim},
                      {"mask_in", maskInChannels},
                      {"dec_mlp", decoderMlpDim},
                      {"dec_heads", decoderHeads},
                      {"iou_hidden", iouHeadHidden}};
}

Result<SamConfig> SamConfig::inferFromShapes(
    const std::map<std::string, std::vector<long>>& shapes) {
  const auto shape = [&](const std::string& key) -> const std::vector<long>* {
    auto it = shapes.find(key);
    return it == shapes.end() ? nullptr : &it->second;
  };
  const auto* posEmbed = shape("image_encoder.pos_embed");
  const auto* patch = shape("image_encoder.patch_embed.proj.weight");
  const auto* neck = shape("image_encoder.neck.0.weight");
  const auto* relPos0 = shape("image_encoder.blocks.0.attn.rel_pos_h");
  const auto* maskDown = shape("prompt_encoder.mask_downscaling.3.weight");
  const auto* decMlp = shape("mask_decoder.transformer.layers.0.mlp.lin1.weight");
  const auto* iouHead = shape("mask_decoder.iou_prediction_head.layers.0.weight");
  const auto* maskTokens = shape("mask_decoder.mask_tokens.weight");
  if (!posEmbed || posEmbed->size() != 4 || !patch || patch->size() != 4 || !neck || !relPos0 ||
      relPos0->size() != 2 || !maskDown || !decMlp || !iouHead || !maskTokens) {
    return configError(
        "cannot infer the geometry: the checkpoint lacks SAM's encoder, prompt "
        "encoder or decoder tensors; pass --arch or --config",
        {});
  }
  SamConfig config;
  const int grid = static_cast<int>((*posEmbed)[1]);
  config.embedDim = static_cast<int>((*posEmbed)[3]);
  config.patchSize = static_cast<int>((*patch)[2]);
  config.imageSize = grid * config.patchSize;
  config.promptDim = static_cast<int>((*neck)[0]);
  config.maskInChannels = static_cast<int>((*maskDown)[0]);
  config.decoderMlpDim = static_cast<int>((*decMlp)[0]);
  config.iouHeadHidden = static_cast<int>((*iouHead)[0]);
  config.multimaskOutputs = static_cast<int>((*maskTokens)[0]) - 1;
  // Head count is not stored; the head dim is (the rel-pos tables' width).
  config.heads = config.embedDim / static_cast<int>((*relPos0)[1]);

  const std::regex blockKey(R"(image_encoder\.blocks\.(\d+)\.attn\.rel_pos_h)");
  std::set<int> blocks;
  config.globalAttentionBlocks.clear();
  config.windowSize = 0;
  for (const auto& [key, dims] : shapes) {
    std::smatch match;
    if (!std::regex_match(key, match, blockKey)) continue;
    const int block = std::stoi(match[1]);
    blocks.insert(block);
    if (dims[0] == 2 * grid - 1) {
      config.globalAttentionBlocks.push_back(block);
    } else {
      config.windowSize = static_cast<int>((dims[0] + 1) / 2);
    }
  }
  std::sort(config.globalAttentionBlocks.begin(), config.globalAttentionBlocks.end());
  config.depth = static_cast<int>(blocks.size());
  if (config.windowSize == 0) config.windowSize = 14;
  config.decoderDepth = 0;
  while (shapes.count("mask_decoder.transformer.layers." + std::to_string(config.decoderDepth) +
                      ".norm1.weight")) {
    ++config.decoderDepth;
  }
  // The decoder's head count is not recoverable from shapes. Every published SAM checkpoint (and
  // MedSAM) has a 256-wide decoder with 8 heads; for any other width a guess could run and give
  // silently wrong masks, so the geometry must be given.
  if (config.promptDim != 256) {
    return configError("cannot infer the decoder's head count of a " +
                           std::to_string(config.promptDim) +
                           "-wide decoder from the checkpoint; pass --config with dec_heads",
                       {});
  }
  config.decoderHeads = 8;
  if (Status status = config.validate(); !status) return status.error();
  return config;
}

}  // namespace medsa::model
