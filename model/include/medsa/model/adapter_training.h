#pragma once
// The background trainer's run: adapts the Med-SA adapters of a frozen base model to labelled
// pictures (a project's accepted cases) with SAM's simulated interactive protocol, within a
// budget of steps or seconds, stoppable between steps, resumable after a kill.
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
  /// Encoder adapters, decoder adapters (HyP-Adpt) and the mask decoder; the image encoder runs
  /// forward and backward in every step. GPUs, and small models (the starter) on a CPU.
  EncoderAndDecoder,
  /// Decoder adapters and the mask decoder on image embeddings computed once per picture (and
  /// per augmented copy) by the frozen encoder, in memory. ViT-B on a CPU.
  DecoderOnEmbeddings,
};

/// "encoder+decoder" / "decoder-on-embeddings" (JSON, the CLI's --plan, adapter metadata).
std::string_view trainingPlanName(TrainingPlan plan);
Result<TrainingPlan> parseTrainingPlan(std::string_view name);

struct PlanChoice {
  TrainingPlan plan = TrainingPlan::DecoderOnEmbeddings;
  double encoderStepSeconds = 0;  ///< measured step of the encoder plan (0: not measured)
  bool forced = false;            ///< the caller chose the plan
  std::string description;        ///< for the user: what is trained, on what, and why
  Json toJson() const;
};

struct AdapterTrainingOptions {
  /// The budget: optimizer steps, or seconds of training (time spent in the monitor's proceed()
  /// is not counted; computing embeddings is). At least one must be positive; with both,
  /// whichever ends first.
  std::int64_t steps = 0;
  double seconds = 0;
  std::optional<TrainingPlan> plan;  ///< forced; otherwise chosen by measured step cost
  /// The encoder plan is chosen when one measured step costs at most this (a CPU runs ViT-B's
  /// encoder backward in tens of seconds, the starter's in well under one).
  double maxEncoderStepSeconds = 1.5;

  int batchPictures = 4;  ///< pictures per step
  int objectsPerPicture = 2;
  double learningRate = 1e-3;      ///< peak, after the warm-up
  double finalLearningRate = 0.1;  ///< the cosine ends at this fraction of the peak
  double weightDecay = 0.01;
  int warmupSteps = 10;
  int correctionClicks = 3;     ///< simulated clicks after the first prompt, each with a loss
  double boxProbability = 0.5;  ///< first prompt a box (0-10 % jitter), else a click
  double boxJitter = 0.1;
  double centralClicks = 0.5;  ///< clicks at region centres (the evaluation's), else random
  /// Correction clicks found on the low-res masks (SAM: 256 x 256) rather than at the input
  /// size: the error regions the model can correct at its own resolution, at a fraction of the
  /// cost (ViT-B on a CPU: docs/training.md).
  bool lowResCorrections = true;
  bool trainDecoder = true;    ///< also the mask decoder's own weights (as Med-SA does)
  /// The decoder's own (already trained) weights learn at this fraction of the adapters' rate.
  double decoderLearningRateScale = 0.1;
  /// Forward passes under LibTorch's CPU autocast to bf16 (matmuls and convolutions in bf16,
  /// weights, gradients and the optimizer in fp32). Off: with LibTorch 1.13 on a 2-core AVX-512
  /// BF16 CPU a step of the starter measured 6-16x slower (docs/training.md).
  bool bf16Autocast = false;
  bool augment = true;
  AugmentOptions augmentation;
  /// DecoderOnEmbeddings: augmented copies per picture besides the original, each encoded once.
  int embeddingVariants = 2;
  /// DecoderOnEmbeddings: the folder of stored embeddings (a project's embeddings/, where the
  /// annotator's engine keeps them): an embedding found there is not computed again, and one
  /// computed is written there for the next run. "" = compute all, keep none.
  std::string embeddingFolder;
  /// The resumable state (trained weights, step, time), written atomically every
  /// stateEverySeconds and when the run ends or stops; "" = none. A run resumes from it when it
  /// was made for the same base model, plan and seed (AdamW's moments start again).
  std::string statePath;
  double stateEverySeconds = 30;
  std::uint64_t seed = 0;
  /// Fault injection for tests: after these steps the first trained tensor is set to NaN.
  std::vector<std::int64_t> poisonWeightsAfterSteps;
  /// Fault injection for tests: these steps run out of memory once each (std::bad_alloc after
  /// the forward pass).
  std::vector<std::int64_t> outOfMemoryAtSteps;

  Json toJson() const;
};

/// Where a run stands (between steps).
struct TrainingProgress {
  std::string stage;  ///< "measuring", "encoding", "training"
  std::int64_t step = 0;
  std::int64_t steps = 0;  ///< planned; 0 when the budget is time
  double fraction = 0;     ///< of the budget spent
  double seconds = 0;      ///< training time so far (time in proceed() excluded)
  double secondsLeft = -1;
  double loss = 0;  ///< of the last step
  int skipped = 0;  ///< steps skipped for a non-finite loss or gradient
};

/// The caller's hold on a run. proceed() is asked between steps (and between pictures while
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
  /// The plan the run trains with, once chosen (before any embedding or step).
  virtual void planChosen(const PlanChoice& /*plan*/) {}
  /// Events worth a line in a log: a skipped step, a resume.
  virtual void note(std::string_view /*message*/) {}
};

struct AdapterTrainingResult {
  PlanChoice plan;
  std::int64_t steps = 0;        ///< in all, with those of an interrupted run it resumed
  std::int64_t resumedFrom = 0;  ///< the step it resumed at (0: a fresh run)
  double seconds = 0;            ///< training time in all
  double prepareSeconds = 0;     ///< measuring the plan and computing embeddings
  int skippedSteps = 0;          ///< non-finite loss or gradient: no update
  int restores = 0;              ///< an update left non-finite weights: back to the last good ones
  /// Out of memory in the encoder plan: first the encoder's blocks are recomputed in the
  /// backward pass (gradient checkpointing) instead of keeping their activations.
  bool gradientCheckpointing = false;
  /// Out of memory (again): the step was taken again with half the pictures, as often as this.
  int batchReductions = 0;
  int batchPictures = 0;  ///< per step at the end (the option, or less after running out)
  bool stopped = false;   ///< the monitor stopped it before the budget was spent
  double firstLoss = 0, lastLoss = 0;  ///< means over the first and last (up to) 10 steps
  std::vector<double> losses;          ///< per step of this part
  int embeddingsComputed = 0;
  int embeddingsReused = 0;  ///< found in the embedding folder instead
  std::int64_t trainableParameters = 0;
  Json toJson() const;
};

/// One training run on its own copy of the model: the base checkpoint is loaded again with
/// fresh adapters (the predictor's model is never touched, so the app keeps clicking on it).
/// Not thread-safe itself: one thread runs it.
class AdapterTrainingRun {
 public:
  /// `pictures` and `weights` (sampling weights, one per picture; empty = uniform) as
  /// app::loadTrainingData gives them. `base` must come from a checkpoint file (its SHA-256
  /// goes into the adapter file) or seeded random weights (tests).
  static Result<std::unique_ptr<AdapterTrainingRun>> create(const std::shared_ptr<SamModel>& base,
                                                            std::vector<LabeledPicture> pictures,
                                                            std::vector<double> weights,
                                                            AdapterTrainingOptions options);
  ~AdapterTrainingRun();

  /// Times a step of the encoder plan here and picks a plan; run() calls it unless the plan is
  /// forced.
  Result<PlanChoice> choosePlan(TrainingMonitor* monitor = nullptr);
  /// Trains until the budget is spent or the monitor stops it. Resumes from statePath when
  /// that state fits.
  Result<AdapterTrainingResult> run(TrainingMonitor* monitor = nullptr);
  /// The base with the adapters trained so far (after run()): evaluate it.
  std::shared_ptr<SamModel> model() const;
  /// Writes the adapter file atomically; its `training` metadata holds the plan, the result and
  /// `extra` (the data summary, evaluations).
  Status exportAdapters(const std::string& path, const Json& extra) const;
  /// Removes the state file once its result is recorded (the next run starts afresh).
  Status discardState() const;

 private:
  struct Impl;
  explicit AdapterTrainingRun(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medsa::model
