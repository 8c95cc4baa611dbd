// medsa train / medsa evaluate: the learning loop headless. `train` runs one cycle on a project
// (its labelled cases, the live model measured on the held-out cases, new adapters trained,
// measured on the same cases, recorded, made live only when better); `evaluate` measures a
// model (the project's live one, or a given adapter file) on the held-out cases.
#include <QCoreApplication>

#include <csignal>
#include <iomanip>
#include <memory>
#include <ostream>

#include "argument_parser.h"
#include "command_registry.h"
#include "medsa/annotations/project_store.h"
#include "medsa/core/atomic_file.h"
#include "medsa/model/model_evaluation.h"
#include "model_options.h"
#include "number_text.h"
#include "synthetic_evaluation.h"
#include "train_watch.h"
#include "training_cycle.h"

namespace medsa::cli {
namespace {

using annotations::ProjectStore;

// Ctrl+C stops training between steps; the state is kept and the next run resumes from it.
volatile std::sig_atomic_t interrupted = 0;
void onInterrupt(int) { interrupted = 1; }

// QtSql finds its SQLite driver through the application object.
std::unique_ptr<QCoreApplication> ensureApplication() {
  static int argc = 1;
  static char name[] = "medsa";
  static char* argv[] = {name, nullptr};
  if (QCoreApplication::instance()) return nullptr;
  return std::make_unique<QCoreApplication>(argc, argv);
}

int fail(CommandContext& context, const char* command, const Error& error, bool json) {
  context.err << "medsa " << command << ": " << error.describe() << '\n';
  if (json) {
    context.out << Json(Json::Object{{"error", Json::Object{{"code", errorCodeName(error.code)},
                                                            {"message", error.message},
                                                            {"path", error.path}}}})
                       .dump()
                << '\n';
  }
  return kExitFailure;
}

int usage(CommandContext& context, const char* command, const Error& error) {
  context.err << "medsa " << command << ": " << error.describe() << "\n(see medsa help " << command
              << ")\n";
  return kExitUsage;
}

/// --model etc.; without --model or --random-weights the shipped starter model.
Result<ModelOptions> parseModel(ArgumentParser& parser) {
  Result<ModelOptions> model = ModelOptions::parse(parser);
  if (!model.ok()) return model;
  if (!model->checkpoint && !model->randomWeights) {
    ArgumentParser starter({"--model", "starter"});
    Result<ModelOptions> fallback = ModelOptions::parse(starter);
    if (!fallback.ok()) return fallback.error();
    fallback->engine = model->engine;
    return fallback;
  }
  return model;
}

std::string evaluationLine(const InteractiveEvaluation& e) {
  return "Dice after one box " + fixed(e.diceBox, 3) + ", after one click " +
         fixed(e.diceClick, 3) + ", NoC@90 " + fixed(e.noc90, 2) + " (" +
         std::to_string(e.objects) + " objects)";
}

// Progress on stderr: one line per 10 % of the budget, and the notes.
class CliMonitor : public model::TrainingMonitor {
 public:
  explicit CliMonitor(std::ostream& err) : err_(err) {}
  bool proceed(const model::TrainingProgress&) override { return interrupted == 0; }
  void stepDone(const model::TrainingProgress& p) override {
    const int tenth = static_cast<int>(p.fraction * 10);
    if (tenth == lastTenth_) return;
    lastTenth_ = tenth;
    err_ << "step " << p.step << "  loss " << fixed(p.loss, 4) << "  " << fixed(p.seconds, 0)
         << " s" << (p.secondsLeft >= 0 ? ", about " + fixed(p.secondsLeft, 0) + " s left" : "")
         << '\n';
  }
  void note(std::string_view message) override { err_ << message << '\n'; }

 private:
  std::ostream& err_;
  int lastTenth_ = -1;
};

int runCycle(CommandContext& context, ProjectStore& store,
             const std::shared_ptr<model::SamModel>& base, const app::TrainingCycleOptions& options,
             const std::optional<std::string>& out, bool json);

int runTrain(CommandContext& context) {
  ArgumentParser parser(context.args);
  const std::optional<std::string> project = parser.option("--project");
  const std::optional<std::string> steps = parser.option("--steps");
  const std::optional<std::string> minutes = parser.option("--minutes");
  const std::optional<std::string> plan = parser.option("--plan");
  const std::optional<std::string> seed = parser.option("--seed");
  const std::optional<std::string> out = parser.option("--out");
  const std::optional<std::string> stateEvery = parser.option("--state-every");
  const bool noPromote = parser.flag("--no-promote");
  const bool autocast = parser.flag("--bf16-autocast");
  const bool json = parser.flag("--json");
  const bool watch = parser.flag("--watch");
  const std::optional<std::string> minNew = parser.option("--min-new");
  const std::optional<std::string> poll = parser.option("--poll");
  const std::optional<std::string> cycles = parser.option("--cycles");
  Result<ModelOptions> model = parseModel(parser);
  if (!model.ok()) return usage(context, "train", model.error());
  if (Status finished = parser.finish(); !finished)
    return usage(context, "train", finished.error());
  if (!project)
    return usage(context, "train", {ErrorCode::InvalidArgument, "--project DIR is required", {}});
  if (steps && minutes)
    return usage(context, "train",
                 {ErrorCode::InvalidArgument, "give --steps or --minutes, not both", {}});
  if (!watch && (minNew || poll || cycles))
    return usage(
        context, "train",
        {ErrorCode::InvalidArgument, "--min-new, --poll and --cycles go with --watch", {}});
  if (watch && out)
    return usage(
        context, "train",
        {ErrorCode::InvalidArgument, "--out writes one cycle's adapter; not with --watch", {}});
  WatchOptions watching;
  if (minNew) {
    Result<long long> n = parseCount(minNew, 5, 1, "--min-new");
    if (!n.ok()) return usage(context, "train", n.error());
    watching.minNew = int(n.value());
  }
  if (cycles) {
    Result<long long> n = parseCount(cycles, 0, 1, "--cycles");
    if (!n.ok()) return usage(context, "train", n.error());
    watching.cycles = int(n.value());
  }
  if (poll) {
    Result<double> p = parseNumber(*poll, "--poll");
    if (!p.ok()) return usage(context, "train", p.error());
    if (!(p.value() >= 0.5 && p.value() <= 3600))
      return usage(context, "train",
                   {ErrorCode::InvalidArgument, "--poll must be 0.5 to 3600 seconds", {}});
    watching.pollSeconds = p.value();
  }

  app::TrainingCycleOptions options;
  options.promote = !noPromote;
  options.training.bf16Autocast = autocast;
  options.training.steps = 200;
  if (steps) {
    Result<long long> n = parseCount(steps, 0, 1, "--steps");
    if (!n.ok()) return usage(context, "train", n.error());
    options.training.steps = n.value();
  }
  if (minutes) {
    Result<double> m = parseNumber(*minutes, "--minutes");
    if (!m.ok()) return usage(context, "train", m.error());
    if (!(m.value() > 0))
      return usage(context, "train", {ErrorCode::InvalidArgument, "--minutes must be above 0", {}});
    options.training.steps = 0;
    options.training.seconds = m.value() * 60;
  }
  if (plan) {
    Result<model::TrainingPlan> parsed = model::parseTrainingPlan(*plan);
    if (!parsed.ok()) return usage(context, "train", parsed.error());
    options.training.plan = parsed.value();
  }
  if (seed) {
    Result<long long> s = parseCount(seed, 0, 0, "--seed");
    if (!s.ok()) return usage(context, "train", s.error());
    options.training.seed = static_cast<std::uint64_t>(s.value());
  }
  if (stateEvery) {
    Result<double> every = parseNumber(*stateEvery, "--state-every");
    if (!every.ok()) return usage(context, "train", every.error());
    if (!(every.value() > 0 && every.value() <= 86400))
      return usage(context, "train",
                   {ErrorCode::InvalidArgument,
                    "--state-every must be above 0 and at most 86400 seconds",
                    {}});
    options.training.stateEverySeconds = every.value();
  }

  const auto app = ensureApplication();
  Result<std::unique_ptr<ProjectStore>> store =
      ProjectStore::open(QString::fromStdString(*project));
  if (!store.ok()) return fail(context, "train", store.error(), json);
  Result<std::shared_ptr<model::SamModel>> base = model->build();
  if (!base.ok()) return fail(context, "train", base.error(), json);

  interrupted = 0;
  const auto previous = std::signal(SIGINT, onInterrupt);
  // A trainer on a server is stopped by its service manager with SIGTERM: between steps too.
  const auto previousTerm = std::signal(SIGTERM, onInterrupt);
  const int status =
      watch
          ? watchProject(
                *store.value(), watching,
                [&] { return runCycle(context, *store.value(), base.value(), options, out, json); },
                [] { return interrupted != 0; }, context.err)
          : runCycle(context, *store.value(), base.value(), options, out, json);
  std::signal(SIGINT, previous);
  std::signal(SIGTERM, previousTerm);
  return status;
}

int runCycle(CommandContext& context, ProjectStore& store,
             const std::shared_ptr<model::SamModel>& base, const app::TrainingCycleOptions& options,
             const std::optional<std::string>& out, bool json) {
  CliMonitor monitor(context.err);
  Result<app::TrainingCycleResult> cycle = app::runTrainingCycle(store, base, options, &monitor);
  if (!cycle.ok()) return fail(context, "train", cycle.error(), json);
  if (out && cycle->version) {
    // A copy of the version's adapter file where the user asked for it, written atomically.
    Result<std::string> bytes = readWholeFile(cycle->version->path.toStdString(), 4ull << 30);
    if (!bytes.ok()) return fail(context, "train", bytes.error(), json);
    if (Status written = writeFileAtomically(*out, bytes.value()); !written)
      return fail(context, "train", written.error(), json);
  }

  if (json) {
    Json::Object report = cycle->toJson().asObject();
    report["training"] = [&] {
      Json::Object t = cycle->training.toJson().asObject();
      t.erase("losses");  // the curve lives in the adapter file and the store
      return Json(t);
    }();
    // The short spellings of the learning-loop issue, beside the full record.
    report["steps"] = cycle->training.steps;
    report["seconds"] = cycle->training.seconds;
    report["plan"] = std::string(model::trainingPlanName(cycle->training.plan.plan));
    report["before"] = cycle->live.toJson();
    report["after"] = cycle->candidate.toJson();
    if (out && cycle->version) report["adapter"] = *out;
    context.out << Json(report).dump() << '\n';
  } else if (!cycle->version) {
    context.out << "stopped at step " << cycle->training.steps
                << "; run medsa train again to resume\n";
  } else {
    context.out << "plan: " << cycle->training.plan.description << '\n'
                << "trained " << cycle->training.steps << " steps in "
                << fixed(cycle->training.seconds, 0) << " s, loss "
                << fixed(cycle->training.firstLoss, 3) << " -> "
                << fixed(cycle->training.lastLoss, 3) << '\n'
                << (cycle->liveVersion ? "live v" + std::to_string(cycle->liveVersion)
                                       : std::string("base model"))
                << ": " << evaluationLine(cycle->live) << '\n'
                << "adapter v" << cycle->version->version << ": "
                << evaluationLine(cycle->candidate) << '\n'
                << (cycle->promoted ? "now live: " : "not live: ") << cycle->decision.reason
                << '\n';
  }
  context.out.flush();  // one report per cycle reaches a pipe at once (--watch)
  return kExitOk;
}

int runEvaluate(CommandContext& context) {
  ArgumentParser parser(context.args);
  const std::optional<std::string> project = parser.option("--project");
  const std::optional<std::string> adapter = parser.option("--adapter");
  const bool baseOnly = parser.flag("--base");
  const bool heldOutOnly = parser.flag("--held-out");
  const bool synthetic = parser.flag("--synthetic");
  const std::optional<std::string> pictureCount = parser.option("--pictures");
  const bool json = parser.flag("--json");
  Result<ModelOptions> model = parseModel(parser);
  if (!model.ok()) return usage(context, "evaluate", model.error());
  if (Status finished = parser.finish(); !finished)
    return usage(context, "evaluate", finished.error());
  if (synthetic == project.has_value())
    return usage(
        context, "evaluate",
        {ErrorCode::InvalidArgument, "give --project DIR or --synthetic (one of them)", {}});
  if (adapter && baseOnly)
    return usage(context, "evaluate",
                 {ErrorCode::InvalidArgument, "give --adapter or --base, not both", {}});
  if (synthetic) {
    if (heldOutOnly || baseOnly)
      return usage(context, "evaluate",
                   {ErrorCode::InvalidArgument,
                    "--held-out and --base are for projects (the synthetic set is held out, "
                    "and has no live adapter)",
                    {}});
    Result<long long> pictures = parseCount(pictureCount, 100, 1, "--pictures");
    if (!pictures.ok()) return usage(context, "evaluate", pictures.error());
    if (pictures.value() > 100000)
      return usage(context, "evaluate",
                   {ErrorCode::InvalidArgument, "--pictures is too large", {}});
    Result<std::shared_ptr<model::SamModel>> base = model->build();
    if (!base.ok()) return fail(context, "evaluate", base.error(), json);
    std::shared_ptr<model::SamModel> measured = base.value();
    if (adapter) {
      Result<std::shared_ptr<model::SamModel>> with = measured->withAdapterFile(*adapter);
      if (!with.ok()) return fail(context, "evaluate", with.error(), json);
      measured = with.value();
    }
    return runSyntheticEvaluation(context, measured, adapter.value_or("base model"),
                                  static_cast<int>(pictures.value()), json);
  }
  if (pictureCount)
    return usage(context, "evaluate",
                 {ErrorCode::InvalidArgument, "--pictures is for --synthetic", {}});

  const auto app = ensureApplication();
  Result<std::unique_ptr<ProjectStore>> store =
      ProjectStore::open(QString::fromStdString(*project));
  if (!store.ok()) return fail(context, "evaluate", store.error(), json);
  Result<app::ProjectTrainingData> data = app::loadTrainingData(*store.value());
  if (!data.ok()) return fail(context, "evaluate", data.error(), json);
  std::vector<LabeledPicture> pictures = std::move(data->heldOut);
  if (!heldOutOnly)
    pictures.insert(pictures.end(), std::make_move_iterator(data->train.begin()),
                    std::make_move_iterator(data->train.end()));
  if (pictures.empty()) {
    return fail(context, "evaluate",
                {ErrorCode::InvalidArgument,
                 heldOutOnly ? "no held-out case yet: at least two labelled (done or reviewed) "
                               "cases are needed"
                             : "no labelled (done or reviewed) case to measure on",
                 *project},
                json);
  }
  Result<std::shared_ptr<model::SamModel>> base = model->build();
  if (!base.ok()) return fail(context, "evaluate", base.error(), json);
  std::shared_ptr<model::SamModel> measured = base.value();
  std::string what = "base model";
  if (adapter) {
    Result<std::shared_ptr<model::SamModel>> with = base.value()->withAdapterFile(*adapter);
    if (!with.ok()) return fail(context, "evaluate", with.error(), json);
    measured = with.value();
    what = *adapter;
  } else if (!baseOnly) {
    Result<app::LiveModel> live = app::liveModel(*store.value(), base.value());
    if (!live.ok()) return fail(context, "evaluate", live.error(), json);
    if (!live->note.empty()) context.err << live->note << '\n';
    measured = live->model;
    if (live->version) what = "live adapter v" + std::to_string(live->version);
  }
  Result<InteractiveEvaluation> evaluation = model::evaluateModel(measured, pictures);
  if (!evaluation.ok()) return fail(context, "evaluate", evaluation.error(), json);
  if (json) {
    Json::Object out = evaluation->toJson().asObject();
    out["model"] = what;
    out["cases"] = heldOutOnly ? data->heldOutCases : data->heldOutCases + data->trainCases;
    out["heldout_cases"] = data->heldOutCases;
    context.out << Json(out).dump() << '\n';
  } else {
    context.out << what << " on "
                << (heldOutOnly
                        ? std::to_string(data->heldOutCases) + " held-out cases"
                        : std::to_string(data->heldOutCases + data->trainCases) + " labelled cases")
                << ": " << evaluationLine(evaluation.value()) << '\n';
  }
  return kExitOk;
}

}  // namespace

void addTrainCommand(CommandRegistry& registry) {
  registry.add(
      {"train", "adapt the model to a project's labelled cases; keep it only if better",
       std::string(
           "Usage: medsa train --project DIR [--model CKPT|starter] [--steps N | --minutes M]\n"
           "                   [--plan PLAN] [--seed S] [--out FILE] [--no-promote]\n"
           "                   [--state-every S] [--bf16-autocast] [--json] [model options]\n"
           "                   [--watch [--min-new N] [--poll S] [--cycles N]]\n\n"
           "One cycle of the learning loop: the project's done and reviewed cases are split once\n"
           "into training and held-out cases (fixed per project); the live model (the base with\n"
           "the live adapter version, if any) is measured on the held-out cases; Med-SA adapters\n"
           "are trained on the training cases with simulated prompts (a jittered box or a click,\n"
           "then correction clicks); the result is measured on the same held-out cases, written\n"
           "to DIR/adapters/adapter-vN.safetensors, recorded as version N, and made live only\n"
           "when it is better (mean Dice after one box and one click up, NoC@90 and no label's\n"
           "Dice down). Ctrl+C stops between steps; the next run resumes from the state kept in\n"
           "DIR/adapters/training.state (written every 30 s and when training ends, atomically,\n"
           "so a killed run resumes too).\n\n"
           "With --watch it keeps running (a team's trainer on a GPU server, DIR being a\n"
           "postgresql:// URL): a cycle starts whenever N cases were labelled since the last\n"
           "adapter version; workstations hear of a promoted version at once and swap it in.\n"
           "SIGTERM or Ctrl+C stops it between steps.\n\n"
           "Options:\n"
           "  --project DIR        the project (a folder with project.medsa, or a team's\n"
           "                       postgresql://USER@HOST:PORT/DBNAME)\n"
           "  --steps N            optimizer steps (default 200)\n"
           "  --minutes M          train for M minutes instead\n"
           "  --plan PLAN          encoder+decoder or decoder-on-embeddings (default: chosen by\n"
           "                       the measured cost of an encoder step on this machine)\n"
           "  --seed S             seed of sampling, augmentation and prompts (default 0)\n"
           "  --out FILE           also write the new adapter file to FILE\n"
           "  --no-promote         record the version but never make it live\n"
           "  --state-every S      write the resumable state every S seconds (default 30)\n"
           "  --bf16-autocast      forward passes in bf16 on the CPU (an experiment: with\n"
           "                       LibTorch 1.13 it measured 6-16x slower; docs/training.md)\n"
           "  --json               one JSON object: steps, seconds, plan, before and after\n"
           "                       ({n, dice_box, dice_click, noc85, noc90, ...} of the live "
           "model\n"
           "                       and the new adapter on the held-out cases), promoted, adapter,\n"
           "                       version, decision, data, training (one line per cycle\n"
           "                       with --watch)\n"
           "  --watch              train again whenever enough new cases are labelled\n"
           "  --min-new N          newly labelled cases that start a cycle (default 5)\n"
           "  --poll S             count the cases every S seconds besides notifications\n"
           "                       (default 30)\n"
           "  --cycles N           stop after N cycles (default: run until stopped)\n\n") +
           kModelOptionsHelp + "Without --model the shipped starter model is the base.\n",
       runTrain});
}

void addEvaluateCommand(CommandRegistry& registry) {
  registry.add(
      {"evaluate", "measure a model on a project's held-out cases or the synthetic set",
       std::string("Usage: medsa evaluate --project DIR [--model CKPT|starter]\n"
                   "                      [--adapter FILE | --base] [--held-out] [--json]\n"
                   "                      [model options]\n"
                   "       medsa evaluate --synthetic [--pictures N] [--model CKPT|starter]\n"
                   "                      [--adapter FILE] [--json] [model options]\n\n"
                   "Runs the simulated interactive protocol on every labelled (done or reviewed)\n"
                   "case of the project, or with --held-out on the trainer's held-out cases\n"
                   "only (the numbers `medsa train` compares): Dice after one box and after one\n"
                   "click, NoC@85 and NoC@90 (20-click cap), means over objects (pictures; for\n"
                   "volumes their labelled slices). Measures the live adapter version unless\n"
                   "--adapter names an adapter file or --base asks for the base model alone.\n\n"
                   "With --synthetic it measures on the fixed held-out synthetic set that\n"
                   "`medsa pretrain` reports (seed 9176, SceneMix::heldOut, 256-pixel pictures;\n"
                   "docs/models/starter.md), with the means per shape kind and per style.\n\n"
                   "Options:\n"
                   "  --project DIR        the project\n"
                   "  --synthetic          the held-out synthetic set instead of a project\n"
                   "  --pictures N         its first N pictures (default 100, as pretrain)\n"
                   "  --adapter FILE       an adapter file trained on this base model\n"
                   "  --base               the base model without adapters\n"
                   "  --held-out           only the held-out cases\n"
                   "  --json               {n, dice_box, dice_click, noc85, noc90, ..., model, "
                   "cases}\n"
                   "                       (--synthetic: ..., model, pictures, by_shape, "
                   "by_style,\n"
                   "                       iou_after_click: the mean IoU after each of the 20 "
                   "clicks,\n"
                   "                       zoom_in: the --zoom-in mode measured with)\n\n") +
           kModelOptionsHelp + "Without --model the shipped starter model is the base.\n",
       runEvaluate});
}

}  // namespace medsa::cli
