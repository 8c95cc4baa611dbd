#include "medsa/model/predictor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <tuple>

#include "guarded.h"
#include "predictor_impl.h"

namespace medsa::model {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

Status validatePrompt(const Prompt& prompt, int lowResSize) {
  if (prompt.points.empty() && !prompt.box) {
    return Error{ErrorCode::InvalidArgument, "a prompt needs at least one point or a box", {}};
  }
  for (const PromptPoint& p : prompt.points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
      return Error{ErrorCode::InvalidArgument, "point coordinates must be finite numbers", {}};
    }
  }
  if (prompt.box && !(std::isfinite(prompt.box->x0) && std::isfinite(prompt.box->y0) &&
                      std::isfinite(prompt.box->x1) && std::isfinite(prompt.box->y1))) {
    return Error{ErrorCode::InvalidArgument, "box coordinates must be finite numbers", {}};
  }
  if (prompt.previous &&
      (prompt.previous->size != lowResSize ||
       prompt.previous->logits.size() != static_cast<size_t>(lowResSize) * lowResSize)) {
    return Error{ErrorCode::InvalidArgument,
                 "the previous mask must be " + std::to_string(lowResSize) + " x " +
                     std::to_string(lowResSize) + " low-res logits from this model",
                 {}};
  }
  return {};
}

std::vector<float> toVector(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kCPU, torch::kFloat).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

Predictor::Impl::Impl(std::shared_ptr<SamModel> model_, PredictorOptions options_)
    : model(std::move(model_)),
      options(options_),
      cache(options_.cacheBytes, scalarType(options_.cachePrecision)) {}

void Predictor::Impl::setResized(const RgbImage& resized, int originalWidth, int originalHeight,
                                 const BlockObserver& observer) {
  SamModel::Impl& m = model->impl();
  hasImage = false;  // until the new embedding exists (the encoder may stop or fail)
  frame =
      FrameGeometry::compute(m.options.profile, originalWidth, originalHeight, m.config.imageSize);
  const auto start = Clock::now();
  const torch::Tensor input = modelInput(m.options.profile, resized, m.config.imageSize);
  embedding = m.encode(input, 1, observer);
  prepared.reset();
  timings.encoderMs = millisecondsSince(start);
  hasImage = true;
}

Result<std::vector<Predictor::Impl::Decoded>> Predictor::Impl::decode(
    const std::vector<Prompt>& prompts) {
  if (!hasImage) return Error{ErrorCode::InvalidArgument, "no picture: call setImage first", {}};
  SamModel::Impl& m = model->impl();
  for (const Prompt& prompt : prompts) {
    if (Status status = validatePrompt(prompt, m.config.lowResSize()); !status)
      return status.error();
  }
  torch::InferenceMode inference;
  const auto start = Clock::now();
  // Prompts with the same shape (point count, box, previous mask, multimask) share a batch;
  // the official decoder needs equal token counts within one batch.
  std::map<std::tuple<size_t, bool, bool, bool>, std::vector<size_t>> groups;
  for (size_t i = 0; i < prompts.size(); ++i) {
    const Prompt& p = prompts[i];
    groups[{p.points.size(), p.box.has_value(), p.previous.has_value(), p.multimask}].push_back(i);
  }
  std::vector<Decoded> decoded(prompts.size());
  double postprocessMs = 0;
  for (const auto& [signature, members] : groups) {
    const auto& [pointCount, hasBox, hasPrevious, multimask] = signature;
    std::vector<PromptTensors> group;
    for (size_t index : members) group.push_back(promptTensors(prompts[index], frame));
    const PromptBatch batch = stackPrompts(group, m.device);
    auto [sparse, dense] =
        m.sam->prompt_encoder->forward(batch.points, batch.labels, batch.boxes, batch.masks);
    // Clicks without a mask input share the image side of the decoder (prepared once).
    if (!hasPrevious && !prepared) prepared = m.prepare(embedding);
    auto [lowRes, iou] = m.decode(embedding, sparse, dense, hasPrevious ? nullptr : &*prepared);
    // Token 0 answers unambiguous prompts; tokens 1..3 are the multimask candidates.
    const torch::Tensor chosenLowRes = multimask ? lowRes.slice(1, 1) : lowRes.slice(1, 0, 1);
    const torch::Tensor chosenIou = multimask ? iou.slice(1, 1) : iou.slice(1, 0, 1);
    const auto postStart = Clock::now();
    const torch::Tensor logits = logitsToOriginal(m.options.profile, chosenLowRes, frame);
    postprocessMs += millisecondsSince(postStart);
    for (size_t k = 0; k < members.size(); ++k) {
      decoded[members[k]] = {chosenLowRes[k], chosenIou[k], logits[k]};
    }
  }
  timings.postprocessMs = postprocessMs;
  timings.decoderMs = millisecondsSince(start) - postprocessMs;
  return decoded;
}

Prediction Predictor::Impl::toPrediction(const Decoded& d) {
  Prediction prediction;
  prediction.count = static_cast<int>(d.logits.size(0));
  prediction.height = static_cast<int>(d.logits.size(1));
  prediction.width = static_cast<int>(d.logits.size(2));
  prediction.logits = toVector(d.logits);
  // A plain loop over the copied logits: LibTorch's compare and cast took 0.7 ms of a click
  // for three 512 x 512 candidates.
  prediction.masks.resize(prediction.logits.size());
  std::transform(prediction.logits.begin(), prediction.logits.end(), prediction.masks.begin(),
                 [](float logit) { return static_cast<std::uint8_t>(logit > 0); });
  prediction.iou = toVector(d.iou);
  for (int i = 0; i < prediction.count; ++i) {
    prediction.lowRes.push_back({static_cast<int>(d.lowRes.size(-1)), toVector(d.lowRes[i])});
  }
  return prediction;
}

Predictor::Predictor(std::shared_ptr<SamModel> model, PredictorOptions options)
    : impl_(std::make_unique<Impl>(std::move(model), options)) {}

Predictor::~Predictor() = default;

Status Predictor::setImage(const RgbImage& image, const ImageKey& key, ProgressSink* progress) {
  return guarded("encoding the picture",
                 [&]() -> Status { return setImageUnguarded(image, key, progress); });
}

Status Predictor::setImageUnguarded(const RgbImage& image, const ImageKey& key,
                                    ProgressSink* progress) {
  if (!image.isValid())
    return Error{ErrorCode::InvalidArgument, "empty or inconsistent picture", key.imageId};
  Impl& d = *impl_;
  SamModel::Impl& m = d.model->impl();
  const std::string cacheKey = EmbeddingCache::keyOf(key, m.version);
  d.frame =
      FrameGeometry::compute(m.options.profile, image.width, image.height, m.config.imageSize);
  d.timings = {};
  if (std::optional<torch::Tensor> cached = d.cache.find(cacheKey)) {
    d.embedding = cached->to(m.device);
    d.prepared.reset();
    d.hasImage = true;
    d.lastCached = true;
    return {};
  }
  d.hasImage = false;  // the frame is the new picture's: no click may use the old embedding
  const auto start = Clock::now();
  const RgbImage resized =
      resizeBilinearAntialiased(image, d.frame.resizedWidth, d.frame.resizedHeight);
  const std::string storeKey = d.store ? EmbeddingStore::keyOf(m, resized) : std::string();
  d.timings.preprocessMs = millisecondsSince(start);
  if (!storeKey.empty()) {
    // Found on disk: no progress reported, as for the memory cache (nothing is computed).
    if (std::optional<torch::Tensor> stored = d.store->find(storeKey, m)) {
      d.embedding = stored->to(m.device);
      d.prepared.reset();
      d.hasImage = true;
      d.lastCached = true;
      d.cache.insert(cacheKey, d.embedding);
      return {};
    }
  }
  constexpr std::string_view stage = "Computing the image embedding";
  if (progress && !progress->report(0.0, stage)) {
    d.hasImage = false;
    return Error{ErrorCode::Cancelled, "cancelled before the embedding started", key.imageId};
  }
  BlockObserver observer;
  if (progress) {
    observer = [progress, stage](double fraction) { return progress->report(fraction, stage); };
  }
  try {
    d.setResized(resized, image.width, image.height, observer);
  } catch (const EncodingStopped&) {
    return Error{ErrorCode::Cancelled, "the embedding was cancelled", key.imageId};
  }
  d.cache.insert(cacheKey, d.embedding);
  d.lastCached = false;
  if (!storeKey.empty()) d.storeInBackground(storeKey, d.embedding);
  return {};
}

void Predictor::Impl::finishStoreWrite() {
  // A store that cannot be written (a full disk) only costs computing an embedding again.
  if (storeWrite.valid()) (void)storeWrite.get();
}

void Predictor::Impl::storeInBackground(const std::string& key, const torch::Tensor& embedding) {
  // The click that follows an encode should not wait for the disk (writing and syncing the 2 MB
  // took 10-40 ms on the build machine, more on a busy laptop). One write at a time: the next
  // encode waits only where the disk is slower than the encoder. The fp16 copy is made here, so
  // the worker runs no parallel LibTorch kernel beside the engine's.
  finishStoreWrite();
  const torch::Tensor half = embedding.detach().to(torch::kCPU, torch::kHalf).contiguous();
  storeWrite = std::async(std::launch::async,
                          [store = store, key, half] { return store->insert(key, half); });
}

void Predictor::setEmbeddingFolder(const std::string& folder) {
  if (folder.empty()) {
    impl_->store.reset();  // a write in flight keeps its store until it is done
  } else if (!impl_->store || impl_->store->folder() != folder) {
    impl_->store = std::make_shared<EmbeddingStore>(folder);
  }
}

void Predictor::finishStoreWrites() { impl_->finishStoreWrite(); }

Predictor::StoreStats Predictor::storeStats() const {
  impl_->finishStoreWrite();
  if (!impl_->store) return {};
  return {impl_->store->hits(), impl_->store->writes()};
}

Status Predictor::encodeChunk(const std::vector<RgbImage>& slices,
                              const std::vector<ImageKey>& keys) {
  return guarded("encoding a chunk of slices", [&]() -> Status {
    if (slices.empty() || slices.size() != keys.size()) {
      return Error{ErrorCode::InvalidArgument, "a chunk needs one key per slice", {}};
    }
    Impl& d = *impl_;
    SamModel::Impl& m = d.model->impl();
    std::vector<torch::Tensor> inputs;
    for (const RgbImage& slice : slices) {
      if (!slice.isValid() || slice.width != slices.front().width ||
          slice.height != slices.front().height) {
        return Error{
            ErrorCode::InvalidArgument, "the slices of a chunk must be pictures of one size", {}};
      }
      inputs.push_back(pictureInput(m.options.profile, slice, m.config.imageSize));
    }
    const bool depth = m.sam->adapters && m.sam->adapters->depth;
    torch::Tensor embeddings;
    if (depth) {
      embeddings = m.encode(torch::cat(inputs), static_cast<int64_t>(inputs.size()));
    } else {
      std::vector<torch::Tensor> each;
      for (const torch::Tensor& input : inputs) each.push_back(m.encode(input));
      embeddings = torch::cat(each);
    }
    for (size_t i = 0; i < keys.size(); ++i) {
      d.cache.insert(EmbeddingCache::keyOf(keys[i], m.version), embeddings.slice(0, i, i + 1));
    }
    return {};
  });
}

Result<Prediction> Predictor::predict(const Prompt& prompt) {
  return guarded("running the mask decoder", [&]() -> Result<Prediction> {
    Result<std::vector<Impl::Decoded>> decoded = impl_->decode({prompt});
    if (!decoded.ok()) return decoded.error();
    return Impl::toPrediction(decoded->front());
  });
}

Result<std::vector<Prediction>> Predictor::predictBatch(const std::vector<Prompt>& prompts) {
  return guarded("running the mask decoder", [&]() -> Result<std::vector<Prediction>> {
    Result<std::vector<Impl::Decoded>> decoded = impl_->decode(prompts);
    if (!decoded.ok()) return decoded.error();
    std::vector<Prediction> predictions;
    for (const Impl::Decoded& d : decoded.value()) predictions.push_back(Impl::toPrediction(d));
    return predictions;
  });
}

std::string Predictor::modelVersion() const { return impl_->model->version(); }
bool Predictor::hasImage() const { return impl_->hasImage; }
bool Predictor::lastSetImageWasCached() const { return impl_->lastCached; }
CacheStats Predictor::cacheStats() const { return impl_->cache.stats(); }
const PredictorTimings& Predictor::lastTimings() const { return impl_->timings; }
const SamModel& Predictor::model() const { return *impl_->model; }

}  // namespace medsa::model
