#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/prompt.h"
#include "medsa/core/rgb_image.h"
#include "medsa/model/sam_model.h"

namespace medsa::model {

/// One accepted case: the picture, the user's mask and the prompt that produced it (image pixel
/// coordinates; a simulated correction click carries the previous low-res logits).
struct TrainingSample {
  RgbImage image;
  std::vector<std::uint8_t> mask;  ///< image.width * image.height, non-zero = object
  Prompt prompt;
};

struct TrainOptions {
  double learningRate = 1e-4;
  double weightDecay = 0.01;
  bool trainDecoder = false;  ///< also fine-tune the (non-adapter) mask decoder
  int accumulationSteps = 1;  ///< optimizer step every N calls of step()
  double diceWeight = 1.0;
  double bceWeight = 1.0;
  double focalWeight = 0.0;            ///< focal loss (gamma 2) instead of / besides BCE
  double iouWeight = 1.0;              ///< MSE between the IoU head and the actual IoU
  bool gradientCheckpointing = false;  ///< recompute encoder blocks in backward (less memory)
  bool bf16Autocast = true;            ///< on CUDA only
};

struct StepStats {
  double loss = 0, dice = 0, bce = 0, focal = 0, iouMse = 0;
  int samples = 0;
  bool optimizerStepped = false;
  double milliseconds = 0;
};

/// The Med-SA training step: the base model frozen (no gradients, no optimizer state), the
/// adapters (and optionally the mask decoder) trained with AdamW on Dice + BCE (+ focal) of the
/// logits at the picture's size plus the IoU head's error.
///
/// It updates the model it is given: train a separate instance from the one a predictor uses;
/// the app swaps the trained model in when an evaluation says it is better. While it lives it
/// keeps the CPU buffers its steps free for its next step (up to the largest step's working
/// set), so destroy it when training ends.
class AdapterTrainer {
 public:
  AdapterTrainer(std::shared_ptr<SamModel> model, TrainOptions options);
  ~AdapterTrainer();

  /// Forward and backward over `batch`; every accumulationSteps calls, one optimizer step.
  Result<StepStats> step(const std::vector<TrainingSample>& batch);
  std::int64_t trainableParameters() const;
  int optimizerSteps() const;
  SamModel& model();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medsa::model
