#include "medsa/model/full_trainer.h"

#include <chrono>
#include <cmath>
#include <numbers>

#include "buffer_reuse.h"
#include "checkpoint/checkpoint_reader.h"
#include "checkpoint/state_dict_loader.h"
#include "guarded.h"
#include "interactive_loop.h"
#include "medsa/core/random.h"
#include "preprocess.h"
#include "sam_model_impl.h"

namespace medsa::model {
namespace {

constexpr const char* kStateFormat = "medsa-train-state/1";
constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEpsilon = 1e-8;

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
                      {"extra_clicks", extraClicks},
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
  // Each step frees the buffers the next one makes again.
  BufferReuseScope reuse;

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
  m.ownTensorsToTrain(impl_->parameters);  // shared base tensors are never changed in place
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

void FullTrainer::setPeakLearningRate(double rate) { impl_->options.learningRate = rate; }

void FullTrainer::setExtraClicks(int clicks) { impl_->options.extraClicks = clicks; }

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
    Rng rng = Rng::derived(o.seed, static_cast<std::uint64_t>(d.steps), 0x7a1e);

    LoopOptions loop;
    loop.correctionClicks = o.correctionClicks;
    loop.extraClicks = o.extraClicks;
    loop.objectsPerPicture = o.objectsPerPicture;
    loop.boxProbability = o.boxProbability;
    loop.boxJitter = o.boxJitter;
    loop.centralClicks = o.centralClicks;
    loop.bceWeight = o.bceWeight;
    loop.focalWeight = o.focalWeight;
    loop.diceWeight = o.diceWeight;
    loop.iouWeight = o.iouWeight;
    Result<FrameBatch> framed = frameBatch(m, batch, loop, rng, /*withInputs=*/true);
    if (!framed.ok()) return framed.error();

    FullStepStats stats;
    stats.objects = static_cast<int>(framed->objects.size());
    stats.learningRate = learningRateAt(d.steps, progress);
    for (torch::Tensor& p : d.parameters) p.mutable_grad() = torch::Tensor();
    const torch::Tensor embeddings =
        m.sam->image_encoder->forward(torch::cat(framed->inputs).to(m.device));
    const LoopLoss looped = interactiveLoop(m, embeddings, framed->objects, loop, rng);
    const torch::Tensor& total = looped.total;
    stats.firstIou = looped.firstIou;
    stats.lastIou = looped.lastIou;
    const double diceSum = looped.dice, iouMseSum = looped.iouMse;
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
