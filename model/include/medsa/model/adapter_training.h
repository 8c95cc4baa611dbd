#pragma once
// The background trainer's run: adapts the Med-SA adapters of a frozen base model to labelled
// pictures (a project's accepted cases) with SAM's simulated interactive protocol, within a
// budget of steps or seconds, pausable between steps, resumable after a kill.
// docs/training.md describes the recipe and the plans.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medsa/core/augmentation.h"
#include "medsa/core/error.h"
#include "medsa/core/json.h"
#include "medsa/core/labeled_picture.h"
#include "medsa/model/sam_model.h"

namespace medsa::model {

/// What a run trains. Chosen from the measured cost of a step on this machine.
enum class TrainingPlan {
  /// Encoder adapters, decoder adapters and the mask decoder; the image encoder runs (forward
  /// and backward) in every step. GPUs, and small models (the starter) on a CPU.
  EncoderAndDecoder,
  /// Decoder adapters and the mask decoder on stored image embeddings: the frozen encoder runs
  /// once per picture (fp16, kept on disk when a folder is given) and never again. ViT-B on a
  /// CPU.
  DecoderOnEmbeddings,
};

/// "encoder+decoder" / "decoder-on-embeddings" (JSON, the CLI's --plan, adapter metadata).
std::string_view trainingPlanName(TrainingPlan plan);
Result<TrainingPlan> parseTrainingPlan(std::string_view name);

/// The measured cost of one plan on this machine.
struct PlanCost {
  TrainingPlan plan = TrainingPlan::DecoderOnEmbeddings;
  double stepSeconds = 0;      ///< one step at the run's batch, in the faster precision
  double fp32StepSeconds = 0;  ///< as measured; 0 when not measured
  double bf16StepSeconds = 0;  ///< with bf16 autocast; 0 when not measured
  bool bf16 = false;           ///< bf16 autocast was the faster
  /// DecoderOnEmbeddings: seconds to encode one picture, and how many are not stored yet.
  double encodeSeconds = 0;
  int picturesToEncode = 0;
  std::int64_t trainableParameters = 0;
  Json toJson() const;
};

struct PlanChoice {
  TrainingPlan plan = TrainingPlan::DecoderOnEmbeddings;
  bool bf16 = false;
  std::vector<PlanCost> costs;  ///< the plans measured (one when the plan was forced)
  std::string description;      ///< for the user: what is trained, on what, and why
  Json toJson() const;
};

struct AdapterTrainingOptions {
  /// The budget: optimizer steps, or seconds of training (paused time is not counted; computing
  /// embeddings is). One of the two must be positive; with both, whichever ends first.
  std::int64_t steps = 0;
  double seconds = 0;
  std::optional<TrainingPlan> plan;  ///< forced; otherwise chosen by measured step cost
  /// The encoder plan is chosen when its measured step fits this many steps into the budget
  /// (by time) or costs at most maxEncoderStepSeconds (by steps).
  std::int64_t minEncoderSteps = 300;
  double maxEncoderStepSeconds = 2.0;
  std::optional<bool> bf16;  ///< forced; otherwise measured (bf16 autocast where it is faster)

  int batchPictures = 4;  ///< pictures per step; halved after an out-of-memory error
  int objectsPerPicture = 2;
  double learningRate = 1e-3;       ///< peak, after the warm-up
  double finalLearningRate = 0.05;  ///< the cosine ends at this fraction of the peak
  double weightDecay = 0.01;
  int warmupSteps = 20;
  int correctionClicks = 3;     ///< K: simulated clicks after the first prompt, each with a loss
  double boxProbability = 0.5;  ///< first prompt a box (0-10 % jitter), else a click
  double boxJitter = 0.1;
  double centralClicks = 0.5;  ///< clicks at region centres (the evaluation's), else random
  bool trainDecoder = true;    ///< also the mask decoder's own weights (as Med-SA does)
  bool augment = true;
  AugmentOptions augmentation;
  /// DecoderOnEmbeddings: augmented copies per picture besides the original, each encoded once.
  int embeddingVariants = 3;
  /// Where embeddings are kept between runs (a project's embeddings/ folder); "" = memory only.
  std::string embeddingFolder;
  /// The resumable state (trained weights, AdamW moments, step, time), written atomically every
  /// stateEverySeconds and when the run ends or stops; "" = none. A run resumes from it when it
  /// was made for the same base model, plan, budget and seed.
  std::string statePath;
  double stateEverySeconds = 30;
  bool gradientCheckpointing = false;  ///< forced on; else switched on by an out-of-memory error
  std::uint64_t seed = 0;

  /// Fault injection for tests: steps whose loss is made non-finite, after which the trained
  /// weights are poisoned with NaN, or that raise an out-of-memory error.
  struct Faults {
    std::vector<std::int64_t> nonFiniteLoss, poisonWeights, outOfMemory;
  } faults;

  Json toJson() const;
};

/// Where a run stands (between steps).
struct TrainingProgress {
  std::string stage;  ///< "measuring", "encoding", "training"
  std::int64_t step = 0;
  std::int64_t steps = 0;  ///< planned; 0 when the budget is time
  double fraction = 0;     ///< of the budget spent
  double seconds = 0;      ///< training time so far (paused time excluded)
  double secondsLeft = -1;
  double loss = 0;  ///< of the last step
  int skipped = 0;  ///< steps skipped for a non-finite loss
  int batch = 0;
};

/// The app's hold on a run. proceed() is asked between steps (and between pictures while
/// encoding), so a request is answered within one step.
class TrainingMonitor {
 public:
  virtual ~TrainingMonitor() = default;
  /// false stops the run (its state is saved: a later run resumes). May block while the app
  /// pauses training (a click is pending, the user is working); time spent here is not charged
  /// to the budget.
  virtual bool proceed(const TrainingProgress& progress) = 0;
  /// After every step: loss curves, ETA.
  virtual void stepDone(const TrainingProgress& /*progress*/) {}
  /// Events worth a line in a log: a skipped step, a restore, a lowered batch, a resume.
  virtual void note(std::string_view /*message*/) {}
};

struct AdapterTrainingResult {
  PlanChoice plan;
  std::int64_t steps = 0;        ///< in all, with those of an interrupted run it resumed
  std::int64_t resumedFrom = 0;  ///< the step it resumed at (0: a fresh run)
  double seconds = 0;            ///< training time in all (paused time excluded)
  double prepareSeconds = 0;     ///< measuring plans and computing embeddings, this part
  int skippedSteps = 0;          ///< non-finite loss or gradient: no update
  int restores = 0;              ///< non-finite weights: back to the last good state
  int batch = 0;                 ///< pictures per step at the end (lowered by out-of-memory)
  bool gradientCheckpointing = false;
  bool stopped = false;                ///< the monitor stopped it before the budget was spent
  double firstLoss = 0, lastLoss = 0;  ///< means over the first and last (up to) 20 steps
  std::vector<double> losses;          ///< per step of this part
  int embeddingsComputed = 0, embeddingsReused = 0;
  Json toJson() const;
};

/// One training run. Its model shares the base model's frozen weights (nothing is copied but
/// what it trains), so the live engine can keep using the base while it trains on another
/// thread. Not thread-safe itself: one thread runs it.
class AdapterTrainingRun {
 public:
  /// `pictures` and `weights` (sampling weights, one per picture; empty = uniform) as
  /// app::loadTrainingData gives them. `base` needs a checkpoint file (its SHA-256 goes into the
  /// adapter file); it is never modified.
  static Result<std::unique_ptr<AdapterTrainingRun>> create(std::shared_ptr<SamModel> base,
                                                            std::vector<LabeledPicture> pictures,
                                                            std::vector<double> weights,
                                                            AdapterTrainingOptions options);
  ~AdapterTrainingRun();

  /// Times a step of each plan (fp32 and bf16) here and picks one; run() calls it unless the
  /// plan and precision are forced.
  Result<PlanChoice> choosePlan(TrainingMonitor* monitor = nullptr);
  /// Trains until the budget is spent or the monitor stops it. Resumes from statePath when
  /// that state fits.
  Result<AdapterTrainingResult> run(TrainingMonitor* monitor = nullptr);
  /// The base with the adapters trained so far (after run()): evaluate it, or hand it to a
  /// predictor (Predictor::useModel).
  std::shared_ptr<SamModel> model() const;
  /// Writes the adapter file atomically; its `training` metadata holds the base model's hash,
  /// steps, plan, the result and `extra` (the data summary, evaluations).
  Status exportAdapters(const std::string& path, const Json& extra) const;
  /// Removes the state file once its result is recorded (the next run starts afresh).
  Status discardState() const;

 private:
  struct Impl;
  explicit AdapterTrainingRun(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medsa::model
