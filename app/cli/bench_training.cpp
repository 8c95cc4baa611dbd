#include "bench_training.h"

#include <chrono>
#include <cmath>
#include <ostream>

#include "medsa/core/json.h"
#include "medsa/model/adapter_trainer.h"
#include "medsa/model/runtime.h"
#include "process_stats.h"

namespace medsa::cli {

int runTrainingBench(CommandContext& context, const ModelOptions& options, long long steps,
                     bool checkpointing, bool json) {
  ModelOptions request = options;
  if (!request.engine.adapters) request.engine.adapters = model::AdapterConfig{};
  Result<std::shared_ptr<model::SamModel>> model = request.build();
  if (!model.ok()) {
    context.err << "medsa bench: " << model.error().describe() << '\n';
    return kExitFailure;
  }
  model::TrainingSample sample;
  sample.image = benchPicture();
  sample.mask.resize(512 * 512);
  for (int y = 0; y < 512; ++y) {
    for (int x = 0; x < 512; ++x) sample.mask[y * 512 + x] = std::hypot(x - 300.0, y - 220.0) < 90;
  }
  sample.prompt.points = {{300, 220, true}};
  sample.prompt.box = PromptBox{200, 120, 400, 320};

  model::AdapterTrainer trainer(model.value(), {.gradientCheckpointing = checkpointing});
  std::vector<double> stepMs;
  double loss = 0;
  for (long long i = 0; i < steps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    Result<model::StepStats> stats = trainer.step({sample});
    if (!stats.ok()) {
      context.err << "medsa bench: " << stats.error().describe() << '\n';
      return kExitFailure;
    }
    stepMs.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    loss = stats->loss;
  }
  const double steady = stepMs.size() > 1 ? stepMs.back() : stepMs.front();
  const model::RuntimeInfo runtime = model::runtimeInfo();
  Json::Object report{
      {"mode", "train"},
      {"arch", request.archName.empty() ? std::string("inferred") : request.archName},
      {"device", std::string(model::deviceName(request.engine.device))},
      {"threads", runtime.threads},
      {"trainable_parameters", trainer.trainableParameters()},
      {"gradient_checkpointing", checkpointing},
      {"batch", 1},
      {"first_step_ms", stepMs.front()},
      {"step_ms", steady},
      {"steps", static_cast<int>(steps)},
      {"last_loss", loss},
      {"peak_rss_mb", peakResidentMiB()}};
  if (json) {
    context.out << Json(report).dump(2) << '\n';
  } else {
    context.out << "training step  " << steady << " ms (first " << stepMs.front()
                << " ms), batch 1, " << trainer.trainableParameters() << " trainable parameters"
                << (checkpointing ? ", gradient checkpointing" : "") << "\npeak memory    "
                << peakResidentMiB() << " MiB\n";
  }
  return kExitOk;
}

}  // namespace medsa::cli
