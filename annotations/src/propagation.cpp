#include "medsa/annotations/propagation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "medsa/core/slice_picture.h"

namespace medsa::annotations {
namespace {

struct Box {
  int x0 = std::numeric_limits<int>::max(), y0 = std::numeric_limits<int>::max();
  int x1 = -1, y1 = -1;
  bool empty() const { return x1 < 0; }
};

Box boundsOf(const Mask& mask, int width) {
  Box box;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    const int x = static_cast<int>(i % width), y = static_cast<int>(i / width);
    box.x0 = std::min(box.x0, x);
    box.y0 = std::min(box.y0, y);
    box.x1 = std::max(box.x1, x);
    box.y1 = std::max(box.y1, y);
  }
  return box;
}

// A pixel well inside the object: the mask pixel nearest to the centroid (the centroid itself
// can fall outside a ring or a C shape).
std::optional<PromptPoint> innerPoint(const Mask& mask, int width) {
  double sx = 0, sy = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    sx += static_cast<double>(i % width);
    sy += static_cast<double>(i / width);
    ++n;
  }
  if (n == 0) return std::nullopt;
  const double cx = sx / n, cy = sy / n;
  double best = std::numeric_limits<double>::max();
  PromptPoint point;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    const double x = static_cast<double>(i % width), y = static_cast<double>(i / width);
    const double d = (x - cx) * (x - cx) + (y - cy) * (y - cy);
    if (d < best) {
      best = d;
      point = {x + 0.5, y + 0.5, true};
    }
  }
  return point;
}

}  // namespace

PropagationDirections rerunDirections(std::size_t start, const PropagationExtent& earlier) {
  if (start > earlier.seed && start <= earlier.high) return {true, false};
  if (start < earlier.seed && start >= earlier.low) return {false, true};
  return {};
}

Result<PropagationResult> propagate(SegmentationEngine& engine, const PropagationRequest& request,
                                    ProgressSink* progress, CancellationToken cancel) {
  if (!request.image || request.image->isEmpty()) {
    return Error{ErrorCode::InvalidArgument, "no image to propagate through", {}};
  }
  const Image& image = *request.image;
  const std::size_t count = sliceCount(image, request.axis);
  if (request.startSlice >= count) {
    return Error{ErrorCode::InvalidArgument, "the start slice is outside the volume", {}};
  }
  const SliceLayout layout = sliceLayout(image, request.axis);
  const int width = static_cast<int>(layout.width), height = static_cast<int>(layout.height);
  if (request.startMask.size() != layout.width * layout.height || area(request.startMask) == 0) {
    return Error{ErrorCode::InvalidArgument, "the start slice has no object to propagate", {}};
  }

  PropagationResult result;
  const std::size_t total = std::max<std::size_t>(1, count - 1);
  std::size_t done = 0;
  for (int direction : {+1, -1}) {
    if ((direction > 0 && !request.forward) || (direction < 0 && !request.backward)) continue;
    PropagationStop& why = direction > 0 ? result.stopForward : result.stopBackward;
    Mask previous = request.startMask;
    std::optional<LowResMask> previousLogits;
    why = {PropagationStop::SliceLimit, 0, 0};
    for (std::size_t step = 1; step <= request.maxSlices; ++step) {
      const long long next =
          static_cast<long long>(request.startSlice) + direction * (long long)step;
      if (next < 0 || next >= static_cast<long long>(count)) {
        why = {PropagationStop::EndOfVolume, 0, 0};
        break;
      }
      if (cancel.isCancelled() ||
          (progress && !progress->report(static_cast<double>(done) / total, "Propagating"))) {
        return Error{ErrorCode::Cancelled, "propagation cancelled", {}};
      }
      ++done;
      const std::size_t index = static_cast<std::size_t>(next);
      Result<RgbImage> rgb = slicePicture(image, request.axis, index, request.window);
      if (!rgb) return rgb.error();
      const ImageKey key = slicePictureKey(request.imageId, request.axis, index, request.window);
      if (Status set = engine.setImage(rgb.value(), key); !set) return set.error();

      const Box box = boundsOf(previous, width);
      Prompt prompt;
      // A margin lets the object grow a little from one slice to the next.
      const int margin = 2;
      prompt.box = PromptBox{static_cast<double>(std::max(0, box.x0 - margin)),
                             static_cast<double>(std::max(0, box.y0 - margin)),
                             static_cast<double>(std::min(width, box.x1 + 1 + margin)),
                             static_cast<double>(std::min(height, box.y1 + 1 + margin))};
      if (auto point = innerPoint(previous, width)) prompt.points.push_back(*point);
      prompt.previous = previousLogits;
      Result<Prediction> prediction = engine.predict(prompt);
      if (!prediction) return prediction.error();
      const Prediction& p = prediction.value();
      const int best = p.best();
      if (p.width != width || p.height != height || best < 0) {
        return Error{ErrorCode::Internal, "the engine answered with a mask of the wrong size", {}};
      }
      const std::size_t n = layout.width * layout.height;
      Mask mask(p.masks.begin() + static_cast<std::ptrdiff_t>(best * n),
                p.masks.begin() + static_cast<std::ptrdiff_t>((best + 1) * n));
      const float iou = p.iou.empty() ? 0.f : p.iou[static_cast<std::size_t>(best)];
      if (iou < request.minIou) {
        why = {PropagationStop::LowIou, index, iou};
        break;
      }
      if (area(mask) < request.minPixels) {
        why = {PropagationStop::Vanished, index, 0};
        break;
      }
      // Overlap with the previous slice's mask, relative to the smaller one: an object that
      // jumps elsewhere is another object.
      std::size_t inter = 0;
      for (std::size_t i = 0; i < n; ++i) inter += (mask[i] && previous[i]) ? 1 : 0;
      const double overlap =
          static_cast<double>(inter) / static_cast<double>(std::min(area(mask), area(previous)));
      if (overlap < request.minOverlap) {
        why = {PropagationStop::MovedAway, index, 0};
        break;
      }
      result.slices.push_back({index, mask, iou});
      previous = std::move(mask);
      if (static_cast<std::size_t>(best) < p.lowRes.size()) previousLogits = p.lowRes[best];
    }
  }
  if (progress) progress->report(1.0, "Propagating");
  return result;
}

}  // namespace medsa::annotations
