#include "medsa/model/predictor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <tuple>

#include "guarded.h"
#include "predictor_impl.h"
#include "zoom_in.h"

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
  if (prompt.previous &&
      !std::all_of(prompt.previous->logits.begin(), prompt.previous->logits.end(),
                   [](float v) { return std::isfinite(v); })) {
    return Error{ErrorCode::InvalidArgument, "the previous mask's logits must be finite", {}};
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
      cache(options_.cacheBytes, scalarType(options_.cachePrecision)),
      zoomIn(zoomInEnabled(*model)) {}

void Predictor::Impl::setResized(const RgbImage& resized, int originalWidth, int originalHeight,
                                 const BlockObserver& observer) {
  SamModel::Impl& m = model->impl();
  hasImage = false;  // until the new embedding exists (the encoder may stop or fail)
  prepared.reset();
  picture = {};      // no crops of a picture only known resized
  forgetCrops();
  frame =
      FrameGeometry::compute(m.options.profile, originalWidth, originalHeight, m.config.imageSize);
  const auto start = Clock::now();
  const torch::Tensor input = modelInput(m.options.profile, resized, m.config.imageSize, m.device);
  torch::Tensor encoded = m.encode(input, 1, observer);
  timings.encoderMs = millisecondsSince(start);
  useEmbedding(std::move(encoded));
  hasImage = true;
}

PreparedImage Predictor::Impl::prepareImage(const torch::Tensor& embedding) {
  torch::InferenceMode inference;
  return model->impl().prepare(embedding);
}

void Predictor::Impl::useEmbedding(torch::Tensor picture) {
  embedding = std::move(picture);
  prepared = prepareImage(embedding);
}

Result<std::vector<Predictor::Impl::Decoded>> Predictor::Impl::decode(
    const std::vector<Prompt>& prompts) {
  for (const Prompt& prompt : prompts) {
    if (Status status = checkPrompt(prompt); !status) return status.error();
  }
  return decodeIn(View{embedding, frame, prepared}, prompts);
}

Result<std::vector<Predictor::Impl::Decoded>> Predictor::Impl::decodeIn(
    View view, const std::vector<Prompt>& prompts) {
  SamModel::Impl& m = model->impl();
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
    for (size_t index : members) group.push_back(promptTensors(prompts[index], view.frame));
    const PromptBatch batch = stackPrompts(group, m.device);
    torch::Tensor maskFeatures;
    auto [sparse, dense] =
        m.sam->prompt_encoder->forward(batch.points, batch.labels, batch.boxes, batch.masks,
                                       hasPrevious ? &maskFeatures : nullptr);
    // Every prompt shares the image side of the decoder (prepared with the embedding); a mask
    // input moves it by a low-rank update.
    if (!view.prepared) view.prepared = prepareImage(view.embedding);
    const std::optional<PreparedImage> masked =
        hasPrevious ? m.prepareMask(*view.prepared, view.embedding, dense, maskFeatures)
                    : std::nullopt;
    const PreparedImage* prepared = !hasPrevious ? &*view.prepared : masked ? &*masked : nullptr;
    auto [lowRes, iou] = m.decode(view.embedding, sparse, dense, prepared);
    // Token 0 answers unambiguous prompts; tokens 1..3 are the multimask candidates.
    const torch::Tensor chosenLowRes = multimask ? lowRes.slice(1, 1) : lowRes.slice(1, 0, 1);
    const torch::Tensor chosenIou = multimask ? iou.slice(1, 1) : iou.slice(1, 0, 1);
    const auto postStart = Clock::now();
    const torch::Tensor logits = logitsToOriginal(m.options.profile, chosenLowRes, view.frame);
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
    prediction.lowRes.push_back(
        {static_cast<int>(d.lowRes.size(-1)), toVector(d.lowRes[i]), std::nullopt});
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
  d.hasImage = false;  // until this picture's embedding is in place
  d.prepared.reset();
  if (cacheKey != d.pictureKey) d.picture = {};  // never a crop of the previous picture
  d.frame =
      FrameGeometry::compute(m.options.profile, image.width, image.height, m.config.imageSize);
  d.timings = {};
  if (std::optional<torch::Tensor> cached = d.cache.find(cacheKey)) {
    d.useEmbedding(cached->to(m.device));
    d.hasImage = true;
    d.lastCached = true;
    d.rememberPicture(image, cacheKey);
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
      d.useEmbedding(stored->to(m.device));
      d.hasImage = true;
      d.lastCached = true;
      d.cache.insert(cacheKey, d.embedding);
      d.rememberPicture(image, cacheKey);
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
  d.rememberPicture(image, cacheKey);
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
      inputs.push_back(pictureInput(m.options.profile, slice, m.config.imageSize, m.device));
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

void Predictor::Impl::rememberPicture(const RgbImage& image, const std::string& cacheKey) {
  // The same key means the same pixels: the app sets the picture again before clicks and
  // while it reads ahead, and the copy and its crop stay.
  if (!zoomIn || (cacheKey == pictureKey && picture.isValid())) return;
  forgetCrops();
  picture = image;
  pictureKey = cacheKey;
}

FrameGeometry Predictor::Impl::frameOf(PixelRect region) const {
  const SamModel::Impl& m = model->impl();
  return FrameGeometry::compute(m.options.profile, region.width(), region.height(),
                                m.config.imageSize);
}

std::optional<PixelRect> Predictor::Impl::zoomRegionFor(const Prompt& prompt) const {
  const int width = frame.originalWidth, height = frame.originalHeight;
  // A lone click says too little about the object's size to choose a crop.
  if (!zoomIn || !(prompt.previous || prompt.box) || !picture.isValid() || picture.width != width ||
      picture.height != height)
    return std::nullopt;
  std::optional<PixelRect> extent;
  if (prompt.previous) {
    const PixelRect from = prompt.previous->region.value_or(PixelRect{0, 0, width, height});
    extent = positiveExtent(prompt.previous->logits, prompt.previous->size, from, frameOf(from));
  }
  // The object is what the last mask shows plus what the user marked as object since.
  const auto include = [&](double x, double y) {
    const int px = static_cast<int>(std::clamp(std::floor(x), 0.0, width - 1.0));
    const int py = static_cast<int>(std::clamp(std::floor(y), 0.0, height - 1.0));
    const PixelRect pixel{px, py, px + 1, py + 1};
    extent = extent ? PixelRect{std::min(extent->x0, pixel.x0), std::min(extent->y0, pixel.y0),
                                std::max(extent->x1, pixel.x1), std::max(extent->y1, pixel.y1)}
                    : pixel;
  };
  for (const PromptPoint& p : prompt.points) {
    if (p.positive) include(p.x, p.y);
  }
  if (prompt.box) {
    include(prompt.box->x0, prompt.box->y0);
    include(prompt.box->x1, prompt.box->y1);
  }
  if (!extent) return std::nullopt;  // nothing yet marks the object: answer in the picture
  const ZoomGeometry geometry;
  const PixelRect wanted = zoomRegion(*extent, width, height, geometry);
  const PixelRect region = prompt.previous && prompt.previous->region &&
                                   keepsRegion(*prompt.previous->region, *extent, wanted, geometry)
                               ? *prompt.previous->region
                               : wanted;
  const double share =
      static_cast<double>(region.width()) * region.height() / (static_cast<double>(width) * height);
  if (share >= geometry.wholeFraction || region.width() < 2 || region.height() < 2)
    return std::nullopt;
  return region;
}

std::string Predictor::Impl::cropKey(PixelRect region) const {
  return pictureKey + "|zoom " + std::to_string(region.x0) + "," + std::to_string(region.y0) + "," +
         std::to_string(region.x1) + "," + std::to_string(region.y1);
}

Predictor::Impl::Crop Predictor::Impl::makeCrop(PixelRect region, const BlockObserver& observer) {
  RgbImage part(region.width(), region.height());
  for (int y = 0; y < part.height; ++y) {
    std::copy_n(picture.pixel(region.x0, region.y0 + y), static_cast<std::size_t>(part.width) * 3,
                part.pixel(0, y));
  }
  SamModel::Impl& m = model->impl();
  torch::Tensor encoded =
      m.encode(pictureInput(m.options.profile, part, m.config.imageSize, m.device), 1, observer);
  ++cropsEncoded;
  std::optional<PreparedImage> prepared = prepareImage(encoded);
  return Crop{cropKey(region), region, frameOf(region), std::move(encoded), std::move(prepared)};
}

void Predictor::Impl::encodeCrop(PixelRect region) {
  const std::string key = cropKey(region);
  if (crop && crop->key == key) return;
  if (ahead && ahead->key == key) {  // encoded while the user looked at the last answer
    crop = std::move(ahead);
    ahead.reset();
    return;
  }
  const auto start = Clock::now();
  crop = makeCrop(region);
  timings.zoomEncoderMs = millisecondsSince(start);
}

void Predictor::Impl::planAhead(const Prompt& prompt, const Prediction& answer) {
  aheadRegion.reset();
  if (!zoomIn || answer.lowRes.empty()) return;
  // The next click sends this answer's shown candidate (the best) back with the same points;
  // a negative click, or a positive one inside the object, leaves the object's extent and so
  // the crop as computed here.
  Prompt next = prompt;
  next.multimask = false;
  next.previous = answer.lowRes[static_cast<std::size_t>(answer.best())];
  const std::optional<PixelRect> region = zoomRegionFor(next);
  if (region && !(crop && crop->key == cropKey(*region))) aheadRegion = region;
}

void Predictor::Impl::forgetCrops() {
  crop.reset();
  ahead.reset();
  aheadRegion.reset();
}

Status Predictor::Impl::checkPrompt(const Prompt& prompt) const {
  if (!hasImage) return Error{ErrorCode::InvalidArgument, "no picture: call setImage first", {}};
  const std::optional<PixelRect> from = prompt.previous ? prompt.previous->region : std::nullopt;
  if (from && (from->x0 < 0 || from->y0 < 0 || from->x1 > frame.originalWidth ||
               from->y1 > frame.originalHeight || from->width() < 1 || from->height() < 1)) {
    return Error{ErrorCode::InvalidArgument,
                 "the previous mask's region lies outside the picture (a mask of another picture?)",
                 {}};
  }
  return validatePrompt(prompt, model->impl().config.lowResSize());
}

Result<Prediction> Predictor::Impl::predictOne(const Prompt& prompt) {
  timings.zoomEncoderMs = 0;
  if (Status status = checkPrompt(prompt); !status) return status.error();
  const PixelRect whole{0, 0, frame.originalWidth, frame.originalHeight};
  const std::optional<PixelRect> from = prompt.previous ? prompt.previous->region : std::nullopt;
  std::optional<PixelRect> region = zoomRegionFor(prompt);
  Prompt local = region ? promptInRegion(prompt, *region) : prompt;
  if (local.points.empty() && !local.box) {  // negative clicks only, all outside the crop
    region.reset();
    local = prompt;
  }
  const PixelRect target = region.value_or(whole);
  if (region) encodeCrop(*region);
  if (local.previous) {
    // The last answer's logits, moved into the frame this one is answered in.
    if (from.value_or(whole) != target) {
      const std::vector<float>& logits = prompt.previous->logits;
      const float outside = std::min(*std::min_element(logits.begin(), logits.end()), -1.0f);
      local.previous->logits =
          resampleLowRes(logits, prompt.previous->size, from.value_or(whole),
                         frameOf(from.value_or(whole)), target, frameOf(target), outside);
    }
    local.previous->region.reset();
  }
  Result<std::vector<Decoded>> decoded =
      region ? decodeIn(View{crop->embedding, crop->frame, crop->prepared}, {local})
             : decodeIn(View{embedding, frame, prepared}, {local});
  if (!decoded.ok()) return decoded.error();
  Decoded& d = decoded->front();
  if (region) {
    // The crop's answer in the picture: outside the crop nothing is the object.
    const float outside = std::min(d.logits.min().item<float>(), -1.0f);
    torch::Tensor full = torch::full({d.logits.size(0), whole.y1, whole.x1}, outside);
    full.slice(1, region->y0, region->y1).slice(2, region->x0, region->x1).copy_(d.logits);
    d.logits = full;
  }
  Prediction prediction = toPrediction(d);
  for (LowResMask& low : prediction.lowRes) low.region = region;
  return prediction;
}

Result<Prediction> Predictor::predict(const Prompt& prompt) {
  return guarded("running the mask decoder", [&]() -> Result<Prediction> {
    Result<Prediction> answer = impl_->predictOne(prompt);
    if (answer.ok()) impl_->planAhead(prompt, answer.value());
    return answer;
  });
}

Status Predictor::workAhead(ProgressSink* progress) {
  return guarded("encoding the crop of the next correction", [&]() -> Status {
    Impl& d = *impl_;
    if (!d.aheadRegion || !d.hasImage) return {};
    const PixelRect region = *d.aheadRegion;
    d.aheadRegion.reset();
    if (d.ahead && d.ahead->key == d.cropKey(region)) return {};
    BlockObserver observer;
    if (progress) {
      observer = [progress](double fraction) {
        return progress->report(fraction, "Encoding the crop of the next correction");
      };
    }
    try {
      d.ahead = d.makeCrop(region, observer);
    } catch (const EncodingStopped&) {
      return Error{ErrorCode::Cancelled, "the crop's encoding was cancelled", {}};
    }
    return {};
  });
}

Result<std::vector<Prediction>> Predictor::predictBatch(const std::vector<Prompt>& prompts) {
  return guarded("running the mask decoder", [&]() -> Result<std::vector<Prediction>> {
    Impl& d = *impl_;
    // Checked first: choosing a crop reads the previous mask's logits.
    for (const Prompt& p : prompts) {
      if (Status status = d.checkPrompt(p); !status) return status.error();
    }
    // Prompts answered in a crop of their own (or coming from one) go one by one, as predict
    // would answer them; the others share one decoder batch.
    std::vector<Prompt> batched;
    std::vector<std::size_t> batchedIndex, single;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
      const Prompt& p = prompts[i];
      const bool own = (p.previous && p.previous->region) || d.zoomRegionFor(p);
      if (own) {
        single.push_back(i);
      } else {
        batched.push_back(p);
        batchedIndex.push_back(i);
      }
    }
    std::vector<Prediction> predictions(prompts.size());
    double zoomMs = 0;
    for (std::size_t i : single) {
      Result<Prediction> prediction = d.predictOne(prompts[i]);
      if (!prediction.ok()) return prediction.error();
      predictions[i] = std::move(prediction.value());
      zoomMs += d.timings.zoomEncoderMs;
    }
    if (!batched.empty()) {
      Result<std::vector<Impl::Decoded>> decoded =
          d.decodeIn(Impl::View{d.embedding, d.frame, d.prepared}, batched);
      if (!decoded.ok()) return decoded.error();
      for (std::size_t k = 0; k < batched.size(); ++k)
        predictions[batchedIndex[k]] = Impl::toPrediction(decoded.value()[k]);
    }
    d.timings.zoomEncoderMs = zoomMs;
    return predictions;
  });
}

std::string Predictor::modelVersion() const { return impl_->model->version(); }
bool Predictor::hasImage() const { return impl_->hasImage; }
bool Predictor::lastSetImageWasCached() const { return impl_->lastCached; }
CacheStats Predictor::cacheStats() const { return impl_->cache.stats(); }
const PredictorTimings& Predictor::lastTimings() const { return impl_->timings; }
const SamModel& Predictor::model() const { return *impl_->model; }
std::size_t Predictor::zoomCropsEncoded() const { return impl_->cropsEncoded; }

}  // namespace medsa::model
