// medsa model-info: what a checkpoint (and an adapter file) holds: geometry, parameters per
// module, what training would update, and any compatibility notes.
#include <iomanip>
#include <ostream>
#include <sstream>

#include "command_registry.h"
#include "medsa/core/json.h"
#include "model_options.h"

namespace medsa::cli {
namespace {

std::string megabytes(std::int64_t values, int bytesPerValue) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << values * bytesPerValue / 1e6 << " MB";
  return text.str();
}

int runModelInfo(CommandContext& context) {
  ArgumentParser parser(context.args);
  Result<ModelOptions> options = ModelOptions::parse(parser);
  const std::optional<std::string> adapterFile = parser.option("--adapter");
  const bool withAdapters = parser.flag("--adapters");
  const bool trainDecoder = parser.flag("--train-decoder");
  const bool json = parser.flag("--json");
  std::optional<std::string> checkpoint = parser.positional();
  Status status = parser.finish();
  if (status && !options.ok()) status = options.error();
  if (status && !checkpoint) checkpoint = options->checkpoint;
  if (status && !checkpoint && !options->randomWeights) {
    status = Error{ErrorCode::InvalidArgument, "give a checkpoint: medsa model-info CKPT", {}};
  }
  if (!status) {
    context.err << "medsa model-info: " << status.error().describe() << '\n';
    return kExitUsage;
  }
  ModelOptions request = options.value();
  if (checkpoint) request.checkpoint = checkpoint;
  if (withAdapters) request.engine.adapters = model::AdapterConfig{};
  if (adapterFile) request.engine.adapterFile = *adapterFile;

  Result<std::shared_ptr<model::SamModel>> model = request.build();
  if (!model.ok()) {
    context.err << "medsa model-info: " << model.error().describe() << '\n';
    return kExitFailure;
  }
  const auto counts = model.value()->parameterCounts(trainDecoder);
  std::int64_t total = 0, trainable = 0;
  Json::Array modules;
  for (const model::ParameterCount& c : counts) {
    total += c.total;
    trainable += c.trainable;
    modules.emplace_back(
        Json::Object{{"module", c.module}, {"total", c.total}, {"trainable", c.trainable}});
  }
  std::optional<model::AdapterFileInfo> info;
  if (adapterFile) {
    Result<model::AdapterFileInfo> read = model::inspectAdapterFile(*adapterFile);
    if (read.ok()) info = read.value();
  }
  const auto& notes = model.value()->compatibilityNotes();
  if (json) {
    Json::Object report{{"checkpoint", request.checkpoint.value_or("random-weights")},
                        {"config", model.value()->config().toJson()},
                        {"modules", modules},
                        {"total", total},
                        {"trainable", trainable},
                        {"notes", Json::Array(notes.begin(), notes.end())}};
    if (model.value()->adapters()) report["adapters"] = model.value()->adapters()->toJson();
    if (info) {
      report["adapter_file"] = Json::Object{{"path", *adapterFile},
                                            {"base_sha256", info->baseSha256},
                                            {"created", info->created},
                                            {"training", info->training},
                                            {"tensors", info->tensors},
                                            {"values", info->values},
                                            {"includes_decoder", info->includesDecoder}};
    }
    context.out << Json(report).dump(2) << '\n';
    return kExitOk;
  }
  context.out << "checkpoint  " << request.checkpoint.value_or("random weights") << '\n'
              << "geometry    " << model.value()->config().toJson().dump() << '\n';
  if (model.value()->adapters())
    context.out << "adapters    " << model.value()->adapters()->toJson().dump() << '\n';
  context.out << '\n'
              << std::left << std::setw(26) << "module" << std::right << std::setw(14)
              << "parameters" << std::setw(14) << "trainable" << '\n';
  for (const model::ParameterCount& c : counts) {
    context.out << std::left << std::setw(26) << c.module << std::right << std::setw(14) << c.total
                << std::setw(14) << c.trainable << '\n';
  }
  context.out << std::left << std::setw(26) << "total" << std::right << std::setw(14) << total
              << std::setw(14) << trainable << "  (" << std::fixed << std::setprecision(2)
              << 100.0 * trainable / std::max<std::int64_t>(total, 1) << " %)\n";
  if (trainable > 0) {
    context.out << "an adapter file holds " << megabytes(trainable, 2) << " in fp16, "
                << megabytes(trainable, 4) << " in fp32; the base it leaves untouched is "
                << megabytes(total - trainable, 4) << " in fp32\n";
  }
  if (info) {
    context.out << "\nadapter file " << *adapterFile << ": " << info->tensors
                << " tensors, base sha256 " << info->baseSha256.substr(0, 16) << "..., created "
                << info->created << ", training " << info->training.dump() << '\n';
  }
  for (const std::string& note : notes) context.out << "note: " << note << '\n';
  return kExitOk;
}

}  // namespace

void addModelInfoCommand(CommandRegistry& registry) {
  registry.add(
      {"model-info",
       "parameters per module of a checkpoint, with adapters and what training updates",
       std::string("Usage: medsa model-info CKPT [--adapter FILE | --adapters] [--train-decoder] "
                   "[--json]\n\n"
                   "Loads the checkpoint (geometry inferred, or --arch / --config) and prints the\n"
                   "parameters of each module and how many training would update.\n"
                   "  --adapter FILE    a trained adapter file (its metadata is printed too)\n"
                   "  --adapters        count fresh default adapters (encoder + HyP-Adpt decoder)\n"
                   "  --train-decoder   count the mask decoder as trainable\n"
                   "  --json            one JSON object on stdout\n\n") +
           kModelOptionsHelp,
       runModelInfo});
}

}  // namespace medsa::cli
