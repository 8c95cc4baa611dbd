#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "medsa/annotations/mask_ops.h"
#include "medsa/core/error.h"
#include "medsa/core/image.h"
#include "medsa/core/progress.h"
#include "medsa/core/segmentation_engine.h"
#include "medsa/core/slice.h"
#include "medsa/core/window_level.h"

namespace medsa::annotations {

struct PropagationRequest {
  std::shared_ptr<const Image> image;
  std::string imageId;  ///< for the engine's embedding cache
  SliceAxis axis = SliceAxis::Axial;
  std::size_t startSlice = 0;
  Mask startMask;  ///< the accepted object on startSlice, display-oriented
  WindowLevel window;
  bool forward = true;             ///< towards higher slice indices
  bool backward = true;            ///< towards lower ones
  double minIou = 0.5;             ///< stop when the engine's predicted IoU falls below this
  std::size_t minPixels = 8;       ///< stop when the object shrinks below this (it vanished)
  double minOverlap = 0.2;         ///< stop when a slice's mask overlaps its neighbour's less
  std::size_t maxSlices = 100000;  ///< per direction
};

struct PropagatedSlice {
  std::size_t index = 0;
  Mask mask;
  float iou = 0;
};

/// Why propagation stopped in one direction: a code and its figures, so that the window can
/// say it in the user's language (slices counted from 1, as the views show them).
struct PropagationStop {
  enum Kind {
    NotRun,  ///< this direction was not asked for
    EndOfVolume,
    SliceLimit,  ///< maxSlices reached
    LowIou,      ///< the predicted IoU fell below minIou at `slice`
    Vanished,    ///< the object became smaller than minPixels at `slice`
    MovedAway,   ///< the mask overlapped the previous one less than minOverlap at `slice`
  };
  Kind kind = NotRun;
  std::size_t slice = 0;  ///< 0-based slice index where it stopped
  double iou = 0;         ///< the predicted IoU there (LowIou)
};

struct PropagationResult {
  std::vector<PropagatedSlice> slices;  ///< in the order they were computed
  PropagationStop stopForward, stopBackward;
};

/// The slices an earlier propagation wrote: it started at `seed` and reached [low, high].
struct PropagationExtent {
  std::size_t seed = 0;
  std::size_t low = 0;
  std::size_t high = 0;
};

struct PropagationDirections {
  bool forward = true;
  bool backward = true;
};

/// Which way to propagate from `start`. A start inside an earlier run (not its seed) is a
/// correction of that run: only the part beyond it, away from the seed, is redone; the slices
/// between the seed and the correction stay as they are. Anywhere else: both ways.
PropagationDirections rerunDirections(std::size_t start, const PropagationExtent& earlier);

/// Carries an object from one slice to its neighbours: each next slice is prompted with the
/// previous slice's box, a positive point inside it and its low-res logits, and propagation stops
/// in a direction when the predicted IoU drops, the object vanishes or jumps elsewhere. Runs on
/// the engine's owner thread; reports progress and honours cancellation (ErrorCode::Cancelled).
Result<PropagationResult> propagate(SegmentationEngine& engine, const PropagationRequest& request,
                                    ProgressSink* progress = nullptr,
                                    CancellationToken cancel = {});

}  // namespace medsa::annotations
