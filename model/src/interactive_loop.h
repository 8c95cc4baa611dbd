#pragma once
// SAM's simulated interactive loop as a loss, shared by pre-training (FullTrainer) and adapter
// training (AdapterTrainingRun): per object a first prompt (a jittered box or one click), then
// correction clicks at the errors of the previous answer with its low-res logits fed back, a
// loss on every iteration. The caller supplies the image embeddings, so the encoder may run
// with gradients (pre-training, encoder adapters) or not at all (stored embeddings).

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/labeled_picture.h"
#include "medsa/core/prompt.h"
#include "medsa/core/random.h"
#include "sam_model_impl.h"

namespace medsa::model {

struct LoopOptions {
  int correctionClicks = 3;  ///< trained correction clicks after the first prompt
  /// Before the trained corrections, 0..extraClicks further correction clicks (one count per
  /// batch, drawn uniformly) run without gradient and without a loss, as RITM and SimpleClick
  /// train: the trained clicks then also meet answers after many clicks, as the evaluation's
  /// 20 do, at the cost of decoder passes only.
  int extraClicks = 0;
  int objectsPerPicture = 2;
  double boxProbability = 0.5;
  double boxJitter = 0.1;
  double centralClicks = 0.5;
  double bceWeight = 1.0;
  double focalWeight = 0.0;
  double diceWeight = 1.0;
  double iouWeight = 1.0;
  /// Correction clicks found on the low-res masks (the model's own answer and the pooled
  /// target, 256 x 256 for SAM) instead of the answer upsampled to the input size: 16x fewer
  /// pixels for the distance transforms, which dominate a decoder-side step at 1024 x 1024.
  /// A click lands at the centre of its low-res cell.
  bool lowResCorrections = false;
};

/// One object of a batch in the model frame (its picture resized as the predictor does).
struct FrameObject {
  int picture = 0;                 ///< index among the batch's pictures that have objects
  std::vector<std::uint8_t> mask;  ///< width x height: the picture's part of the frame
  int width = 0, height = 0;
  bool box = false;  ///< first prompt: a box (else one click)
  std::vector<PromptPoint> clicks;
};

/// The next correction click of `object` found on its low-res masks ([L, L] uint8, the
/// picture's part at the top left): the model's answer and the pooled target. In frame
/// coordinates, at the centre of the chosen low-res cell; nullopt when nothing is wrong.
/// `central`: at the largest error region's centre, else RITM's random sampler.
std::optional<PromptPoint> lowResCorrectionClick(const FrameObject& object,
                                                 const std::uint8_t* answer,
                                                 const std::uint8_t* target, int lowRes, int size,
                                                 bool central, Rng& rng);

struct FrameBatch {
  /// Per picture with objects: its model input [1, 3, S, S] (empty unless asked for).
  std::vector<torch::Tensor> inputs;
  /// Per picture with objects: its index in the batch.
  std::vector<std::size_t> pictures;
  std::vector<FrameObject> objects;  ///< boxes first
};

/// Pictures into the frame; up to objectsPerPicture of each picture's objects (drawn with
/// `rng`), each with the kind of its first prompt. Errors name an invalid picture; a batch
/// without any object is refused.
Result<FrameBatch> frameBatch(const SamModel::Impl& model, const std::vector<LabeledPicture>& batch,
                              const LoopOptions& options, Rng& rng, bool withInputs);

struct LoopLoss {
  torch::Tensor total;  ///< differentiable: mean over objects and iterations
  double dice = 0;      ///< soft Dice loss, mean over objects and iterations
  double iouMse = 0;
  double firstIou = 0;  ///< mean IoU (low resolution) after the first prompt
  double lastIou = 0;   ///< after the last correction click
};

/// The loop over `objects` (from frameBatch) given the embeddings of their pictures
/// [pictures, C, g, g]. Draws the first prompts and the correction clicks from `rng`.
LoopLoss interactiveLoop(SamModel::Impl& model, const torch::Tensor& embeddings,
                         std::vector<FrameObject>& objects, const LoopOptions& options, Rng& rng);

}  // namespace medsa::model
