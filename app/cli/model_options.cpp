#include "model_options.h"

#include "medsa/core/atomic_file.h"
#include "starter_model.h"

namespace medsa::cli {

const char* const kModelOptionsHelp =
    "Model options:\n"
    "  --model CKPT         a SAM / MedSAM checkpoint (.pth from torch.save, or .safetensors),\n"
    "                       or 'starter' for the small model shipped with medsa (./starter for a\n"
    "                       file of that name)\n"
    "  --random-weights     seeded random weights instead of a checkpoint (benchmarks)\n"
    "  --arch NAME          geometry: vit_b, vit_l, vit_h or starter (default: inferred from the "
    "checkpoint)\n"
    "  --config FILE        geometry as JSON: img_size, embed_dim, depth, heads, global_idx, "
    "window,\n"
    "                       prompt_dim, mask_in, dec_mlp, dec_heads, iou_hidden\n"
    "  --profile NAME       pre-processing: sam (default) or medsam\n"
    "  --device NAME        cpu or cuda (default: cuda where LibTorch sees a GPU, as the app)\n"
    "  --precision NAME     image encoder precision: fp32, bf16 or fp16 (default: bf16 on a\n"
    "                       GPU, fp32 on the CPU)\n"
    "  --decoder-precision NAME  mask decoder precision: fp32 (default), bf16 or fp16\n"
    "  --threads N          CPU threads (default: every core)\n"
    "  --zoom-in MODE       answer boxes and correction clicks in a crop around the object,\n"
    "                       encoded anew: auto (default: on for models with an input of at\n"
    "                       most 512 pixels, such as the starter), on (also SAM-sized models:\n"
    "                       an encoder run per new crop) or off; never with depth adapters\n";

Result<ModelOptions> ModelOptions::parse(ArgumentParser& parser) {
  ModelOptions options;
  options.engine = model::preferredEngineOptions();  // what the app runs with on this machine
  options.checkpoint = parser.option("--model");
  options.randomWeights = parser.flag("--random-weights");
  const std::optional<std::string> arch = parser.option("--arch");
  const std::optional<std::string> configPath = parser.option("--config");
  const std::optional<std::string> device = parser.option("--device");
  const std::optional<std::string> precision = parser.option("--precision");
  const std::optional<std::string> decoderPrecision = parser.option("--decoder-precision");
  const std::optional<std::string> threads = parser.option("--threads");
  const std::optional<std::string> profile = parser.option("--profile");
  const std::optional<std::string> zoomIn = parser.option("--zoom-in");

  if (options.checkpoint && *options.checkpoint == "starter") {
    const std::optional<std::string> starter = findStarterModel();
    if (!starter) {
      std::string looked;
      for (const std::string& candidate : starterModelCandidates()) looked += " " + candidate;
      return Error{ErrorCode::FileNotFound,
                   "--model starter: the starter model is not installed (looked in:" + looked + ")",
                   {}};
    }
    options.checkpoint = *starter;
    options.archName = "starter";
  }
  if (options.checkpoint && options.randomWeights) {
    return Error{
        ErrorCode::InvalidArgument, "give either --model or --random-weights, not both", {}};
  }
  if (arch && configPath)
    return Error{ErrorCode::InvalidArgument, "give either --arch or --config, not both", {}};
  if (arch) {
    Result<model::SamConfig> preset = model::SamConfig::preset(*arch);
    if (!preset.ok()) return preset.error();
    options.config = preset.value();
    options.archName = *arch;
  }
  if (configPath) {
    Result<std::string> text = readWholeFile(*configPath, 1 << 20);
    if (!text.ok()) return text.error();
    Result<Json> json = parseJson(text.value(), *configPath);
    if (!json.ok()) return json.error();
    Result<model::SamConfig> config = model::SamConfig::fromJson(json.value(), *configPath);
    if (!config.ok()) return config.error();
    options.config = config.value();
    options.archName = *configPath;
  }
  if (options.randomWeights && !options.config) {
    return Error{ErrorCode::InvalidArgument, "--random-weights needs --arch or --config", {}};
  }
  if (device) {
    Result<model::Device> parsed = model::parseDevice(*device);
    if (!parsed.ok()) return parsed.error();
    options.engine.device = parsed.value();
    options.engine.encoderPrecision = model::preferredEncoderPrecision(parsed.value());
  }
  if (precision) {
    Result<model::Precision> parsed = model::parsePrecision(*precision);
    if (!parsed.ok()) return parsed.error();
    options.engine.encoderPrecision = parsed.value();
  }
  if (decoderPrecision) {
    Result<model::Precision> parsed = model::parsePrecision(*decoderPrecision);
    if (!parsed.ok()) return parsed.error();
    options.engine.decoderPrecision = parsed.value();
  }
  if (profile) {
    Result<model::ProcessingProfile> parsed = model::parseProfile(*profile);
    if (!parsed.ok()) return parsed.error();
    options.engine.profile = parsed.value();
  }
  if (zoomIn) {
    Result<model::ZoomIn> parsed = model::parseZoomIn(*zoomIn);
    if (!parsed.ok()) return parsed.error();
    options.engine.zoomIn = parsed.value();
  }
  if (threads) {
    Result<long long> n = parseInteger(*threads, "--threads");
    if (!n.ok()) return n.error();
    if (n.value() < 1 || n.value() > 1024)
      return Error{ErrorCode::InvalidArgument, "--threads must be 1 to 1024", {}};
    options.engine.threads = static_cast<int>(n.value());
  }
  return options;
}

Result<std::shared_ptr<model::SamModel>> ModelOptions::build() const {
  if (randomWeights) return model::SamModel::randomWeights(*config, engine, /*seed=*/0);
  if (!checkpoint)
    return Error{ErrorCode::InvalidArgument, "--model CKPT is required (or --random-weights)", {}};
  return model::SamModel::load(*checkpoint, config, engine);
}

}  // namespace medsa::cli
