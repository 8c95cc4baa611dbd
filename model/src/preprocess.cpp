#include "preprocess.h"

#include <algorithm>
#include <cmath>

#include "chained_resize.h"

namespace medsa::model {
namespace F = torch::nn::functional;

FrameGeometry FrameGeometry::compute(ProcessingProfile profile, int width, int height,
                                     int modelSize) {
  FrameGeometry frame;
  frame.originalWidth = width;
  frame.originalHeight = height;
  frame.modelSize = modelSize;
  if (profile == ProcessingProfile::MedSam) {
    frame.resizedWidth = frame.resizedHeight = modelSize;
  } else {
    const double scale = static_cast<double>(modelSize) / std::max(width, height);
    frame.resizedWidth = static_cast<int>(width * scale + 0.5);
    frame.resizedHeight = static_cast<int>(height * scale + 0.5);
  }
  return frame;
}

torch::Tensor modelInput(ProcessingProfile profile, const RgbImage& resized, int modelSize,
                         const torch::Device& device) {
  const torch::Tensor hwc = torch::from_blob(const_cast<std::uint8_t*>(resized.pixels.data()),
                                             {resized.height, resized.width, 3}, torch::kUInt8)
                                .to(device)
                                .to(torch::kFloat);
  torch::Tensor chw = hwc.permute({2, 0, 1}).unsqueeze(0);
  if (profile == ProcessingProfile::MedSam) {
    const torch::Tensor low = chw.min(), high = chw.max();
    return ((chw - low) / torch::clamp_min(high - low, 1e-8)).contiguous();
  }
  const auto onDevice = torch::TensorOptions().device(device);
  const torch::Tensor mean =
      torch::tensor({123.675f, 116.28f, 103.53f}, onDevice).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor({58.395f, 57.12f, 57.375f}, onDevice).view({1, 3, 1, 1});
  chw = (chw - mean) / std;
  return F::pad(chw,
                F::PadFuncOptions({0, modelSize - resized.width, 0, modelSize - resized.height}))
      .contiguous();
}

torch::Tensor pictureInput(ProcessingProfile profile, const RgbImage& picture, int modelSize,
                           const torch::Device& device) {
  const FrameGeometry frame =
      FrameGeometry::compute(profile, picture.width, picture.height, modelSize);
  return modelInput(profile,
                    resizeBilinearAntialiased(picture, frame.resizedWidth, frame.resizedHeight),
                    modelSize, device);
}

torch::Tensor pointsToFrame(const std::vector<PromptPoint>& points, const FrameGeometry& frame) {
  torch::Tensor coords = torch::empty({static_cast<int64_t>(points.size()), 2});
  auto a = coords.accessor<float, 2>();
  for (size_t i = 0; i < points.size(); ++i) {
    a[i][0] = static_cast<float>(points[i].x * frame.scaleX());
    a[i][1] = static_cast<float>(points[i].y * frame.scaleY());
  }
  return coords;
}

torch::Tensor boxToFrame(const PromptBox& box, const FrameGeometry& frame) {
  return torch::tensor(
      {static_cast<float>(box.x0 * frame.scaleX()), static_cast<float>(box.y0 * frame.scaleY()),
       static_cast<float>(box.x1 * frame.scaleX()), static_cast<float>(box.y1 * frame.scaleY())});
}

PromptTensors promptTensors(const Prompt& prompt, const FrameGeometry& frame) {
  PromptTensors tensors;
  if (!prompt.points.empty()) {
    tensors.points = pointsToFrame(prompt.points, frame);
    tensors.labels = torch::empty({static_cast<int64_t>(prompt.points.size())}, torch::kLong);
    auto labels = tensors.labels.accessor<int64_t, 1>();
    for (size_t j = 0; j < prompt.points.size(); ++j) labels[j] = prompt.points[j].positive ? 1 : 0;
  }
  if (prompt.box) {
    const PromptBox& b = *prompt.box;  // corners may come in any order from a drag
    tensors.box = boxToFrame(
        {std::min(b.x0, b.x1), std::min(b.y0, b.y1), std::max(b.x0, b.x1), std::max(b.y0, b.y1)},
        frame);
  }
  if (prompt.previous) {
    const int size = prompt.previous->size;
    tensors.mask =
        torch::from_blob(const_cast<float*>(prompt.previous->logits.data()), {1, size, size})
            .clone();
  }
  return tensors;
}

PromptBatch stackPrompts(const std::vector<PromptTensors>& prompts, torch::Device device) {
  const auto stack = [&](torch::Tensor PromptTensors::*part) -> std::optional<torch::Tensor> {
    if (!(prompts.front().*part).defined()) return std::nullopt;
    std::vector<torch::Tensor> parts;
    for (const PromptTensors& p : prompts) parts.push_back(p.*part);
    return torch::stack(parts).to(device);
  };
  return {stack(&PromptTensors::points), stack(&PromptTensors::labels), stack(&PromptTensors::box),
          stack(&PromptTensors::mask)};
}

torch::Tensor logitsToOriginal(ProcessingProfile profile, const torch::Tensor& lowRes,
                               const FrameGeometry& frame) {
  const auto bilinear = [](const torch::Tensor& x, int64_t h, int64_t w) {
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{h, w})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
  };
  const bool needsGradient = torch::GradMode::is_enabled() && lowRes.requires_grad();
  if (lowRes.device().is_cpu() && lowRes.scalar_type() == torch::kFloat && !needsGradient) {
    // The same chain composed per axis, in one pass (chained_resize.h); training keeps
    // LibTorch's resizes, which carry the gradient.
    const auto chain = [&](int64_t resized, int64_t original) {
      if (profile == ProcessingProfile::MedSam)
        return std::vector<ResizeStep>{{original, original}};
      return std::vector<ResizeStep>{{frame.modelSize, resized}, {original, original}};
    };
    return resizeSeparable(
        lowRes, composeResizes(lowRes.size(2), chain(frame.resizedHeight, frame.originalHeight)),
        composeResizes(lowRes.size(3), chain(frame.resizedWidth, frame.originalWidth)));
  }
  if (profile == ProcessingProfile::MedSam) {
    return bilinear(lowRes, frame.originalHeight, frame.originalWidth);
  }
  const torch::Tensor full = bilinear(lowRes, frame.modelSize, frame.modelSize);
  const torch::Tensor cropped =
      full.slice(2, 0, frame.resizedHeight).slice(3, 0, frame.resizedWidth);
  return bilinear(cropped, frame.originalHeight, frame.originalWidth);
}

}  // namespace medsa::model
