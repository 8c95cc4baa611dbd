#include "medsa/model/adapter_trainer.h"

#include <chrono>

#include "buffer_reuse.h"
#include "guarded.h"
#include "preprocess.h"
#include "sam_model_impl.h"
#include "torch_compat.h"

namespace medsa::model {
namespace {

struct SampleLoss {
  torch::Tensor total, dice, bce, focal, iouMse;
};

// Losses of one candidate's logits [H, W] against the target [H, W] in {0, 1}.
SampleLoss candidateLoss(const torch::Tensor& logits, const torch::Tensor& iou,
                         const torch::Tensor& target, const TrainOptions& o) {
  namespace F = torch::nn::functional;
  SampleLoss loss;
  const torch::Tensor probability = torch::sigmoid(logits);
  const torch::Tensor overlap = (probability * target).sum();
  loss.dice = 1 - (2 * overlap + 1) / (probability.sum() + target.sum() + 1);
  const torch::Tensor perPixel = F::binary_cross_entropy_with_logits(
      logits, target, F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
  loss.bce = perPixel.mean();
  // Focal loss (gamma 2): down-weights the many easy background pixels.
  const torch::Tensor pt = torch::where(target > 0.5, probability, 1 - probability);
  loss.focal = ((1 - pt).pow(2) * perPixel).mean();
  // The IoU head learns to predict the IoU that the mask actually achieves.
  const torch::Tensor predicted = (logits > 0).to(torch::kFloat);
  const torch::Tensor intersection = (predicted * target).sum();
  const torch::Tensor actualIou =
      (intersection / ((predicted + target).clamp_max(1).sum() + 1e-6)).detach();
  loss.iouMse = (iou - actualIou).pow(2);
  loss.total = o.diceWeight * loss.dice + o.bceWeight * loss.bce + o.focalWeight * loss.focal +
               o.iouWeight * loss.iouMse;
  return loss;
}

}  // namespace

struct AdapterTrainer::Impl {
  std::shared_ptr<SamModel> model;
  TrainOptions options;
  std::vector<torch::Tensor> trainable;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  int calls = 0;
  int steps = 0;
  // Each step frees the buffers the next one makes again (ViT-B on 2 cores: 47-50 -> 25-30 s).
  BufferReuseScope reuse;
};

AdapterTrainer::AdapterTrainer(std::shared_ptr<SamModel> model, TrainOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->model = std::move(model);
  impl_->options = options;
  SamModel::Impl& m = impl_->model->impl();
  // Frozen base: no gradients, hence no optimizer state either.
  for (auto& item : m.sam->named_parameters()) {
    const bool decoder = item.key().rfind("mask_decoder.", 0) == 0;
    const bool train = isAdapterKey(item.key()) || (options.trainDecoder && decoder);
    item.value().set_requires_grad(train);
    if (train) impl_->trainable.push_back(item.value());
  }
  m.ownTensorsToTrain(impl_->trainable);  // shared base tensors are never changed in place
  m.sam->image_encoder->checkpointBlocks = options.gradientCheckpointing;
  if (!impl_->trainable.empty()) {
    impl_->optimizer = std::make_unique<torch::optim::AdamW>(
        impl_->trainable,
        torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
  }
}

AdapterTrainer::~AdapterTrainer() = default;

std::int64_t AdapterTrainer::trainableParameters() const {
  std::int64_t n = 0;
  for (const torch::Tensor& t : impl_->trainable) n += t.numel();
  return n;
}

int AdapterTrainer::optimizerSteps() const { return impl_->steps; }
SamModel& AdapterTrainer::model() { return *impl_->model; }

Result<StepStats> AdapterTrainer::step(const std::vector<TrainingSample>& batch) {
  return guarded("training step", [&]() -> Result<StepStats> {
    Impl& d = *impl_;
    if (!d.optimizer)
      return Error{ErrorCode::InvalidArgument, "nothing to train: the model has no adapters", {}};
    if (batch.empty()) return Error{ErrorCode::InvalidArgument, "empty training batch", {}};
    SamModel::Impl& m = d.model->impl();
    const auto start = std::chrono::steady_clock::now();
    const int size = m.config.imageSize;

    std::vector<torch::Tensor> inputs;
    std::vector<FrameGeometry> frames;
    for (const TrainingSample& sample : batch) {
      if (!sample.image.isValid() ||
          sample.mask.size() != static_cast<size_t>(sample.image.width) * sample.image.height) {
        return Error{ErrorCode::InvalidArgument,
                     "training sample with an empty picture or a mask of another size",
                     {}};
      }
      if (sample.prompt.points.empty() && !sample.prompt.box) {
        return Error{ErrorCode::InvalidArgument, "training sample without a point or a box", {}};
      }
      const FrameGeometry frame =
          FrameGeometry::compute(m.options.profile, sample.image.width, sample.image.height, size);
      inputs.push_back(pictureInput(m.options.profile, sample.image, size));
      frames.push_back(frame);
    }

    StepStats stats;
    {
      compat::CudaBf16Autocast autocast(m.device.is_cuda() && d.options.bf16Autocast);
      const torch::Tensor embeddings = m.sam->image_encoder(torch::cat(inputs).to(m.device));
      torch::Tensor total = torch::zeros({}, embeddings.options().dtype(torch::kFloat));
      for (size_t i = 0; i < batch.size(); ++i) {
        const TrainingSample& sample = batch[i];
        const PromptBatch prompt =
            stackPrompts({promptTensors(sample.prompt, frames[i])}, m.device);
        auto [sparse, dense] = m.sam->prompt_encoder->forward(prompt.points, prompt.labels,
                                                              prompt.boxes, prompt.masks);
        auto [lowRes, iou] =
            m.sam->mask_decoder->forward(embeddings.slice(0, i, i + 1), m.densePe, sparse, dense);
        const bool multimask = sample.prompt.multimask;
        const torch::Tensor chosenLowRes = multimask ? lowRes.slice(1, 1) : lowRes.slice(1, 0, 1);
        const torch::Tensor chosenIou = multimask ? iou.slice(1, 1) : iou.slice(1, 0, 1);
        const torch::Tensor logits =
            logitsToOriginal(m.options.profile, chosenLowRes.to(torch::kFloat), frames[i])[0];
        const torch::Tensor target =
            (torch::from_blob(const_cast<std::uint8_t*>(sample.mask.data()),
                              {sample.image.height, sample.image.width}, torch::kUInt8) > 0)
                .to(torch::kFloat)
                .to(m.device);
        // With several candidates only the best one is trained (SAM's recipe for ambiguity).
        SampleLoss best;
        for (int64_t c = 0; c < logits.size(0); ++c) {
          SampleLoss candidate =
              candidateLoss(logits[c], chosenIou[0][c].to(torch::kFloat), target, d.options);
          if (!best.total.defined() || candidate.total.item<double>() < best.total.item<double>())
            best = candidate;
        }
        total = total + best.total;
        stats.dice += best.dice.item<double>();
        stats.bce += best.bce.item<double>();
        stats.focal += best.focal.item<double>();
        stats.iouMse += best.iouMse.item<double>();
      }
      total = total / static_cast<double>(batch.size());
      stats.loss = total.item<double>();
      (total / d.options.accumulationSteps).backward();
    }
    const double n = static_cast<double>(batch.size());
    stats.dice /= n;
    stats.bce /= n;
    stats.focal /= n;
    stats.iouMse /= n;
    stats.samples = static_cast<int>(batch.size());

    if (++d.calls % d.options.accumulationSteps == 0) {
      d.optimizer->step();
      d.optimizer->zero_grad();
      ++d.steps;
      stats.optimizerStepped = true;
      m.weightsChanged();  // cast copies and cache keys follow the new weights
    }
    stats.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return stats;
  });
}

}  // namespace medsa::model
