#pragma once
// Zoom-in (the "Zoom-In" of RITM, Sofiiuk et al. 2022, used by FocalClick and SimpleClick): a box,
// and every click once the object has a mask, is answered in a crop around the object, encoded
// at the model's full input size. The starter model (256-pixel input, 16 x 16 image tokens) then
// sees a small object at up to eight times the detail; on the held-out synthetic set this took
// the Dice after one box from 0.919 to 0.948 and NoC@90 from 8.0 to 4.1
// (docs/models/starter.md). A lone first click says too little about the object's size and is
// answered in the whole picture. The crop follows from the prompt alone (the previous mask, its
// region, the clicks and the box), so answers stay reproducible.

#include <optional>
#include <vector>

#include "medsa/core/prompt.h"
#include "medsa/model/sam_model.h"
#include "preprocess.h"

namespace medsa::model {

struct ZoomGeometry {
  double expansion = 2.0;  ///< crop side / object side (NoC@90 measured with 1.4, 1.7, 2.0 and
                           ///< 2.5, crops cut at the edges: 4.95, 4.42, 4.33, 4.52)
  double minSideFraction = 0.125;  ///< of the picture's longer side: at most 8x the detail
  double keepMargin = 1.2;     ///< a crop is kept while the object, grown this much, lies inside
  double keepShare = 0.5;      ///< and the crop it would get covers at least this share of it
  double wholeFraction = 0.8;  ///< crops of at least this share of the picture: no zoom
};

/// Whether `model` answers boxes and correction clicks in crops: ZoomIn::On, or Auto with an input
/// of at most 512 pixels; never with SD-Trans depth adapters (a crop has no chunk around it).
bool zoomInEnabled(const SamModel& model);

/// The picture pixels covered by the low-res cells > 0 of `logits` (size x size, the frame of
/// `region`, geometry `frame`); nullopt when no cell is positive.
std::optional<PixelRect> positiveExtent(const std::vector<float>& logits, int size,
                                        PixelRect region, const FrameGeometry& frame);

/// The crop to answer in: `content` grown `expansion` times around its centre, each side at least
/// half the other and minSideFraction of the picture's longer side, moved inside the picture (width
/// x height).
PixelRect zoomRegion(PixelRect content, int width, int height, const ZoomGeometry& geometry = {});

/// Whether the next prompt stays in crop `current` when the object's extent is `content` and the
/// crop it would get is `wanted`: the content, grown keepMargin times around its centre, lies
/// inside `current`, and `wanted` covers keepShare of `current` (the object has not shrunk to a
/// corner of it). A new crop costs an encoder run; with this rule 32 % of the held-out
/// correction clicks encode one (61 % when only a crop holding all of `wanted` was kept), for
/// NoC@90 4.38 instead of 4.22.
bool keepsRegion(PixelRect current, PixelRect content, PixelRect wanted,
                 const ZoomGeometry& geometry = {});

/// Low-res logits (size x size) of the frame of region `from` resampled bilinearly into the frame
/// of region `to`; cells of `to` outside `from` or in the frame's padding get `outside`.
std::vector<float> resampleLowRes(const std::vector<float>& logits, int size, PixelRect from,
                                  const FrameGeometry& fromFrame, PixelRect to,
                                  const FrameGeometry& toFrame, float outside);

/// The prompt's points and box in the pixel coordinates of a crop at `region`, without the
/// negative clicks outside it (the previous mask is left as it is).
Prompt promptInRegion(const Prompt& prompt, PixelRect region);

}  // namespace medsa::model
