#pragma once
// Simulated annotators: the prompts a user would give for an object, computed from its mask.
// Shared by pre-training, the background trainer and `medsa evaluate`, so that every number we
// report was measured with the same protocol (docs/models/starter.md describes it).

#include <cstdint>
#include <optional>
#include <vector>

#include "medsa/core/prompt.h"
#include "medsa/core/random.h"

namespace medsa {

/// A binary mask and its size; non-zero = object. Does not own the pixels.
struct MaskView {
  const std::uint8_t* pixels = nullptr;
  int width = 0;
  int height = 0;
  MaskView() = default;
  MaskView(const std::uint8_t* p, int w, int h) : pixels(p), width(w), height(h) {}
  MaskView(const std::vector<std::uint8_t>& mask, int w, int h) : MaskView(mask.data(), w, h) {}
};

/// The tight box around the object, in SAM's convention: (x0, y0) the first and (x1, y1) the
/// last pixel column and row that hold object pixels. nullopt for an empty mask.
std::optional<PromptBox> boxFromMask(MaskView mask);

/// The box with each side moved independently by up to `fraction` of the box's width (x) or
/// height (y), uniformly, kept inside the picture. fraction 0.1 = the 0-10 % jitter of training.
PromptBox jitterBox(const PromptBox& box, double fraction, int width, int height, Rng& rng);

/// The object pixel farthest from the object's boundary and from the picture's edge (exact
/// Euclidean distance); of tied pixels (a ridge), the one nearest to their centroid, then the
/// first in raster order. nullopt when empty.
std::optional<PromptPoint> centralClick(MaskView mask);

/// A pixel drawn uniformly among the object's pixels whose distance to the boundary is at least
/// `minFraction` of the largest such distance (a user clicks well inside, but not at the centre).
std::optional<PromptPoint> randomInteriorClick(MaskView mask, Rng& rng, double minFraction = 0.3);

/// The next correction click of the deterministic protocol (RITM / SAM evaluation, CVPR 2025
/// interactive challenge): the largest connected error region, false negatives (target, not
/// predicted) and false positives (predicted, not target) alike, gets a click at its
/// distance-transform maximum; positive for a false negative, negative for a false positive.
/// Pixels of `earlier` clicks count as boundary, so a click that did not help is not repeated.
/// nullopt when the prediction equals the target.
std::optional<PromptPoint> correctionClick(MaskView target, MaskView predicted,
                                           const std::vector<PromptPoint>& earlier = {});

/// The training variant: an error region drawn with probability proportional to its area, the
/// click uniform among its pixels at least half its largest boundary distance inside (RITM's
/// training sampler). nullopt when the prediction equals the target.
std::optional<PromptPoint> randomCorrectionClick(MaskView target, MaskView predicted, Rng& rng);

}  // namespace medsa
