#include "medsa/core/promotion_gate.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace medsa {
namespace {

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

struct Sum {
  int objects = 0;
  double dice = 0;
};

std::map<int, Sum> byLabel(const InteractiveEvaluation& evaluation) {
  std::map<int, Sum> sums;
  for (const ObjectScore& score : evaluation.perObject) {
    Sum& sum = sums[score.label];
    ++sum.objects;
    sum.dice += score.clickDice.empty() ? 0.0 : score.clickDice.front();
  }
  return sums;
}

// The score is the mean of two figures; the reason names both, since one may fall while the
// mean rises.
std::string scores(const InteractiveEvaluation& live, const InteractiveEvaluation& candidate,
                   double liveScore, double candidateScore) {
  return "score " + number(liveScore) + " -> " + number(candidateScore) + "; Dice after one box " +
         number(live.diceBox) + " -> " + number(candidate.diceBox) + ", after one click " +
         number(live.diceClick) + " -> " + number(candidate.diceClick);
}

}  // namespace

double promotionScore(const InteractiveEvaluation& evaluation) {
  return (evaluation.diceBox + evaluation.diceClick) / 2;
}

PromotionDecision decidePromotion(const InteractiveEvaluation& live,
                                  const InteractiveEvaluation& candidate,
                                  const PromotionRule& rule) {
  PromotionDecision decision;
  decision.liveScore = promotionScore(live);
  decision.candidateScore = promotionScore(candidate);
  if (live.objects == 0 || live.objects != candidate.objects) {
    decision.reason = "not comparable: measured on " + std::to_string(live.objects) + " and " +
                      std::to_string(candidate.objects) + " held-out objects";
    return decision;
  }
  const std::map<int, Sum> before = byLabel(live), after = byLabel(candidate);
  std::string worse;
  for (const auto& [label, sum] : before) {
    const auto it = after.find(label);
    const Sum other = it == after.end() ? Sum{} : it->second;
    LabelComparison c{label, sum.objects, sum.dice / std::max(1, sum.objects),
                      other.dice / std::max(1, other.objects)};
    decision.labels.push_back(c);
    if (c.candidateDice < c.liveDice - rule.labelMargin && worse.empty())
      worse = "label " + std::to_string(label) + " got worse (Dice after one click " +
              number(c.liveDice) + " -> " + number(c.candidateDice) + ")";
  }
  if (!worse.empty()) {
    decision.reason = worse;
  } else if (candidate.noc90 > live.noc90 + rule.nocMargin) {
    decision.reason =
        "NoC@90 got worse (" + number(live.noc90) + " -> " + number(candidate.noc90) + " clicks)";
  } else if (decision.candidateScore <= decision.liveScore + rule.minGain) {
    decision.reason =
        "no better (" + scores(live, candidate, decision.liveScore, decision.candidateScore) + ")";
  } else {
    decision.promote = true;
    decision.reason =
        "better (" + scores(live, candidate, decision.liveScore, decision.candidateScore) + ")";
  }
  return decision;
}

Json PromotionDecision::toJson() const {
  Json::Array labelsJson;
  for (const LabelComparison& c : labels) {
    labelsJson.push_back(Json(Json::Object{{"label", c.label},
                                           {"objects", c.objects},
                                           {"live_dice_click", c.liveDice},
                                           {"candidate_dice_click", c.candidateDice}}));
  }
  return Json(Json::Object{{"promote", promote},
                           {"reason", reason},
                           {"live_score", liveScore},
                           {"candidate_score", candidateScore},
                           {"labels", Json(std::move(labelsJson))}});
}

}  // namespace medsa
