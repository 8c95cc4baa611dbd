#include "medsa/model/full_trainer.h"

#include <chrono>
#include <cmath>
#include <numbers>

#include "checkpoint/checkpoint_reader.h"
#include "checkpoint/state_dict_loader.h"
#include "guarded.h"
#include "medsa/core/prompt_simulation.h"
#include "medsa/core/random.h"
#include "preprocess.h"
#include "sam_model_impl.h"

namespace medsa::model {
namespace F = torch::nn::functional;
namespace {

constexpr const char* kStateFormat = "medsa-train-state/1";
constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;

// One object of the batch in the model frame (the picture resized as the predictor does).
struct FrameObject {
  int picture = 0;                 // index among the encoded pictures
  std::vector<std::uint8_t> mask;  // width x height: the picture's part of the frame
  int width = 0, height = 0;
  bool box = false;  // first prompt: a box (else one click)
  std::vector<PromptPoint> clicks;
};

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

// Parameters that AdamW should not shrink: norms, biases, embeddings and position tables.
bool decays(const std::string& name, const torch::Tensor& tensor) {
  if (tensor.dim() <= 1) return false;
  for (const char* part : {"pos_embed", "rel_pos", "_embed", "embeddings.", "token"}) {
    if (name.find(part) != std::string::npos) return false;
  }
  return true;
}

std::string stepText(std::int64_t step) { return std::to_string(step); }

}  // namespace

Json FullTrainOptions::toJson() const {
  return Json::Object{{"learning_rate", learningRate},
                      {"final_learning_rate", finalLearningRate},
                      {"weight_decay", weightDecay},
                      {"warmup_steps", warmupSteps},
                      {"correction_clicks", correctionClicks},
                      {"objects_per_picture", objectsPerPicture},
                      {"box_probability", boxProbability},
                      {"box_jitter", boxJitter},
                      {"central_clicks", centralClicks},
                      {"bce_weight", bceWeight},
                      {"focal_weight", focalWeight},
                      {"dice_weight", diceWeight},
                      {"iou_weight", iouWeight},
                      {"gradient_clip", gradientClip},
                      {"seed", static_cast<std::int64_t>(seed)}};
}

struct FullTrainer::Impl {
  std::shared_ptr<SamModel> model;
  FullTrainOptions options;
  std::vector<std::string> names;
  std::vector<torch::Tensor> parameters, firstMoments, secondMoments;
  std::vector<bool> decay;
  std::int64_t steps = 0;

  void update(double learningRate);
};

FullTrainer::FullTrainer(std::shared_ptr<SamModel> model, FullTrainOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->model = std::move(model);
  impl_->options = options;
  SamModel::Impl& m = impl_->model->impl();
  m.sam->train();
  for (auto& item : m.sam->named_parameters()) {
    item.value().set_requires_grad(true);
    impl_->names.push_back(item.key());
    impl_->parameters.push_back(item.value());
    impl_->firstMoments.push_back(torch::zeros_like(item.value()));
    impl_->secondMoments.push_back(torch::zeros_like(item.value()));
    impl_->decay.push_back(decays(item.key(), item.value()));
  }
}

FullTrainer::~FullTrainer() = default;

std::int64_t FullTrainer::steps() const { return impl_->steps; }
SamModel& FullTrainer::model() { return *impl_->model; }

std::int64_t FullTrainer::parameterCount() const {
  std::int64_t n = 0;
  for (const torch::Tensor& p : impl_->parameters) n += p.numel();
  return n;
}

double FullTrainer::learningRateAt(std::int64_t step, double progress) const {
  const FullTrainOptions& o = impl_->options;
  const double warm =
      o.warmupSteps > 0 ? std::min(1.0, static_cast<double>(step + 1) / o.warmupSteps) : 1.0;
  const double t = std::clamp(progress, 0.0, 1.0);
  const double cosine = 0.5 * (1 + std::cos(std::numbers::pi * t));
  return o.learningRate * warm * (o.finalLearningRate + (1 - o.finalLearningRate) * cosine);
}

void FullTrainer::Impl::update(double learningRate) {
  torch::NoGradGuard noGrad;
  ++steps;
  const double correction1 = 1 - std::pow(kBeta1, static_cast<double>(steps));
  const double correction2 = 1 - std::pow(kBeta2, static_cast<double>(steps));
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    torch::Tensor& p = parameters[i];
    if (!p.grad().defined()) continue;
    const torch::Tensor g = p.grad();
    firstMoments[i].mul_(kBeta1).add_(g, 1 - kBeta1);
    secondMoments[i].mul_(kBeta2).addcmul_(g, g, 1 - kBeta2);
    if (decay[i]) p.mul_(1 - learningRate * options.weightDecay);  // decoupled (AdamW)
    const torch::Tensor denominator = (secondMoments[i] / correction2).sqrt_().add_(kEpsilon);
    p.addcdiv_(firstMoments[i], denominator, -learningRate / correction1);
  }
}

Result<FullStepStats> FullTrainer::step(const std::vector<LabeledPicture>& batch, double progress) {
  return guarded("training step", [&]() -> Result<FullStepStats> {
    Impl& d = *impl_;
    const FullTrainOptions& o = d.options;
    SamModel::Impl& m = d.model->impl();
    const auto start = std::chrono::steady_clock::now();
    const int size = m.config.imageSize, lowRes = m.config.lowResSize(),
              grid = m.config.tokenGrid();
    Rng rng = Rng::derived(o.seed, static_cast<std::uint64_t>(d.steps), 0x7a1e);

    // Pictures into the frame; up to objectsPerPicture of their objects, each with its prompt.
    std::vector<torch::Tensor> inputs;
    std::vector<FrameObject> objects;
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
        const auto& mask = picture.masks[k];
        if (std::any_of(mask.begin(), mask.end(), [](std::uint8_t v) { return v != 0; }))
          candidates.push_back(k);
      }
      if (candidates.empty()) continue;
      const FrameGeometry frame = FrameGeometry::compute(m.options.profile, picture.image.width,
                                                         picture.image.height, size);
      const int index = static_cast<int>(inputs.size());
      inputs.push_back(pictureInput(m.options.profile, picture.image, size));
      for (int taken = 0; taken < o.objectsPerPicture && !candidates.empty(); ++taken) {
        const int pick = rng.uniformInt(0, static_cast<int>(candidates.size()) - 1);
        const std::size_t k = candidates[static_cast<std::size_t>(pick)];
        candidates.erase(candidates.begin() + pick);
        FrameObject object;
        object.picture = index;
        object.width = frame.resizedWidth;
        object.height = frame.resizedHeight;
        object.mask = resizeMask(picture.masks[k], picture.image.width, picture.image.height,
                                 object.width, object.height);
        if (std::none_of(object.mask.begin(), object.mask.end(), [](auto v) { return v != 0; }))
          continue;  // too small to survive the resize
        object.box = rng.bernoulli(o.boxProbability);
        objects.push_back(std::move(object));
      }
    }
    if (objects.empty())
      return Error{ErrorCode::InvalidArgument, "the training batch holds no object", {}};
    // Boxes first: the two prompt kinds are encoded separately but decoded as one batch.
    std::stable_partition(objects.begin(), objects.end(),
                          [](const FrameObject& f) { return f.box; });
    const int64_t count = static_cast<int64_t>(objects.size());
    int64_t boxes = 0;
    while (boxes < count && objects[static_cast<std::size_t>(boxes)].box) ++boxes;

    // Targets: the frame (zero outside the picture) and its low-res average (soft edges).
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

    FullStepStats stats;
    stats.objects = static_cast<int>(count);
    stats.learningRate = learningRateAt(d.steps, progress);
    for (torch::Tensor& p : d.parameters) p.mutable_grad() = torch::Tensor();

    PromptEncoderImpl& promptEncoder = *m.sam->prompt_encoder;
    const torch::Tensor embeddings = m.sam->image_encoder->forward(torch::cat(inputs).to(m.device));
    const torch::Tensor perObject =
        embeddings.index_select(0, torch::tensor(pictureOf, torch::kLong).to(m.device));
    const torch::Tensor boxTensor =
        boxes > 0 ? torch::tensor(boxCorners).view({boxes, 4}).to(m.device) : torch::Tensor();
    const torch::Tensor isBox = (torch::arange(count) < boxes).to(m.device).unsqueeze(1);  // [N, 1]

    torch::Tensor previous;  // low-res logits fed back, [N, 1, L, L]
    torch::Tensor total = torch::zeros({}, embeddings.options());
    const int iterations = 1 + std::max(0, o.correctionClicks);
    double diceSum = 0, iouMseSum = 0;
    for (int it = 0; it < iterations; ++it) {
      // Sparse prompts: both groups have it + 2 tokens (box corners + clicks, or clicks +
      // SAM's padding point), so they stack into one decoder batch.
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
        // A lone click is ambiguous: of the three candidates only the best one is trained,
        // and the one with the highest predicted IoU is what the user would see.
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
      diceSum += objectDice.mean().item<double>() / iterations;
      iouMseSum += objectIouError.mean().item<double>() / iterations;

      const torch::Tensor index = chosen.view({count, 1, 1, 1}).expand({count, 1, lowRes, lowRes});
      const torch::Tensor chosenLogits = logits.gather(1, index).detach();
      const double meanIou = actualIou.gather(1, chosen.view({count, 1})).mean().item<double>();
      if (it == 0) stats.firstIou = meanIou;
      stats.lastIou = meanIou;
      previous = chosenLogits;
      if (it + 1 == iterations) break;

      // The next click goes where this answer is wrong, as a user would correct it.
      const torch::Tensor upscaled =
          (F::interpolate(chosenLogits, F::InterpolateFuncOptions()
                                            .size(std::vector<int64_t>{size, size})
                                            .mode(torch::kBilinear)
                                            .align_corners(false)) > 0)
              .to(torch::kCPU, torch::kUInt8)
              .contiguous();
      for (int64_t i = 0; i < count; ++i) {
        FrameObject& object = objects[static_cast<std::size_t>(i)];
        const std::uint8_t* answer = upscaled.data_ptr<std::uint8_t>() + i * size * size;
        std::vector<std::uint8_t> cropped(static_cast<std::size_t>(object.width) * object.height);
        for (int y = 0; y < object.height; ++y)
          std::copy_n(answer + static_cast<std::size_t>(y) * size, object.width,
                      cropped.begin() + static_cast<std::ptrdiff_t>(y) * object.width);
        const MaskView target(object.mask, object.width, object.height);
        const MaskView answered(cropped, object.width, object.height);
        std::optional<PromptPoint> next = rng.bernoulli(o.centralClicks)
                                              ? correctionClick(target, answered, object.clicks)
                                              : randomCorrectionClick(target, answered, rng);
        object.clicks.push_back(next ? *next : PromptPoint{-1, -1, false});
      }
    }

    stats.loss = total.item<double>();
    stats.dice = diceSum;
    stats.iouMse = iouMseSum;
    if (!std::isfinite(stats.loss)) {
      stats.skipped = true;  // nothing applied: the weights stay as they were
    } else {
      total.backward();
      bool finite = true;
      if (o.gradientClip > 0) {
        const double norm = torch::nn::utils::clip_grad_norm_(d.parameters, o.gradientClip);
        finite = std::isfinite(norm);
      }
      if (finite) {
        d.update(stats.learningRate);
        m.weightsChanged();
      } else {
        stats.skipped = true;
      }
    }
    for (torch::Tensor& p : d.parameters) p.mutable_grad() = torch::Tensor();
    stats.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return stats;
  });
}

Status FullTrainer::saveState(const std::string& path, const Json& extra) const {
  return guarded("saving the training state", [&]() -> Status {
    const Impl& d = *impl_;
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto& [name, tensor] : namedTensors(*d.model->impl().sam))
      tensors.emplace_back("model." + name, tensor.detach());
    for (std::size_t i = 0; i < d.names.size(); ++i) {
      tensors.emplace_back("adam_m." + d.names[i], d.firstMoments[i]);
      tensors.emplace_back("adam_v." + d.names[i], d.secondMoments[i]);
    }
    const Json::Object metadata = {{"format", kStateFormat},
                                   {"steps", stepText(d.steps)},
                                   {"sam_config", d.model->config().toJson().dump()},
                                   {"options", d.options.toJson().dump()},
                                   {"extra", extra.dump()}};
    return writeSafetensors(path, tensors, metadata);
  });
}

Result<Json> FullTrainer::loadState(const std::string& path) {
  return guarded("reading the training state", [&]() -> Result<Json> {
    Impl& d = *impl_;
    Result<LoadedCheckpoint> file = readCheckpoint(path);
    if (!file.ok()) return file.error();
    const auto text = [&](const char* key) -> const std::string* {
      const Json* value = file->metadata.find(key);
      return value && value->isString() ? &value->asString() : nullptr;
    };
    const std::string* format = text("format");
    if (!format || *format != kStateFormat) {
      return Error{
          ErrorCode::CheckpointInvalid,
          "not a training state of this program (no '" + std::string(kStateFormat) + "' metadata)",
          path};
    }
    const std::string *steps = text("steps"), *config = text("sam_config"), *extra = text("extra");
    if (!steps || !config || !extra)
      return Error{ErrorCode::CheckpointInvalid, "training state metadata incomplete", path};
    Result<Json> configJson = parseJson(*config, path);
    if (!configJson.ok()) return configJson.error();
    Result<SamConfig> geometry = SamConfig::fromJson(configJson.value(), path);
    if (!geometry.ok()) return geometry.error();
    if (!(geometry.value() == d.model->config())) {
      return Error{ErrorCode::CheckpointInvalid, "the training state is of another model geometry",
                   path};
    }
    std::vector<std::pair<std::string, torch::Tensor>> weights;
    std::map<std::string, torch::Tensor> moments;
    for (auto& [name, tensor] : file->tensors) {
      if (name.rfind("model.", 0) == 0) {
        weights.emplace_back(name.substr(6), tensor);
      } else {
        moments.emplace(name, tensor);
      }
    }
    if (Status status = loadStateDict(*d.model->impl().sam, weights, path); !status)
      return status.error();
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < d.names.size(); ++i) {
      auto m = moments.find("adam_m." + d.names[i]), v = moments.find("adam_v." + d.names[i]);
      if (m == moments.end() || v == moments.end() ||
          m->second.sizes() != d.parameters[i].sizes() ||
          v->second.sizes() != d.parameters[i].sizes()) {
        return Error{ErrorCode::CheckpointInvalid,
                     "optimizer state for '" + d.names[i] + "' missing or of another shape", path};
      }
      d.firstMoments[i].copy_(m->second);
      d.secondMoments[i].copy_(v->second);
    }
    try {
      d.steps = std::stoll(*steps);
    } catch (const std::exception&) {
      return Error{ErrorCode::CheckpointInvalid, "training state: step count unreadable", path};
    }
    d.model->impl().weightsChanged();
    Result<Json> parsed = parseJson(*extra, path);
    if (!parsed.ok()) return parsed.error();
    return parsed.value();
  });
}

}  // namespace medsa::model
