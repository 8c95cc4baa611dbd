// medsa pretrain: trains the starter model from random weights (or further, from a model's
// weights: --init) on synthetic pictures with the simulated interactive loop, then measures it on
// a held-out synthetic set of another seed and shape mix. Resumable; reproduces
// models/starter.safetensors (docs/models/starter.md).
#include <chrono>
#include <cmath>
#include <filesystem>
#include <future>
#include <iomanip>
#include <ostream>

#include "command_registry.h"
#include "medsa/core/json.h"
#include "medsa/core/synthetic_scene.h"
#include "medsa/model/full_trainer.h"
#include "medsa/model/model_evaluation.h"
#include "medsa/model/runtime.h"
#include "medsa/model/sam_model.h"
#include "model_options.h"
#include "number_text.h"
#include "process_stats.h"
#include "starter_model.h"

namespace medsa::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr long long kDefaultSteps = 4000;
constexpr int kStateEverySteps = 100;
// Untrained correction clicks before the trained ones (FullTrainOptions::extraClicks): the
// evaluation goes to 20 clicks, and a model trained on four prompts alone stopped improving
// after about eight of them.
constexpr int kDefaultExtraClicks = 8;

struct PretrainRequest {
  std::string out;
  std::optional<long long> steps;
  std::optional<double> minutes;
  std::uint64_t seed = 1;
  bool resume = false;
  std::optional<std::string> init;  ///< a model file whose weights the run starts from
  std::optional<double> learningRate;
  std::optional<int> extraClicks;
  std::optional<std::string> mix;  ///< SceneMix::named: "training" (default) or "hard"
  bool json = false;
  int batch = 8;
  int heldOut = 100;
  int threads = 0;
  int logEvery = 25;
  int evalEvery = 0;
};

std::string statePath(const std::string& out) { return out + ".state"; }

Result<PretrainRequest> parseRequest(const std::vector<std::string>& args) {
  ArgumentParser parser(args);
  PretrainRequest request;
  const bool synthetic = parser.flag("--synthetic");
  const std::optional<std::string> out = parser.option("--out");
  const std::optional<std::string> steps = parser.option("--steps");
  const std::optional<std::string> minutes = parser.option("--minutes");
  const std::optional<std::string> seed = parser.option("--seed");
  request.resume = parser.flag("--resume");
  request.init = parser.option("--init");
  const std::optional<std::string> learningRate = parser.option("--lr");
  const std::optional<std::string> extraClicks = parser.option("--extra-clicks");
  request.mix = parser.option("--mix");
  request.json = parser.flag("--json");
  const std::optional<std::string> batch = parser.option("--batch");
  const std::optional<std::string> heldOut = parser.option("--held-out");
  const std::optional<std::string> threads = parser.option("--threads");
  const std::optional<std::string> logEvery = parser.option("--log-every");
  const std::optional<std::string> evalEvery = parser.option("--eval-every");
  if (Status status = parser.finish(); !status) return status.error();
  if (!synthetic) {
    return Error{ErrorCode::InvalidArgument,
                 "--synthetic is required (pre-training runs on generated pictures only)",
                 {}};
  }
  if (!out || out->empty()) return Error{ErrorCode::InvalidArgument, "--out FILE is required", {}};
  request.out = *out;
  if (steps && minutes)
    return Error{ErrorCode::InvalidArgument, "give either --steps or --minutes, not both", {}};
  if (steps) {
    Result<long long> n = parseCount(steps, 0, 1, "--steps");
    if (!n.ok()) return n.error();
    request.steps = n.value();
  }
  if (minutes) {
    Result<double> m = parseNumber(*minutes, "--minutes");
    if (!m.ok()) return m.error();
    if (!(m.value() > 0) || m.value() > 7 * 24 * 60)
      return Error{ErrorCode::InvalidArgument, "--minutes must be a number above 0", {}};
    request.minutes = m.value();
  }
  if (!request.steps && !request.minutes) request.steps = kDefaultSteps;
  if (request.init && request.resume) {
    return Error{ErrorCode::InvalidArgument,
                 "give either --init (new run from a model's weights) or --resume (continue a "
                 "run from its state), not both",
                 {}};
  }
  if (request.init && request.init->empty())
    return Error{ErrorCode::InvalidArgument, "--init needs a model file (or 'starter')", {}};
  if (learningRate) {
    Result<double> rate = parseNumber(*learningRate, "--lr");
    if (!rate.ok()) return rate.error();
    if (!(rate.value() > 0) || rate.value() > 0.1)
      return Error{ErrorCode::InvalidArgument, "--lr must be above 0 and at most 0.1", {}};
    request.learningRate = rate.value();
  }
  if (extraClicks) {
    Result<long long> n = parseCount(extraClicks, 0, 0, "--extra-clicks");
    if (!n.ok()) return n.error();
    if (n.value() > 20)
      return Error{ErrorCode::InvalidArgument, "--extra-clicks must be at most 20", {}};
    request.extraClicks = static_cast<int>(n.value());
  }
  if (request.mix && !SceneMix::named(*request.mix)) {
    return Error{ErrorCode::InvalidArgument,
                 "--mix must be 'training' or 'hard', not '" + *request.mix + "'",
                 {}};
  }
  if (seed) {
    Result<long long> s = parseCount(seed, 0, 0, "--seed");
    if (!s.ok()) return s.error();
    if (static_cast<std::uint64_t>(s.value()) == kSyntheticHeldOutSeed) {
      return Error{ErrorCode::InvalidArgument,
                   "--seed " + std::to_string(kSyntheticHeldOutSeed) +
                       " is the held-out set's seed; training on it would void the evaluation",
                   {}};
    }
    request.seed = static_cast<std::uint64_t>(s.value());
  }
  const std::pair<const std::optional<std::string>*, std::pair<int*, long long>> counts[] = {
      {&batch, {&request.batch, 1}},
      {&heldOut, {&request.heldOut, 1}},
      {&threads, {&request.threads, 1}},
      {&logEvery, {&request.logEvery, 1}},
      {&evalEvery, {&request.evalEvery, 0}}};
  const char* names[] = {"--batch", "--held-out", "--threads", "--log-every", "--eval-every"};
  for (std::size_t i = 0; i < std::size(counts); ++i) {
    const auto& [text, target] = counts[i];
    Result<long long> n = parseCount(*text, *target.first, target.second, names[i]);
    if (!n.ok()) return n.error();
    if (n.value() > 100000)
      return Error{ErrorCode::InvalidArgument, std::string(names[i]) + " is too large", {}};
    *target.first = static_cast<int>(n.value());
  }
  return request;
}

int fail(CommandContext& context, const Error& error) {
  context.err << "medsa pretrain: " << error.describe() << '\n';
  return kExitFailure;
}

// --init: the starter geometry's weights from a model file ('starter': the shipped one), to
// train further with a fresh optimizer and schedule (a warm restart).
// `path` becomes the file's (for 'starter', the shipped model's place).
Result<std::shared_ptr<model::SamModel>> loadInitialWeights(std::string& path,
                                                            const model::SamConfig& config,
                                                            const model::EngineOptions& engine) {
  if (path == "starter") {
    const std::optional<std::string> starter = findStarterModel();
    if (!starter) {
      return Error{ErrorCode::FileNotFound, "--init starter: the starter model is not installed",
                   kStarterRelativePath};
    }
    path = *starter;
  }
  // The geometry comes from the file: one of another shape is refused by name, not trained.
  Result<std::shared_ptr<model::SamModel>> loaded =
      model::SamModel::load(path, std::nullopt, engine);
  if (!loaded.ok()) return loaded.error();
  if (!(loaded.value()->config() == config)) {
    return Error{ErrorCode::InvalidArgument,
                 "--init: the model does not have the starter geometry (pre-training trains "
                 "only that one)",
                 path};
  }
  return loaded;
}

int runPretrain(CommandContext& context) {
  Result<PretrainRequest> parsed = parseRequest(context.args);
  if (!parsed.ok()) {
    context.err << "medsa pretrain: " << parsed.error().describe() << '\n';
    return kExitUsage;
  }
  const PretrainRequest& request = parsed.value();
  const std::string state = statePath(request.out);
  if (request.resume && !std::filesystem::exists(state)) {
    return fail(context,
                Error{ErrorCode::FileNotFound,
                      "nothing to resume: no training state (run without --resume first)", state});
  }
  // Torch would otherwise pick its own thread count; we share the machine, so say it.
  const int threads = model::setThreadCount(request.threads);

  const model::SamConfig config = model::SamConfig::preset("starter").value();
  model::EngineOptions engine;
  engine.threads = threads;
  // Where the weights started ("random", or the --init file), kept in the state, the file and
  // the report.
  std::string initialWeights = request.init.value_or("random");
  Result<std::shared_ptr<model::SamModel>> built =
      request.init ? loadInitialWeights(initialWeights, config, engine)
                   : model::SamModel::randomWeights(config, engine, request.seed);
  if (!built.ok()) return fail(context, built.error());
  std::shared_ptr<model::SamModel> model = built.value();
  model::FullTrainOptions options;
  options.seed = request.seed;
  if (request.learningRate) options.learningRate = *request.learningRate;
  options.extraClicks = request.extraClicks.value_or(kDefaultExtraClicks);
  std::string mixName = request.mix.value_or("training");
  model::FullTrainer trainer(model, options);

  // Bookkeeping that survives --resume: total wall time and where on the schedule we are.
  double previousSeconds = 0, progress = 0;
  if (request.resume) {
    Result<Json> extra = trainer.loadState(state);
    if (!extra.ok()) return fail(context, extra.error());
    const Json* seconds = extra->find("seconds");
    const Json* at = extra->find("progress");
    const Json* seed = extra->find("seed");
    const Json* batch = extra->find("batch");
    if (seconds && seconds->isNumber()) previousSeconds = seconds->asNumber();
    if (at && at->isNumber()) progress = at->asNumber();
    // The run keeps its peak learning rate (another one is refused like another seed: the
    // schedule would jump), its recipe and its origin.
    const Json* rate = extra->find("learning_rate");
    const Json* clicks = extra->find("extra_clicks");
    const Json* init = extra->find("init");
    const Json* mix = extra->find("mix");
    if (rate && rate->isNumber()) {
      if (request.learningRate && *request.learningRate != rate->asNumber()) {
        return fail(context, Error{ErrorCode::InvalidArgument,
                                   "the training state was made with another --lr; resume with "
                                   "the same one or without --lr",
                                   state});
      }
      options.learningRate = rate->asNumber();
      trainer.setPeakLearningRate(options.learningRate);
    }
    // States from before --extra-clicks trained without them.
    const int runExtraClicks =
        clicks && clicks->isNumber() ? static_cast<int>(clicks->asNumber()) : 0;
    if (request.extraClicks && *request.extraClicks != runExtraClicks) {
      return fail(context, Error{ErrorCode::InvalidArgument,
                                 "the training state was made with --extra-clicks " +
                                     std::to_string(runExtraClicks) +
                                     "; resume with the same or without --extra-clicks",
                                 state});
    }
    options.extraClicks = runExtraClicks;
    trainer.setExtraClicks(runExtraClicks);
    if (init && init->isString()) initialWeights = init->asString();
    // States from before --mix trained on the training mix.
    const std::string runMix = mix && mix->isString() ? mix->asString() : "training";
    if (!SceneMix::named(runMix)) {
      return fail(context,
                  Error{ErrorCode::CorruptData,
                        "the training state names an unknown mix '" + runMix + "'", state});
    }
    if (request.mix && *request.mix != runMix) {
      return fail(context, Error{ErrorCode::InvalidArgument,
                                 "the training state was made with --mix " + runMix +
                                     "; resume with the same or without --mix",
                                 state});
    }
    mixName = runMix;
    if ((seed && seed->isNumber() && seed->asNumber() != static_cast<double>(request.seed)) ||
        (batch && batch->isNumber() && batch->asNumber() != request.batch)) {
      return fail(context, Error{ErrorCode::InvalidArgument,
                                 "the training state was made with another --seed or --batch; "
                                 "resume with the same ones",
                                 state});
    }
  }
  const std::int64_t startStep = trainer.steps();
  const double startProgress = progress;
  if (request.steps && *request.steps <= startStep) {
    return fail(context, Error{ErrorCode::InvalidArgument,
                               "the training state is at step " + std::to_string(startStep) +
                                   "; --steps counts all steps, give more to continue",
                               state});
  }

  SceneOptions trainingScenes;
  trainingScenes.size = config.imageSize;
  trainingScenes.mix = *SceneMix::named(mixName);
  SceneOptions heldOutOptions = trainingScenes;
  heldOutOptions.mix = SceneMix::heldOut();
  const std::vector<LabeledPicture> heldOut =
      generateSceneSet(kSyntheticHeldOutSeed, 0, request.heldOut, heldOutOptions);
  const std::vector<LabeledPicture> probe(
      heldOut.begin(), heldOut.begin() + std::min<std::ptrdiff_t>(20, heldOut.size()));

  if (!request.json) {
    context.out << "pretraining the starter model (" << trainer.parameterCount()
                << " parameters) on synthetic pictures, batch " << request.batch << ", " << threads
                << " threads, from step " << startStep << '\n';
  }
  const auto start = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  const auto saveState = [&]() -> Status {
    return trainer.saveState(state, Json::Object{{"seconds", previousSeconds + elapsed()},
                                                 {"progress", progress},
                                                 {"seed", static_cast<double>(request.seed)},
                                                 {"batch", request.batch},
                                                 {"learning_rate", options.learningRate},
                                                 {"extra_clicks", options.extraClicks},
                                                 {"mix", mixName},
                                                 {"init", initialWeights}});
  };
  const auto makeBatch = [&](std::int64_t step) {
    std::vector<LabeledPicture> pictures;
    for (int i = 0; i < request.batch; ++i) {
      const auto index = static_cast<std::uint64_t>(step) * request.batch + i;
      pictures.push_back(std::move(generateScene(request.seed, index, trainingScenes).picture));
    }
    return pictures;
  };
  std::future<std::vector<LabeledPicture>> next =
      std::async(std::launch::async, makeBatch, trainer.steps());
  double lossSum = 0;
  int lossCount = 0, skipped = 0;
  while (true) {
    const std::int64_t step = trainer.steps();
    if (request.steps) {
      if (step >= *request.steps) break;
      progress = static_cast<double>(step) / static_cast<double>(*request.steps);
    } else {
      const double used = elapsed() / (*request.minutes * 60);
      if (used >= 1) break;
      // A resumed timed run finishes the cosine from where the last one stopped.
      progress = startProgress + (1 - startProgress) * used;
    }
    std::vector<LabeledPicture> batch = next.get();
    // The next batch is drawn while this step trains: the generator is serial C++ that would
    // otherwise leave a core idle between steps.
    next = std::async(std::launch::async, makeBatch, step + 1);
    Result<model::FullStepStats> stats = trainer.step(batch, progress);
    if (!stats.ok()) return fail(context, stats.error());
    if (stats->skipped) {
      ++skipped;
    } else {
      lossSum += stats->loss;
      ++lossCount;
    }
    const std::int64_t done = trainer.steps();
    if (done % request.logEvery == 0 || stats->skipped) {
      // One line per log interval on stderr: stdout stays for the result.
      context.err << "step " << done << "  loss " << fixed(lossCount ? lossSum / lossCount : 0, 4)
                  << "  iou first " << fixed(stats->firstIou, 3) << " last "
                  << fixed(stats->lastIou, 3) << "  lr " << std::scientific << std::setprecision(2)
                  << stats->learningRate << std::defaultfloat << "  "
                  << fixed(stats->milliseconds, 0) << " ms"
                  << (stats->skipped ? "  (skipped: loss not finite)" : "") << '\n';
      lossSum = 0;
      lossCount = 0;
    }
    if (request.evalEvery > 0 && done % request.evalEvery == 0) {
      Result<InteractiveEvaluation> quick = model::evaluateModel(model, probe);
      if (!quick.ok()) return fail(context, quick.error());
      context.err << "step " << done << "  held-out probe (" << quick->objects
                  << " objects): dice box " << fixed(quick->diceBox, 3) << " click "
                  << fixed(quick->diceClick, 3) << "  noc90 " << fixed(quick->noc90, 2) << '\n';
    }
    if (done % kStateEverySteps == 0) {
      if (Status s = saveState(); !s) return fail(context, s.error());
    }
  }
  const double seconds = elapsed();
  if (Status s = saveState(); !s) return fail(context, s.error());

  // Ship fp16, then measure what was shipped (loaded back from the file, not the fp32 weights).
  Json::Object training{{"steps", trainer.steps()},
                        {"seconds", previousSeconds + seconds},
                        {"seed", static_cast<double>(request.seed)},
                        {"batch", request.batch},
                        {"threads", threads},
                        {"data", "synthetic (medsa::generateScene, SceneMix " + mixName + ")"},
                        {"init", initialWeights},
                        {"recipe", options.toJson()}};
  if (Status s = model->saveModel(request.out, model::Precision::Fp16, training); !s)
    return fail(context, s.error());
  Result<std::shared_ptr<model::SamModel>> shipped =
      model::SamModel::load(request.out, std::nullopt, engine);
  if (!shipped.ok()) return fail(context, shipped.error());
  Result<InteractiveEvaluation> evaluation = model::evaluateModel(shipped.value(), heldOut);
  if (!evaluation.ok()) return fail(context, evaluation.error());
  Json::Object metrics = evaluation->toJson().asObject();
  metrics["pictures"] = static_cast<int>(heldOut.size());
  metrics["seed"] = static_cast<double>(kSyntheticHeldOutSeed);
  metrics["mix"] = "SceneMix::heldOut";
  // Measured as the app answers it: zoom-in (auto, so on for this model) for boxes and corrections.
  metrics["zoom_in"] = std::string(model::zoomInName(engine.zoomIn));
  training["held_out"] = metrics;
  // The same weights again, now with their measurements in the metadata.
  if (Status s = shipped.value()->saveModel(request.out, model::Precision::Fp16, training); !s)
    return fail(context, s.error());

  std::error_code sizeError;
  const auto bytes = std::filesystem::file_size(request.out, sizeError);
  const Json::Object report{{"out", request.out},
                            {"steps", trainer.steps()},
                            {"steps_this_run", trainer.steps() - startStep},
                            {"seconds", seconds},
                            {"total_seconds", previousSeconds + seconds},
                            {"skipped_steps", skipped},
                            {"parameters", trainer.parameterCount()},
                            {"bytes", sizeError ? -1.0 : static_cast<double>(bytes)},
                            {"threads", threads},
                            {"init", initialWeights},
                            {"mix", mixName},
                            {"peak_rss_mb", peakResidentMiB()},
                            {"held_out", metrics}};
  if (request.json) {
    context.out << Json(report).dump() << '\n';
  } else {
    context.out << "trained " << trainer.steps() - startStep << " steps in " << fixed(seconds, 0)
                << " s (" << trainer.steps() << " in all, " << fixed(previousSeconds + seconds, 0)
                << " s)\nwrote " << request.out << " (fp16) and its training state " << state
                << "\nheld-out synthetic set (" << evaluation->objects
                << " objects): Dice after one box " << fixed(evaluation->diceBox, 3)
                << ", after one click " << fixed(evaluation->diceClick, 3) << ", NoC@85 "
                << fixed(evaluation->noc85, 2) << ", NoC@90 " << fixed(evaluation->noc90, 2)
                << '\n';
  }
  return kExitOk;
}

}  // namespace

void addPretrainCommand(CommandRegistry& registry) {
  registry.add(
      {"pretrain", "train the starter model from scratch on synthetic pictures",
       "Usage: medsa pretrain --synthetic --out FILE [--steps N | --minutes M] [--seed S]\n"
       "                      [--resume | --init MODEL] [--lr X] [--extra-clicks N]\n"
       "                      [--mix training|hard] [--json]\n\n"
       "Trains every weight of the small starter SAM (--arch starter) from random values (or\n"
       "from a model's weights with --init) on\n"
       "procedurally generated pictures, with simulated prompts: a jittered box or a click, then\n"
       "correction clicks at the errors with the last answer fed back. Writes FILE as fp16\n"
       "safetensors and FILE.state (weights, optimizer, step) every 100 steps and at the end;\n"
       "--resume continues from FILE.state. At the end the written file is measured on a fixed\n"
       "held-out synthetic set of another seed and shape mix: Dice after one box, after one\n"
       "click, NoC@85 and NoC@90 (20-click cap). Progress goes to stderr.\n\n"
       "Options:\n"
       "  --synthetic          train on generated pictures (the only data source for now)\n"
       "  --out FILE           the model to write (.safetensors)\n"
       "  --steps N            train until N steps in all (default 4000); a warm-up + cosine\n"
       "                       schedule spans them\n"
       "  --minutes M          train for M minutes of wall time instead; the cosine spans them\n"
       "  --seed S             seed of the training data and prompts (default 1)\n"
       "  --resume             continue from FILE.state (same --seed and --batch)\n"
       "  --init MODEL         start from a starter-geometry model's weights ('starter': the\n"
       "                       shipped one) with a fresh optimizer and schedule; use another\n"
       "                       --seed than the model was trained with, for new pictures\n"
       "  --lr X               peak learning rate (default 4e-4; --resume keeps the run's)\n"
       "  --extra-clicks N     before the 3 trained correction clicks, 0..N more (drawn per\n"
       "                       step) without gradient, so that training meets long click\n"
       "                       sequences as the evaluation does (default 8; 0: the recipe\n"
       "                       of the shipped model's first runs; --resume keeps the run's)\n"
       "  --mix NAME           the pictures' shape mix: 'training' (default; blobs and ellipses\n"
       "                       most often) or 'hard' (tubes, rings, nested and touching\n"
       "                       objects about twice as often, ellipses and blobs less);\n"
       "                       --resume keeps the run's\n"
       "  --batch N            pictures per step (default 8; up to 2 objects each)\n"
       "  --held-out N         pictures in the held-out set (default 100)\n"
       "  --threads N          CPU threads (default: every core)\n"
       "  --log-every N        a progress line every N steps (default 25)\n"
       "  --eval-every N       also measure 20 held-out pictures every N steps (default 0: off)\n"
       "  --json               one JSON object on the last line of stdout: steps, seconds,\n"
       "                       held_out {n, dice_box, dice_click, noc85, noc90, ...}\n",
       runPretrain});
}

}  // namespace medsa::cli
