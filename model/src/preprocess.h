#pragma once
// Pictures to model input and mask logits back to pictures, per ProcessingProfile.

#include <torch/torch.h>

#include <optional>
#include <vector>

#include "medsa/core/prompt.h"
#include "medsa/core/rgb_image.h"
#include "medsa/model/processing_profile.h"
#include "pil_resize.h"

namespace medsa::model {

/// Size of the picture inside the model frame: longest side = modelSize for Sam (rounded as
/// int(x * scale + 0.5)), modelSize x modelSize for MedSam.
struct FrameGeometry {
  int originalWidth = 0, originalHeight = 0;
  int resizedWidth = 0, resizedHeight = 0;
  int modelSize = 0;
  static FrameGeometry compute(ProcessingProfile profile, int width, int height, int modelSize);
  double scaleX() const { return static_cast<double>(resizedWidth) / originalWidth; }
  double scaleY() const { return static_cast<double>(resizedHeight) / originalHeight; }
};

/// The resized picture (resizedWidth x resizedHeight) -> model input [1, 3, S, S], float32, on
/// `device`: the picture travels there as bytes, a quarter of the input's size, and is
/// normalised there (as the official code does on a GPU).
torch::Tensor modelInput(ProcessingProfile profile, const RgbImage& resized, int modelSize,
                         const torch::Device& device = torch::kCPU);

/// A whole picture -> model input [1, 3, S, S]: resize into the frame, then modelInput.
torch::Tensor pictureInput(ProcessingProfile profile, const RgbImage& picture, int modelSize,
                           const torch::Device& device = torch::kCPU);

/// Points [N, 2] and box [4] in original pixels -> model-frame pixels.
torch::Tensor pointsToFrame(const std::vector<PromptPoint>& points, const FrameGeometry& frame);
torch::Tensor boxToFrame(const PromptBox& box, const FrameGeometry& frame);

/// One prompt as prompt-encoder inputs without a batch axis: points [N, 2] in model-frame
/// pixels, labels [N] (1 object, 0 background), box [4] with ordered corners, previous low-res
/// logits [1, L, L]. Absent parts stay undefined.
struct PromptTensors {
  torch::Tensor points, labels, box, mask;
};
PromptTensors promptTensors(const Prompt& prompt, const FrameGeometry& frame);

/// Prompts of one shape (same point count, box or not, mask or not) stacked into a batch.
struct PromptBatch {
  std::optional<torch::Tensor> points, labels, boxes, masks;
};
PromptBatch stackPrompts(const std::vector<PromptTensors>& prompts, torch::Device device);

/// Low-res logits [B, C, L, L] -> logits at the original picture size [B, C, H, W].
torch::Tensor logitsToOriginal(ProcessingProfile profile, const torch::Tensor& lowRes,
                               const FrameGeometry& frame);

}  // namespace medsa::model
