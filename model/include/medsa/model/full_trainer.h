#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/json.h"
#include "medsa/core/labeled_picture.h"
#include "medsa/model/sam_model.h"

namespace medsa::model {

struct FullTrainOptions {
  double learningRate = 4e-4;       ///< peak, reached after the warm-up
  double finalLearningRate = 0.02;  ///< the cosine ends at this fraction of the peak
  double weightDecay = 0.05;        ///< AdamW; not applied to norms, biases and embeddings
  int warmupSteps = 100;
  int correctionClicks = 3;     ///< simulated clicks after the first prompt, each with a loss
  /// Up to this many more clicks (drawn per step) between the first prompt and the trained
  /// ones, without gradient (LoopOptions::extraClicks); 0 was the recipe of the first runs.
  int extraClicks = 0;
  int objectsPerPicture = 2;    ///< objects trained per picture (they share its encoder pass)
  double boxProbability = 0.5;  ///< first prompt: a box, else one click
  double boxJitter = 0.1;       ///< each box side moves by up to this fraction of the box size
  double centralClicks = 0.5;   ///< clicks at region centres (the evaluation's), else random
  double bceWeight = 1.0;
  double focalWeight = 0.0;  ///< focal loss (gamma 2), as SAM weights it 20:1 to Dice
  double diceWeight = 1.0;
  double iouWeight = 1.0;     ///< MSE of the IoU head against the IoU the mask achieves
  double gradientClip = 1.0;  ///< global gradient norm; 0 = off
  std::uint64_t seed = 0;     ///< prompt simulation; steps draw from (seed, step)

  Json toJson() const;
};

struct FullStepStats {
  double loss = 0;
  double dice = 0;  ///< soft Dice loss, mean over objects and iterations
  double iouMse = 0;
  double firstIou = 0;  ///< mean IoU (low resolution) after the first prompt
  double lastIou = 0;   ///< after the last correction click
  double learningRate = 0;
  int objects = 0;
  bool skipped = false;  ///< the loss was not finite: no update, the weights are unchanged
  double milliseconds = 0;
};

/// Trains every parameter of a SAM-architecture model (from random weights: pre-training) with
/// SAM's simulated interactive loop: per object a first prompt (a jittered box or one click),
/// then correctionClicks clicks at the errors of the previous answer, whose low-res logits are
/// fed back as the mask prompt; BCE (or focal) + Dice + IoU-head MSE on every iteration, the
/// multimask minimum for a lone click. AdamW with warm-up and cosine decay; gradient clipping.
///
/// Pictures of any size are resized into the model frame as the predictor does. Seeded: the
/// same model, batches and step numbers give the same weights. While it lives it keeps the CPU
/// buffers its steps free for its next step.
class FullTrainer {
 public:
  FullTrainer(std::shared_ptr<SamModel> model, FullTrainOptions options);
  ~FullTrainer();

  /// One optimizer step over the objects of `batch`. `progress` in [0, 1] places the step on
  /// the cosine (steps done / steps planned, or time used / time given).
  Result<FullStepStats> step(const std::vector<LabeledPicture>& batch, double progress);

  /// Steps taken (restored by loadState).
  std::int64_t steps() const;
  std::int64_t parameterCount() const;
  double learningRateAt(std::int64_t step, double progress) const;
  /// The schedule's peak (a resumed run takes its own back from the state's bookkeeping).
  void setPeakLearningRate(double rate);
  /// Likewise the run's untrained clicks (FullTrainOptions::extraClicks).
  void setExtraClicks(int clicks);

  /// Weights (fp32), optimizer moments and step count as .safetensors, atomically, with
  /// `extra` (the caller's bookkeeping) in the metadata. What --resume continues from.
  Status saveState(const std::string& path, const Json& extra) const;
  /// Restores what saveState wrote; the model must have the same geometry. Returns `extra`.
  Result<Json> loadState(const std::string& path);

  SamModel& model();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medsa::model
