#include "medsa/model/adapter_training.h"

#include <ATen/autocast_mode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>

#include "buffer_reuse.h"
#include "checkpoint/checkpoint_reader.h"
#include "embedding_store.h"
#include "guarded.h"
#include "interactive_loop.h"
#include "medsa/core/random.h"
#include "preprocess.h"
#include "sam/sam.h"
#include "sam_model_impl.h"
#include "torch_compat.h"

namespace medsa::model {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kStateFormat = "medsa-adapter-state/1";
// Forward + backward of the encoder costs about three forward passes.
constexpr double kBackwardFactor = 3.0;

// LibTorch 1.13 says so in the message ("CUDA out of memory", "DefaultCPUAllocator: can't
// allocate memory"; later versions "not enough memory"); a plain new says std::bad_alloc.
bool isOutOfMemory(const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) return true;
  const std::string_view what = e.what();
  return what.find("out of memory") != std::string_view::npos ||
         what.find("can't allocate memory") != std::string_view::npos ||
         what.find("not enough memory") != std::string_view::npos;
}

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double meanOf(const std::vector<double>& values, std::size_t first, std::size_t last) {
  if (first >= last) return 0;
  double sum = 0;
  for (std::size_t i = first; i < last; ++i) sum += values[i];
  return sum / static_cast<double>(last - first);
}

// A picture drawn by its sampling weight.
std::size_t drawWeighted(const std::vector<double>& cumulative, Rng& rng) {
  const double target = rng.uniform() * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()),
                               cumulative.size() - 1);
}

}  // namespace

std::string_view trainingPlanName(TrainingPlan plan) {
  return plan == TrainingPlan::EncoderAndDecoder ? "encoder+decoder" : "decoder-on-embeddings";
}

Result<TrainingPlan> parseTrainingPlan(std::string_view name) {
  if (name == "encoder+decoder") return TrainingPlan::EncoderAndDecoder;
  if (name == "decoder-on-embeddings") return TrainingPlan::DecoderOnEmbeddings;
  return Error{ErrorCode::InvalidArgument,
               "unknown training plan '" + std::string(name) +
                   "' (encoder+decoder or decoder-on-embeddings)",
               {}};
}

Json PlanChoice::toJson() const {
  return Json::Object{{"plan", std::string(trainingPlanName(plan))},
                      {"encoder_step_seconds", encoderStepSeconds},
                      {"forced", forced},
                      {"description", description}};
}

Json AdapterTrainingOptions::toJson() const {
  return Json::Object{{"steps", steps},
                      {"seconds", seconds},
                      {"batch_pictures", batchPictures},
                      {"objects_per_picture", objectsPerPicture},
                      {"learning_rate", learningRate},
                      {"final_learning_rate", finalLearningRate},
                      {"weight_decay", weightDecay},
                      {"decoder_learning_rate_scale", decoderLearningRateScale},
                      {"warmup_steps", warmupSteps},
                      {"correction_clicks", correctionClicks},
                      {"box_probability", boxProbability},
                      {"train_decoder", trainDecoder},
                      {"augment", augment},
                      {"embedding_variants", embeddingVariants},
                      {"bf16_autocast", bf16Autocast},
                      {"low_res_corrections", lowResCorrections},
                      {"seed", static_cast<std::int64_t>(seed)}};
}

Json AdapterTrainingResult::toJson() const {
  Json::Array curve;
  for (double loss : losses) curve.push_back(loss);
  return Json::Object{{"plan", plan.toJson()},
                      {"steps", steps},
                      {"resumed_from", resumedFrom},
                      {"seconds", seconds},
                      {"prepare_seconds", prepareSeconds},
                      {"skipped_steps", skippedSteps},
                      {"restores", restores},
                      {"batch_reductions", batchReductions},
                      {"gradient_checkpointing", gradientCheckpointing},
                      {"batch_pictures_at_end", batchPictures},
                      {"stopped", stopped},
                      {"first_loss", firstLoss},
                      {"last_loss", lastLoss},
                      {"embeddings_computed", embeddingsComputed},
                      {"embeddings_reused", embeddingsReused},
                      {"trainable_parameters", trainableParameters},
                      {"losses", curve}};
}

struct AdapterTrainingRun::Impl {
  std::shared_ptr<SamModel> base;
  std::vector<LabeledPicture> pictures;
  std::vector<double> cumulative;  // running sum of the sampling weights
  AdapterTrainingOptions options;
  std::optional<PlanChoice> plan;

  std::shared_ptr<SamModel> trainee;
  std::vector<std::string> names;
  std::vector<torch::Tensor> trainable;
  std::vector<torch::Tensor> adapterTensors, decoderTensors;
  std::unique_ptr<torch::optim::AdamW> optimizer;
  int decoderGroup = -1;  // the optimizer's group of the decoder's own weights
  // The last weights known to be finite, and their step: what a run goes back to when an
  // update left NaN or infinity in the weights.
  std::vector<torch::Tensor> lastGood;
  std::int64_t lastGoodStep = 0;
  std::int64_t step = 0;
  double seconds = 0;     // training time, with that of the run it resumed
  int batchPictures = 0;  // options.batchPictures, halved each time a step runs out of memory
  std::vector<std::int64_t> outOfMemory;  // fault injection: steps yet to run out, once each

  // DecoderOnEmbeddings: per picture its variants (0 = the original) and their embeddings.
  std::vector<std::vector<LabeledPicture>> variants;
  std::vector<std::vector<torch::Tensor>> embeddings;

  LoopOptions loopOptions() const {
    LoopOptions loop;
    loop.correctionClicks = options.correctionClicks;
    loop.objectsPerPicture = options.objectsPerPicture;
    loop.boxProbability = options.boxProbability;
    loop.boxJitter = options.boxJitter;
    loop.centralClicks = options.centralClicks;
    loop.lowResCorrections = options.lowResCorrections;
    return loop;
  }
  Status buildTrainee(TrainingPlan plan);
  void makeOptimizer();
  void keepAsGood();
  bool weightsFinite() const;
  void restoreGood();
  bool budgetSpent() const { return fraction() >= 1; }
  double fraction() const {
    double f = 0;
    if (options.steps > 0) f = std::max(f, static_cast<double>(step) / options.steps);
    if (options.seconds > 0) f = std::max(f, seconds / options.seconds);
    return f;
  }
  double learningRate() const {
    const double warm = options.warmupSteps > 0
                            ? std::min(1.0, static_cast<double>(step + 1) / options.warmupSteps)
                            : 1.0;
    const double cosine = 0.5 * (1 + std::cos(std::numbers::pi * std::clamp(fraction(), 0.0, 1.0)));
    return options.learningRate * warm *
           (options.finalLearningRate + (1 - options.finalLearningRate) * cosine);
  }
  TrainingProgress progress(const std::string& stage, double loss, int skipped) const {
    TrainingProgress p;
    p.stage = stage;
    p.step = step;
    p.steps = options.steps;
    p.fraction = std::min(1.0, fraction());
    p.seconds = seconds;
    if (step > 0 && p.fraction > 0) p.secondsLeft = seconds / p.fraction * (1 - p.fraction);
    p.loss = loss;
    p.skipped = skipped;
    return p;
  }
  Status encodeVariants(TrainingMonitor* monitor, AdapterTrainingResult& result);
  Result<double> trainStep(bool& skipped);
  Status saveState() const;
  Status tryResume(TrainingMonitor* monitor);
};

Status AdapterTrainingRun::Impl::buildTrainee(TrainingPlan chosen) {
  const SamModel::Impl& b = base->impl();
  EngineOptions engine = b.options;
  engine.adapters = AdapterConfig{};
  engine.adapters->encoder = chosen == TrainingPlan::EncoderAndDecoder;
  engine.adapterFile.clear();
  // Training runs in fp32; reduced-precision copies would only cost memory here. The decoder
  // plan encodes (without gradients) in the base's precision: it learns on the embeddings it
  // will get in use, and finds those the annotator's engine stored.
  if (chosen == TrainingPlan::EncoderAndDecoder) engine.encoderPrecision = Precision::Fp32;
  engine.decoderPrecision = Precision::Fp32;
  Result<std::shared_ptr<SamModel>> built = Error{ErrorCode::Internal, "", {}};
  if (!b.checkpointPath.empty()) {
    built = SamModel::load(b.checkpointPath, b.config, engine);
  } else if (b.version.rfind("random:", 0) == 0) {
    built = SamModel::randomWeights(b.config, engine, std::stoull(b.version.substr(7)));
  } else {
    return Error{ErrorCode::InvalidArgument,
                 "the base model has no checkpoint file to train adapters on",
                 {}};
  }
  if (!built.ok()) return built.error();
  trainee = built.value();
  SamModel::Impl& m = trainee->impl();
  m.sam->train();
  names.clear();
  trainable.clear();
  // Two groups: the adapters (new, zero-initialised) at the full rate, the decoder's own
  // weights (already trained) at a fraction of it, so a few cases cannot wreck them.
  adapterTensors.clear();
  decoderTensors.clear();
  for (auto& item : m.sam->named_parameters()) {
    const bool adapter = isAdapterKey(item.key());
    const bool decoder =
        !adapter && options.trainDecoder && item.key().rfind("mask_decoder.", 0) == 0;
    item.value().set_requires_grad(adapter || decoder);
    if (adapter || decoder) {
      names.push_back(item.key());
      trainable.push_back(item.value());
      (adapter ? adapterTensors : decoderTensors).push_back(item.value());
    }
  }
  if (trainable.empty())
    return Error{ErrorCode::InvalidArgument, "the plan leaves nothing to train", {}};
  m.ownTensorsToTrain(trainable);  // the decoder's weights may be the engine's too
  makeOptimizer();
  return {};
}

void AdapterTrainingRun::Impl::makeOptimizer() {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  for (auto* tensors : {&adapterTensors, &decoderTensors}) {
    if (tensors->empty()) continue;
    groups.emplace_back(
        *tensors,
        std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay)));
  }
  optimizer = std::make_unique<torch::optim::AdamW>(
      groups, torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
  decoderGroup = decoderTensors.empty() ? -1 : static_cast<int>(groups.size()) - 1;
}

void AdapterTrainingRun::Impl::keepAsGood() {
  torch::NoGradGuard noGrad;
  lastGood.clear();
  for (const torch::Tensor& t : trainable) lastGood.push_back(t.detach().clone());
  lastGoodStep = step;
}

bool AdapterTrainingRun::Impl::weightsFinite() const {
  for (const torch::Tensor& t : trainable)
    if (!torch::isfinite(t).all().item<bool>()) return false;
  return true;
}

void AdapterTrainingRun::Impl::restoreGood() {
  torch::NoGradGuard noGrad;
  for (std::size_t i = 0; i < trainable.size(); ++i) trainable[i].copy_(lastGood[i]);
  makeOptimizer();  // its moments may hold the same NaN
}

Status AdapterTrainingRun::Impl::encodeVariants(TrainingMonitor* monitor,
                                                AdapterTrainingResult& result) {
  SamModel::Impl& m = trainee->impl();
  torch::NoGradGuard noGrad;
  variants.assign(pictures.size(), {});
  embeddings.assign(pictures.size(), {});
  std::unique_ptr<EmbeddingStore> store;
  if (!options.embeddingFolder.empty())
    store = std::make_unique<EmbeddingStore>(options.embeddingFolder);
  const int perPicture = 1 + (options.augment ? std::max(0, options.embeddingVariants) : 0);
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    for (int v = 0; v < perPicture; ++v) {
      if (monitor && !monitor->proceed(progress("encoding", 0, 0)))
        return Error{ErrorCode::Cancelled, "stopped while computing embeddings", {}};
      const auto start = Clock::now();
      LabeledPicture picture =
          v == 0 ? pictures[i]
                 : augment(pictures[i], options.seed * 1000003 + i * 31 + v, options.augmentation);
      const FrameGeometry frame = FrameGeometry::compute(m.options.profile, picture.image.width,
                                                         picture.image.height, m.config.imageSize);
      const RgbImage resized =
          resizeBilinearAntialiased(picture.image, frame.resizedWidth, frame.resizedHeight);
      const std::string key = store ? EmbeddingStore::keyOf(m, resized) : std::string();
      std::optional<torch::Tensor> embedding = store ? store->find(key, m) : std::nullopt;
      if (embedding) {
        ++result.embeddingsReused;
      } else {
        embedding = m.encode(modelInput(m.options.profile, resized, m.config.imageSize, m.device));
        ++result.embeddingsComputed;
        if (store) (void)store->insert(key, *embedding);  // a full disk costs only the reuse
      }
      embeddings[i].push_back(embedding->to(torch::kHalf));  // half the memory; fp32 at use
      variants[i].push_back(std::move(picture));
      result.prepareSeconds += since(start);
    }
  }
  return {};
}

// Autocast is per thread: on for one step's forward passes, back to what it was after.
class CpuAutocast {
 public:
  explicit CpuAutocast(bool on) : was_(compat::cpuAutocastEnabled()) {
    compat::setCpuBf16Autocast(on);
  }
  ~CpuAutocast() {
    compat::setCpuBf16Autocast(was_);
    at::autocast::clear_cache();
  }
  CpuAutocast(const CpuAutocast&) = delete;
  CpuAutocast& operator=(const CpuAutocast&) = delete;

 private:
  bool was_;
};

Result<double> AdapterTrainingRun::Impl::trainStep(bool& skipped) {
  SamModel::Impl& m = trainee->impl();
  Rng rng = Rng::derived(options.seed, static_cast<std::uint64_t>(step), 0xada7);
  const bool onEmbeddings = plan->plan == TrainingPlan::DecoderOnEmbeddings;
  std::vector<LabeledPicture> batch;
  std::vector<std::pair<std::size_t, std::size_t>> drawn;  // (picture, variant)
  for (int i = 0; i < batchPictures; ++i) {
    const std::size_t p = drawWeighted(cumulative, rng);
    if (onEmbeddings) {
      const auto v =
          static_cast<std::size_t>(rng.uniformInt(0, static_cast<int>(variants[p].size()) - 1));
      drawn.emplace_back(p, v);
      batch.push_back(variants[p][v]);
    } else {
      batch.push_back(options.augment ? augment(pictures[p], rng.next(), options.augmentation)
                                      : pictures[p]);
    }
  }
  const LoopOptions loop = loopOptions();
  Result<FrameBatch> framed = frameBatch(m, batch, loop, rng, /*withInputs=*/!onEmbeddings);
  if (!framed.ok()) return framed.error();
  std::optional<CpuAutocast> autocast;
  if (options.bf16Autocast && m.device.is_cpu()) autocast.emplace(true);
  torch::Tensor encoded;
  if (onEmbeddings) {
    std::vector<torch::Tensor> parts;
    for (std::size_t index : framed->pictures) {
      const auto [p, v] = drawn[index];
      parts.push_back(embeddings[p][v]);
    }
    encoded = torch::cat(parts).to(torch::kFloat);
  } else {
    encoded = m.sam->image_encoder->forward(torch::cat(framed->inputs).to(m.device));
  }
  optimizer->zero_grad();
  const LoopLoss looped = interactiveLoop(m, encoded, framed->objects, loop, rng);
  if (auto hit = std::find(outOfMemory.begin(), outOfMemory.end(), step);
      hit != outOfMemory.end()) {
    outOfMemory.erase(hit);
    throw std::bad_alloc();
  }
  autocast.reset();  // the backward pass follows the forward's types by itself
  const double loss = looped.total.item<double>();
  skipped = true;
  if (std::isfinite(loss)) {
    looped.total.backward();
    const double norm = torch::nn::utils::clip_grad_norm_(trainable, 1.0);
    if (std::isfinite(norm)) {
      auto& groups = optimizer->param_groups();
      for (std::size_t g = 0; g < groups.size(); ++g) {
        const double scale =
            static_cast<int>(g) == decoderGroup ? options.decoderLearningRateScale : 1.0;
        static_cast<torch::optim::AdamWOptions&>(groups[g].options()).lr(learningRate() * scale);
      }
      optimizer->step();
      skipped = false;
    }
  }
  optimizer->zero_grad();
  ++step;
  return loss;
}

Status AdapterTrainingRun::Impl::saveState() const {
  if (options.statePath.empty()) return {};
  return guarded("saving the training state", [&]() -> Status {
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (std::size_t i = 0; i < names.size(); ++i)
      tensors.emplace_back(names[i], trainable[i].detach().to(torch::kCPU));
    const Json::Object metadata = {{"format", kStateFormat},
                                   {"base", base->version()},
                                   {"plan", std::string(trainingPlanName(plan->plan))},
                                   {"seed", std::to_string(options.seed)},
                                   {"step", std::to_string(step)},
                                   {"seconds", std::to_string(seconds)}};
    return writeSafetensors(options.statePath, tensors, metadata);
  });
}

Status AdapterTrainingRun::Impl::tryResume(TrainingMonitor* monitor) {
  if (options.statePath.empty() || !std::filesystem::exists(options.statePath)) return {};
  Result<LoadedCheckpoint> state = readCheckpoint(options.statePath);
  const auto text = [&](const char* key) -> std::string {
    const Json* value = state.ok() ? state->metadata.find(key) : nullptr;
    return value && value->isString() ? value->asString() : std::string();
  };
  const auto startAfresh = [&](const std::string& why) -> Status {
    if (monitor) monitor->note("not resuming: " + why);
    return {};
  };
  if (!state.ok()) return startAfresh(state.error().describe());
  if (text("format") != kStateFormat) return startAfresh("not an adapter training state");
  if (text("base") != base->version() || text("plan") != trainingPlanName(plan->plan) ||
      text("seed") != std::to_string(options.seed)) {
    return startAfresh("the state was made for another base model, plan or seed");
  }
  std::map<std::string, torch::Tensor> stored(state->tensors.begin(), state->tensors.end());
  if (stored.size() != names.size()) return startAfresh("the state holds other tensors");
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto it = stored.find(names[i]);
    if (it == stored.end() || it->second.sizes() != trainable[i].sizes())
      return startAfresh("tensor '" + names[i] + "' missing or of another shape");
  }
  torch::NoGradGuard noGrad;
  for (std::size_t i = 0; i < names.size(); ++i) trainable[i].copy_(stored.at(names[i]));
  try {
    step = std::stoll(text("step"));
    seconds = std::stod(text("seconds"));
  } catch (const std::exception&) {
    return Error{ErrorCode::CheckpointInvalid, "training state: step or time unreadable",
                 options.statePath};
  }
  trainee->impl().weightsChanged();
  if (monitor) monitor->note("resumed at step " + std::to_string(step));
  return {};
}

AdapterTrainingRun::AdapterTrainingRun(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdapterTrainingRun::~AdapterTrainingRun() = default;

Result<std::unique_ptr<AdapterTrainingRun>> AdapterTrainingRun::create(
    const std::shared_ptr<SamModel>& base, std::vector<LabeledPicture> pictures,
    std::vector<double> weights, AdapterTrainingOptions options) {
  if (!base) return Error{ErrorCode::InvalidArgument, "no base model to train adapters on", {}};
  if (options.steps <= 0 && options.seconds <= 0)
    return Error{ErrorCode::InvalidArgument, "a training run needs steps or seconds", {}};
  if (options.batchPictures < 1 || options.objectsPerPicture < 1)
    return Error{
        ErrorCode::InvalidArgument, "batch and objects per picture must be at least 1", {}};
  if (pictures.empty())
    return Error{ErrorCode::InvalidArgument, "no labelled pictures to train on", {}};
  if (!weights.empty() && weights.size() != pictures.size())
    return Error{ErrorCode::InvalidArgument, "one sampling weight per picture", {}};
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    if (!pictures[i].isValid()) {
      return Error{
          ErrorCode::InvalidArgument,
          "training picture " + std::to_string(i) + " is empty or its masks differ in size",
          pictures[i].id};
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->base = base;
  impl->batchPictures = options.batchPictures;
  impl->outOfMemory = options.outOfMemoryAtSteps;
  impl->options = std::move(options);
  double sum = 0;
  for (std::size_t i = 0; i < pictures.size(); ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    sum += std::isfinite(w) && w > 0 ? w : 0;
    impl->cumulative.push_back(sum);
  }
  if (sum <= 0) return Error{ErrorCode::InvalidArgument, "every sampling weight is zero", {}};
  impl->pictures = std::move(pictures);
  return std::unique_ptr<AdapterTrainingRun>(new AdapterTrainingRun(std::move(impl)));
}

Result<PlanChoice> AdapterTrainingRun::choosePlan(TrainingMonitor* monitor) {
  return guarded("choosing the training plan", [&]() -> Result<PlanChoice> {
    Impl& d = *impl_;
    PlanChoice choice;
    if (d.options.plan) {
      choice.plan = *d.options.plan;
      choice.forced = true;
      choice.description = "plan chosen by the caller";
    } else {
      if (monitor && !monitor->proceed(d.progress("measuring", 0, 0)))
        return Error{ErrorCode::Cancelled, "stopped while measuring", {}};
      // One encoder forward pass of the base at full size, timed after a warm-up pass; a
      // training step runs forward and backward over a whole batch.
      SamModel::Impl& b = d.base->impl();
      torch::NoGradGuard noGrad;
      const torch::Tensor input =
          pictureInput(b.options.profile, d.pictures.front().image, b.config.imageSize)
              .to(b.device);
      b.sam->image_encoder->forward(input);
      const auto start = Clock::now();
      b.sam->image_encoder->forward(input);
      choice.encoderStepSeconds = since(start) * kBackwardFactor * d.options.batchPictures;
      const bool encoder = choice.encoderStepSeconds <= d.options.maxEncoderStepSeconds;
      choice.plan = encoder ? TrainingPlan::EncoderAndDecoder : TrainingPlan::DecoderOnEmbeddings;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.2f", choice.encoderStepSeconds);
      choice.description =
          encoder ? "encoder and decoder adapters: a step with the encoder costs about " +
                        std::string(seconds) + " s here"
                  : "decoder adapters on stored embeddings: a step through the encoder would "
                    "cost about " +
                        std::string(seconds) + " s here";
    }
    d.plan = choice;
    return choice;
  });
}

Result<AdapterTrainingResult> AdapterTrainingRun::run(TrainingMonitor* monitor) {
  return guarded("training adapters", [&]() -> Result<AdapterTrainingResult> {
    Impl& d = *impl_;
    AdapterTrainingResult result;
    if (!d.plan) {
      const auto start = Clock::now();
      Result<PlanChoice> chosen = choosePlan(monitor);
      if (!chosen.ok()) return chosen.error();
      result.prepareSeconds += since(start);
    }
    result.plan = *d.plan;
    if (monitor) monitor->planChosen(*d.plan);
    if (!d.trainee) {
      if (Status built = d.buildTrainee(d.plan->plan); !built) return built.error();
      if (Status resumed = d.tryResume(monitor); !resumed) return resumed.error();
    }
    for (const torch::Tensor& t : d.trainable) result.trainableParameters += t.numel();
    result.resumedFrom = d.step;
    if (d.plan->plan == TrainingPlan::DecoderOnEmbeddings && d.embeddings.empty()) {
      if (Status encoded = d.encodeVariants(monitor, result); !encoded) {
        if (encoded.error().code != ErrorCode::Cancelled) return encoded.error();
        result.stopped = true;
      }
    }
    auto lastSave = Clock::now();
    d.keepAsGood();
    // Each step frees the buffers the next one makes again (ViT-B on 2 cores: 47-50 -> 25-30 s).
    const BufferReuseScope reuse;
    while (!result.stopped && !d.budgetSpent()) {
      if (monitor &&
          !monitor->proceed(d.progress("training", result.lastLoss, result.skippedSteps))) {
        result.stopped = true;
        break;
      }
      const auto start = Clock::now();
      bool skipped = false;
      Result<double> loss = Error{ErrorCode::Internal, "no step", {}};
      try {
        loss = d.trainStep(skipped);
      } catch (const std::exception& e) {
        if (!isOutOfMemory(e)) throw;
        d.optimizer->zero_grad();  // what the failed step left; its tensors are gone with it
        ImageEncoder& encoder = d.trainee->impl().sam->image_encoder;
        if (d.plan->plan == TrainingPlan::EncoderAndDecoder && !encoder->checkpointBlocks) {
          // First the memory of the encoder's activations: each block's are recomputed in the
          // backward pass instead of kept (about a third more compute, the same result).
          encoder->checkpointBlocks = true;
          result.gradientCheckpointing = true;
          if (monitor)
            monitor->note("step " + std::to_string(d.step + 1) +
                          " ran out of memory: encoder blocks are recomputed in the backward "
                          "pass from now on (gradient checkpointing)");
          continue;
        }
        if (d.batchPictures <= 1) {
          return Error{ErrorCode::Unavailable,
                       std::string("out of memory with one picture per step: ") + e.what(),
                       {}};
        }
        d.batchPictures = std::max(1, d.batchPictures / 2);
        ++result.batchReductions;
        if (monitor)
          monitor->note("step " + std::to_string(d.step + 1) + " ran out of memory: " +
                        std::to_string(d.batchPictures) + " pictures per step from now on");
        // The same step again: its draws depend on the step number only. (Out of memory in
        // the optimizer's update itself could leave part of an update applied; the forward
        // and backward passes, where the memory goes, change no weight.)
        continue;
      }
      if (!loss.ok()) return loss.error();
      d.seconds += since(start);
      const auto& poison = d.options.poisonWeightsAfterSteps;
      if (std::find(poison.begin(), poison.end(), d.step) != poison.end()) {
        torch::NoGradGuard noGrad;
        d.trainable.front().fill_(std::numeric_limits<float>::quiet_NaN());
      }
      if (skipped) {
        ++result.skippedSteps;
        if (monitor) monitor->note("step " + std::to_string(d.step) + " skipped: not finite");
      } else if (!d.weightsFinite()) {
        // An update that overflowed: back to the last good weights, with fresh moments.
        ++result.restores;
        d.restoreGood();
        if (monitor)
          monitor->note("step " + std::to_string(d.step) +
                        ": the weights were not finite; back to those of step " +
                        std::to_string(d.lastGoodStep));
      } else {
        result.losses.push_back(loss.value());
        if (d.step % 10 == 0) d.keepAsGood();
      }
      result.lastLoss = loss.value();
      if (monitor) monitor->stepDone(d.progress("training", loss.value(), result.skippedSteps));
      if (since(lastSave) >= d.options.stateEverySeconds) {
        if (Status saved = d.saveState(); !saved) return saved.error();
        lastSave = Clock::now();
      }
    }
    if (Status saved = d.saveState(); !saved) return saved.error();
    d.trainee->impl().weightsChanged();
    result.steps = d.step;
    result.seconds = d.seconds;
    result.batchPictures = d.batchPictures;
    const std::size_t n = result.losses.size(), window = std::min<std::size_t>(10, n);
    result.firstLoss = meanOf(result.losses, 0, window);
    result.lastLoss = meanOf(result.losses, n - window, n);
    return result;
  });
}

std::shared_ptr<SamModel> AdapterTrainingRun::model() const { return impl_->trainee; }

Status AdapterTrainingRun::exportAdapters(const std::string& path, const Json& extra) const {
  const Impl& d = *impl_;
  if (!d.trainee || !d.plan)
    return Error{ErrorCode::InvalidArgument, "nothing trained yet to export", path};
  const Json training = Json::Object{{"plan", d.plan->toJson()},
                                     {"steps", d.step},
                                     {"seconds", d.seconds},
                                     {"options", d.options.toJson()},
                                     {"extra", extra}};
  return d.trainee->saveAdapters(path, training, d.options.trainDecoder);
}

Status AdapterTrainingRun::discardState() const {
  const std::string& path = impl_->options.statePath;
  std::error_code error;
  if (!path.empty()) std::filesystem::remove(path, error);
  if (error)
    return Error{ErrorCode::WriteFailed, "cannot remove the training state: " + error.message(),
                 path};
  return {};
}

}  // namespace medsa::model
