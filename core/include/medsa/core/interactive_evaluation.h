#pragma once
// The deterministic interactive protocol that every number of ours is measured with: per object
// a tight box (Dice after one box), then a first click at the object's centre (multimask, the
// candidate with the highest predicted IoU, as the app shows it) and correction clicks at the
// centre of the largest error region with the previous low-res logits fed back, up to 20 clicks.

#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/json.h"
#include "medsa/core/labeled_picture.h"
#include "medsa/core/progress.h"
#include "medsa/core/segmentation_engine.h"

namespace medsa {

struct InteractiveEvalOptions {
  int maxClicks = 20;     ///< the NoC cap
  double stopIou = 0.90;  ///< no more clicks once an object reached this IoU (NoC@90 is known)
  std::string keyPrefix = "eval";  ///< embedding-cache keys: prefix:picture index
};

struct ObjectScore {
  std::string picture;
  int object = 0;
  int label = 0;  ///< the mask's label value (LabeledPicture::labels), 0 when not given
  double boxDice = 0, boxIou = 0;
  std::vector<double> clickIou;   ///< after click 1, 2, ... (stops at stopIou or maxClicks)
  std::vector<double> clickDice;  ///< likewise
  int noc85 = 0, noc90 = 0;
};

struct InteractiveEvaluation {
  int objects = 0;
  double diceBox = 0, iouBox = 0;      ///< means after one box
  double diceClick = 0, iouClick = 0;  ///< means after one click
  double noc85 = 0, noc90 = 0;         ///< mean clicks to IoU 0.85 / 0.90, capped
  double failed90 = 0;                 ///< fraction of objects that never reached 0.90
  double seconds = 0;
  std::vector<ObjectScore> perObject;

  /// Sets the means above (and `objects`) from perObject: a subset's means (one shape kind,
  /// one label) by the same rules as the whole set's.
  void addMeans();

  /// {"n", "dice_box", "iou_box", "dice_click", "iou_click", "noc85", "noc90", "nof90",
  /// "seconds"}: the keys `medsa evaluate` and `medsa pretrain` print.
  Json toJson() const;
};

/// Runs the protocol on every non-empty mask of every picture with `engine`. Empty masks are
/// skipped. The progress sink can stop the run (ErrorCode::Cancelled).
Result<InteractiveEvaluation> evaluateInteractive(SegmentationEngine& engine,
                                                  const std::vector<LabeledPicture>& pictures,
                                                  const InteractiveEvalOptions& options = {},
                                                  ProgressSink* progress = nullptr);

}  // namespace medsa
