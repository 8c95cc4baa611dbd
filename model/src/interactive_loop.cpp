#include "interactive_loop.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>

#include "medsa/core/prompt_simulation.h"
#include "preprocess.h"

namespace medsa::model {
namespace F = torch::nn::functional;
namespace {

// Nearest-neighbour resize of a binary mask, sampling at pixel centres.
std::vector<std::uint8_t> resizeMask(const std::vector<std::uint8_t>& mask, int width, int height,
                                     int newWidth, int newHeight) {
  if (width == newWidth && height == newHeight) return mask;
  std::vector<std::uint8_t> out(static_cast<std::size_t>(newWidth) * newHeight);
  for (int y = 0; y < newHeight; ++y) {
    const int sy = std::min(height - 1, static_cast<int>((y + 0.5) * height / newHeight));
    for (int x = 0; x < newWidth; ++x) {
      const int sx = std::min(width - 1, static_cast<int>((x + 0.5) * width / newWidth));
      out[static_cast<std::size_t>(y) * newWidth + x] =
          mask[static_cast<std::size_t>(sy) * width + sx] != 0;
    }
  }
  return out;
}

bool anySet(const std::vector<std::uint8_t>& mask) {
  return std::any_of(mask.begin(), mask.end(), [](std::uint8_t v) { return v != 0; });
}

// Crops the picture's part (width x height) of a square [L, L] uint8 mask.
std::vector<std::uint8_t> cropped(const std::uint8_t* square, int side, int width, int height) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(width) * height);
  for (int y = 0; y < height; ++y)
    std::copy_n(square + static_cast<std::size_t>(y) * side, width,
                out.begin() + static_cast<std::ptrdiff_t>(y) * width);
  return out;
}

}  // namespace

std::optional<PromptPoint> lowResCorrectionClick(const FrameObject& object,
                                                 const std::uint8_t* answer,
                                                 const std::uint8_t* target, int lowRes, int size,
                                                 bool central, Rng& rng) {
  const double cell = static_cast<double>(size) / lowRes;
  const int width = std::min(lowRes, static_cast<int>(std::ceil(object.width / cell)));
  const int height = std::min(lowRes, static_cast<int>(std::ceil(object.height / cell)));
  const std::vector<std::uint8_t> answered = cropped(answer, lowRes, width, height);
  const std::vector<std::uint8_t> wanted = cropped(target, lowRes, width, height);
  std::vector<PromptPoint> earlier;
  for (const PromptPoint& c : object.clicks) {
    if (c.x >= 0)
      earlier.push_back(
          {std::floor((c.x + 0.5) / cell), std::floor((c.y + 0.5) / cell), c.positive});
  }
  const MaskView targetView(wanted, width, height), answerView(answered, width, height);
  std::optional<PromptPoint> next = central ? correctionClick(targetView, answerView, earlier)
                                            : randomCorrectionClick(targetView, answerView, rng);
  if (!next) return next;
  // The centre of the cell, in the picture's part of the frame; where a thin structure leaves
  // that pixel of the other label, the cell's pixel of the click's own label nearest to it (a
  // positive click on the object, a negative one off it).
  const int cx = static_cast<int>(next->x), cy = static_cast<int>(next->y);
  double x = std::min((cx + 0.5) * cell - 0.5, object.width - 1.0);
  double y = std::min((cy + 0.5) * cell - 0.5, object.height - 1.0);
  const auto labelAt = [&](int px, int py) {
    return object.mask[static_cast<std::size_t>(py) * object.width + px] != 0;
  };
  if (labelAt(static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y))) !=
      next->positive) {
    double best = std::numeric_limits<double>::infinity();
    const int x0 = static_cast<int>(cx * cell), y0 = static_cast<int>(cy * cell);
    const int x1 = std::min(object.width, static_cast<int>(std::ceil((cx + 1) * cell)));
    const int y1 = std::min(object.height, static_cast<int>(std::ceil((cy + 1) * cell)));
    double bx = x, by = y;
    for (int py = y0; py < y1; ++py) {
      for (int px = x0; px < x1; ++px) {
        if (labelAt(px, py) != next->positive) continue;
        const double d = (px - x) * (px - x) + (py - y) * (py - y);
        if (d < best) {
          best = d;
          bx = px;
          by = py;
        }
      }
    }
    x = bx;
    y = by;
  }
  next->x = x;
  next->y = y;
  return next;
}

Result<FrameBatch> frameBatch(const SamModel::Impl& model, const std::vector<LabeledPicture>& batch,
                              const LoopOptions& options, Rng& rng, bool withInputs) {
  const int size = model.config.imageSize;
  FrameBatch out;
  for (std::size_t p = 0; p < batch.size(); ++p) {
    const LabeledPicture& picture = batch[p];
    if (!picture.isValid()) {
      return Error{
          ErrorCode::InvalidArgument,
          "training picture " + std::to_string(p) + " is empty or has a mask of another size",
          picture.id};
    }
    std::vector<std::size_t> candidates;
    for (std::size_t k = 0; k < picture.masks.size(); ++k) {
      if (anySet(picture.masks[k])) candidates.push_back(k);
    }
    if (candidates.empty()) continue;
    const FrameGeometry frame = FrameGeometry::compute(model.options.profile, picture.image.width,
                                                       picture.image.height, size);
    const int index = static_cast<int>(out.pictures.size());
    out.pictures.push_back(p);
    if (withInputs) out.inputs.push_back(pictureInput(model.options.profile, picture.image, size));
    for (int taken = 0; taken < options.objectsPerPicture && !candidates.empty(); ++taken) {
      const int pick = rng.uniformInt(0, static_cast<int>(candidates.size()) - 1);
      const std::size_t k = candidates[static_cast<std::size_t>(pick)];
      candidates.erase(candidates.begin() + pick);
      FrameObject object;
      object.picture = index;
      object.width = frame.resizedWidth;
      object.height = frame.resizedHeight;
      object.mask = resizeMask(picture.masks[k], picture.image.width, picture.image.height,
                               object.width, object.height);
      if (!anySet(object.mask)) continue;  // too small to survive the resize
      object.box = rng.bernoulli(options.boxProbability);
      out.objects.push_back(std::move(object));
    }
  }
  if (out.objects.empty())
    return Error{ErrorCode::InvalidArgument, "the training batch holds no object", {}};
  // Boxes first: the two prompt kinds are encoded separately but decoded as one batch.
  std::stable_partition(out.objects.begin(), out.objects.end(),
                        [](const FrameObject& f) { return f.box; });
  return out;
}

namespace {

// Appends each object's next click where `answerLogits` ([N, 1, L, L], the answer shown) is
// wrong, as a user would correct it; SAM's padding point when nothing is.
void addCorrectionClicks(const SamModel::Impl& m, std::vector<FrameObject>& objects,
                         const torch::Tensor& answerLogits, const torch::Tensor& hardTargets,
                         const LoopOptions& o, Rng& rng) {
  const int size = m.config.imageSize, lowRes = m.config.lowResSize();
  const int64_t count = static_cast<int64_t>(objects.size());
  if (o.lowResCorrections) {
    const torch::Tensor answers = (answerLogits > 0).to(torch::kCPU, torch::kUInt8).contiguous();
    const torch::Tensor wanted = hardTargets.to(torch::kCPU, torch::kUInt8).contiguous();
    for (int64_t i = 0; i < count; ++i) {
      FrameObject& object = objects[static_cast<std::size_t>(i)];
      const std::size_t offset = static_cast<std::size_t>(i) * lowRes * lowRes;
      const bool central = rng.bernoulli(o.centralClicks);
      std::optional<PromptPoint> next = lowResCorrectionClick(
          object, answers.data_ptr<std::uint8_t>() + offset,
          wanted.data_ptr<std::uint8_t>() + offset, lowRes, size, central, rng);
      object.clicks.push_back(next ? *next : PromptPoint{-1, -1, false});
    }
    return;
  }
  const torch::Tensor upscaled =
      (F::interpolate(answerLogits, F::InterpolateFuncOptions()
                                        .size(std::vector<int64_t>{size, size})
                                        .mode(torch::kBilinear)
                                        .align_corners(false)) > 0)
          .to(torch::kCPU, torch::kUInt8)
          .contiguous();
  for (int64_t i = 0; i < count; ++i) {
    FrameObject& object = objects[static_cast<std::size_t>(i)];
    const std::uint8_t* answer = upscaled.data_ptr<std::uint8_t>() + i * size * size;
    const std::vector<std::uint8_t> answerPart = cropped(answer, size, object.width, object.height);
    const MaskView target(object.mask, object.width, object.height);
    const MaskView answered(answerPart, object.width, object.height);
    std::optional<PromptPoint> next = rng.bernoulli(o.centralClicks)
                                          ? correctionClick(target, answered, object.clicks)
                                          : randomCorrectionClick(target, answered, rng);
    object.clicks.push_back(next ? *next : PromptPoint{-1, -1, false});
  }
}

}  // namespace

LoopLoss interactiveLoop(SamModel::Impl& m, const torch::Tensor& embeddings,
                         std::vector<FrameObject>& objects, const LoopOptions& o, Rng& rng) {
  const int size = m.config.imageSize, lowRes = m.config.lowResSize(), grid = m.config.tokenGrid();
  const int64_t count = static_cast<int64_t>(objects.size());
  int64_t boxes = 0;
  while (boxes < count && objects[static_cast<std::size_t>(boxes)].box) ++boxes;

  // Targets: the frame (zero outside the picture) and its low-res average (soft edges); the
  // first prompts.
  torch::Tensor frameTargets = torch::zeros({count, 1, size, size});
  std::vector<float> boxCorners;
  std::vector<std::int64_t> pictureOf;
  for (int64_t i = 0; i < count; ++i) {
    FrameObject& object = objects[static_cast<std::size_t>(i)];
    pictureOf.push_back(object.picture);
    auto target = frameTargets.accessor<float, 4>();
    for (int y = 0; y < object.height; ++y)
      for (int x = 0; x < object.width; ++x)
        target[i][0][y][x] = object.mask[static_cast<std::size_t>(y) * object.width + x];
    const MaskView view(object.mask, object.width, object.height);
    if (object.box) {
      const PromptBox b = jitterBox(*boxFromMask(view), o.boxJitter * rng.uniform(), object.width,
                                    object.height, rng);
      boxCorners.insert(boxCorners.end(), {float(b.x0), float(b.y0), float(b.x1), float(b.y1)});
    } else {
      object.clicks.push_back(rng.bernoulli(o.centralClicks) ? *centralClick(view)
                                                             : *randomInteriorClick(view, rng));
    }
  }
  const torch::Tensor targets =
      F::avg_pool2d(frameTargets, F::AvgPool2dFuncOptions(size / lowRes)).to(m.device);
  const torch::Tensor hardTargets = (targets > 0.5).to(torch::kFloat);

  PromptEncoderImpl& promptEncoder = *m.sam->prompt_encoder;
  const torch::Tensor perObject =
      embeddings.index_select(0, torch::tensor(pictureOf, torch::kLong).to(embeddings.device()));
  const torch::Tensor boxTensor =
      boxes > 0 ? torch::tensor(boxCorners).view({boxes, 4}).to(m.device) : torch::Tensor();
  const torch::Tensor isBox = (torch::arange(count) < boxes).to(m.device).unsqueeze(1);  // [N, 1]

  LoopLoss result;
  torch::Tensor previous;  // low-res logits fed back, [N, 1, L, L]
  torch::Tensor total = torch::zeros({}, perObject.options());
  const int iterations = 1 + std::max(0, o.correctionClicks);  // with a loss
  // The untrained clicks come right after the first prompt (iterations 1..extra).
  const int extra = o.extraClicks > 0 ? rng.uniformInt(0, o.extraClicks) : 0;
  for (int it = 0; it < iterations + extra; ++it) {
    const bool trained = it == 0 || it > extra;
    std::optional<torch::NoGradGuard> withoutGradient;
    if (!trained) withoutGradient.emplace();
    // Sparse prompts: both groups have it + 2 tokens (box corners + clicks, or clicks + SAM's
    // padding point), so they stack into one decoder batch.
    const auto pointTensors = [&](int64_t first, int64_t last) {
      const int64_t n = last - first;
      const int64_t k =
          static_cast<int64_t>(objects[static_cast<std::size_t>(first)].clicks.size());
      torch::Tensor points = torch::zeros({n, k, 2}), labels = torch::zeros({n, k}, torch::kLong);
      auto pa = points.accessor<float, 3>();
      auto la = labels.accessor<int64_t, 2>();
      for (int64_t i = 0; i < n; ++i) {
        const auto& clicks = objects[static_cast<std::size_t>(first + i)].clicks;
        for (int64_t j = 0; j < k; ++j) {
          const PromptPoint& c = clicks[static_cast<std::size_t>(j)];
          pa[i][j][0] = static_cast<float>(c.x);
          pa[i][j][1] = static_cast<float>(c.y);
          // A click at (-1, -1) stands for "nothing left to correct": SAM's padding point.
          la[i][j] = c.x < 0 ? -1 : (c.positive ? 1 : 0);
        }
      }
      return std::make_pair(points.to(m.device), labels.to(m.device));
    };
    std::vector<torch::Tensor> sparseParts;
    if (boxes > 0) {
      std::optional<torch::Tensor> points, labels;
      if (it > 0) std::tie(points, labels) = pointTensors(0, boxes);
      sparseParts.push_back(promptEncoder.forward(points, labels, boxTensor, std::nullopt).first);
    }
    if (boxes < count) {
      auto [points, labels] = pointTensors(boxes, count);
      sparseParts.push_back(
          promptEncoder.forward(points, labels, std::nullopt, std::nullopt).first);
    }
    const torch::Tensor sparse = torch::cat(sparseParts, 0);
    const torch::Tensor dense = previous.defined()
                                    ? promptEncoder.mask_downscaling->forward(previous)
                                    : promptEncoder.no_mask_embed->weight.reshape({1, -1, 1, 1})
                                          .expand({count, -1, grid, grid});
    if (!trained) {  // the single-mask answer, as after every later click
      const torch::Tensor logits =
          m.sam->mask_decoder->forward(perObject, m.densePe, sparse, dense).first;
      previous = logits.slice(1, 0, 1);
      addCorrectionClicks(m, objects, previous, hardTargets, o, rng);
      continue;
    }
    auto [logits, predictedIou] =
        m.sam->mask_decoder->forward(perObject, m.densePe, sparse, dense);  // [N,T,L,L], [N,T]

    // Every token's loss; which tokens count depends on the prompt (SAM's recipe).
    const torch::Tensor expanded = targets.expand_as(logits);
    const torch::Tensor perPixel = F::binary_cross_entropy_with_logits(
        logits, expanded, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
    const torch::Tensor probability = torch::sigmoid(logits);
    torch::Tensor loss = o.bceWeight * perPixel.mean({2, 3});
    if (o.focalWeight > 0) {
      const torch::Tensor pt = probability * expanded + (1 - probability) * (1 - expanded);
      loss = loss + o.focalWeight * ((1 - pt).pow(2) * perPixel).mean({2, 3});
    }
    const torch::Tensor dice = 1 - (2 * (probability * expanded).sum({2, 3}) + 1) /
                                       (probability.sum({2, 3}) + expanded.sum({2, 3}) + 1);
    loss = loss + o.diceWeight * dice;
    const torch::Tensor predicted = (logits > 0).to(torch::kFloat);
    const torch::Tensor hard = hardTargets.expand_as(logits);
    const torch::Tensor actualIou =
        ((predicted * hard).sum({2, 3}) / ((predicted + hard).clamp_max(1).sum({2, 3}) + 1e-6))
            .detach();
    const torch::Tensor iouError = (predictedIou - actualIou).pow(2);

    torch::Tensor objectLoss, objectIouError, objectDice, chosen;
    if (it == 0) {
      // A lone click is ambiguous: of the three candidates only the best one is trained, and
      // the one with the highest predicted IoU is what the user would see.
      const torch::Tensor multiLoss = loss.slice(1, 1);
      const auto [bestLoss, bestToken] = multiLoss.min(1);
      objectLoss = torch::where(isBox.squeeze(1), loss.select(1, 0), bestLoss);
      objectIouError =
          torch::where(isBox.squeeze(1), iouError.select(1, 0), iouError.slice(1, 1).mean(1));
      objectDice = torch::where(isBox.squeeze(1), dice.select(1, 0),
                                dice.slice(1, 1).gather(1, bestToken.unsqueeze(1)).squeeze(1));
      chosen = torch::where(isBox.squeeze(1), torch::zeros_like(bestToken),
                            predictedIou.slice(1, 1).argmax(1) + 1);
    } else {
      objectLoss = loss.select(1, 0);
      objectIouError = iouError.select(1, 0);
      objectDice = dice.select(1, 0);
      chosen = torch::zeros({count}, torch::kLong).to(m.device);
    }
    total = total + (objectLoss + o.iouWeight * objectIouError).mean() / iterations;
    result.dice += objectDice.mean().item<double>() / iterations;
    result.iouMse += objectIouError.mean().item<double>() / iterations;

    const torch::Tensor index = chosen.view({count, 1, 1, 1}).expand({count, 1, lowRes, lowRes});
    const torch::Tensor chosenLogits = logits.gather(1, index).detach();
    const double meanIou = actualIou.gather(1, chosen.view({count, 1})).mean().item<double>();
    if (it == 0) result.firstIou = meanIou;
    result.lastIou = meanIou;
    previous = chosenLogits;
    if (it + 1 == iterations + extra) break;

    addCorrectionClicks(m, objects, previous, hardTargets, o, rng);
  }
  result.total = total;
  return result;
}

}  // namespace medsa::model
