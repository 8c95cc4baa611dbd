#pragma once

#include <string>
#include <vector>

#include "medsa/core/interactive_evaluation.h"
#include "medsa/core/json.h"

namespace medsa {

/// When a new adapter may replace the live one. Both are measured on the same held-out objects
/// with the same deterministic protocol, so the numbers compare.
struct PromotionRule {
  /// The score (mean Dice after one box and after one click) must rise by more than this.
  double minGain = 0.005;
  /// No label's mean Dice after one click may fall by more than this: a gain on the common
  /// structure must not hide a loss on a rare one.
  double labelMargin = 0.02;
  /// NoC@90 may not rise by more than this many clicks.
  double nocMargin = 0.25;
};

struct LabelComparison {
  int label = 0;
  int objects = 0;
  double liveDice = 0;       ///< mean Dice after one click, live adapter
  double candidateDice = 0;  ///< likewise, the new one
};

struct PromotionDecision {
  bool promote = false;
  std::string reason;  ///< why, in one English sentence (logs, CLI, the trainer panel)
  double liveScore = 0, candidateScore = 0;
  std::vector<LabelComparison> labels;
  Json toJson() const;
};

/// The score used to rank adapters: mean of Dice after one box and after one click.
double promotionScore(const InteractiveEvaluation& evaluation);

/// Decides whether `candidate` replaces `live`. Refuses when they were not measured on the same
/// objects (the held-out split changed), when the score does not rise by more than minGain,
/// when NoC@90 gets worse, or when any label gets worse by more than labelMargin.
PromotionDecision decidePromotion(const InteractiveEvaluation& live,
                                  const InteractiveEvaluation& candidate,
                                  const PromotionRule& rule = {});

}  // namespace medsa
