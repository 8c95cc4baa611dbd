#include "synthetic_evaluation.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <vector>

#include "medsa/core/json.h"
#include "medsa/core/synthetic_scene.h"
#include "medsa/model/model_evaluation.h"

namespace medsa::cli {
namespace {

// Means over the objects of one shape kind or one style: where a model falls short shows here
// (thin tubes and rings, nested objects) rather than in the overall mean.
struct GroupMeans {
  int objects = 0;
  double diceBox = 0, diceClick = 0, noc90 = 0, failed90 = 0;

  void add(const ObjectScore& score) {
    ++objects;
    diceBox += score.boxDice;
    diceClick += score.clickDice.empty() ? 0 : score.clickDice.front();
    noc90 += score.noc90;
    failed90 += score.clickIou.empty() || score.clickIou.back() < 0.90 ? 1 : 0;
  }
  Json toJson() const {
    const double n = objects;
    return Json::Object{{"n", objects},
                        {"dice_box", diceBox / n},
                        {"dice_click", diceClick / n},
                        {"noc90", noc90 / n},
                        {"nof90", failed90 / n}};
  }
};

std::string fixed(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

// Mean IoU after each click (1..maxClicks); an object that reached the protocol's stop keeps
// its last IoU. Shows whether later clicks still help or the model stops using them.
std::vector<double> iouAfterEachClick(const InteractiveEvaluation& e) {
  const int clicks = InteractiveEvalOptions{}.maxClicks;
  std::vector<double> mean(static_cast<std::size_t>(clicks), 0.0);
  if (e.perObject.empty()) return mean;
  for (const ObjectScore& score : e.perObject) {
    if (score.clickIou.empty()) continue;
    for (std::size_t k = 0; k < mean.size(); ++k)
      mean[k] += score.clickIou[std::min(k, score.clickIou.size() - 1)];
  }
  for (double& m : mean) m /= static_cast<double>(e.perObject.size());
  return mean;
}

void printGroups(std::ostream& out, const char* title,
                 const std::map<std::string, GroupMeans>& groups) {
  out << title << ":\n";
  for (const auto& [name, g] : groups) {
    out << "  " << std::left << std::setw(12) << name << std::right << std::setw(4) << g.objects
        << " objects  Dice box " << fixed(g.diceBox / g.objects, 3) << "  click "
        << fixed(g.diceClick / g.objects, 3) << "  NoC@90 " << fixed(g.noc90 / g.objects, 1)
        << '\n';
  }
}

}  // namespace

int runSyntheticEvaluation(CommandContext& context, std::shared_ptr<model::SamModel> model,
                           const std::string& what, int pictures, bool json) {
  SceneOptions options;  // 256-pixel pictures, as the starter model is trained on
  options.mix = SceneMix::heldOut();
  std::vector<SyntheticScene> scenes;
  std::vector<LabeledPicture> labeled;
  for (int i = 0; i < pictures; ++i) {
    scenes.push_back(generateScene(kSyntheticHeldOutSeed, static_cast<std::uint64_t>(i), options));
    labeled.push_back(scenes.back().picture);
    labeled.back().id = std::to_string(i);  // names the scene in the per-object scores
  }
  Result<InteractiveEvaluation> evaluation = model::evaluateModel(model, labeled);
  if (!evaluation.ok()) {
    context.err << "medsa evaluate: " << evaluation.error().describe() << '\n';
    return kExitFailure;
  }
  std::map<std::string, GroupMeans> byKind, byStyle;
  for (const ObjectScore& score : evaluation->perObject) {
    const SyntheticScene& scene = scenes.at(std::stoul(score.picture));
    byKind[std::string(shapeKindName(scene.kinds.at(static_cast<std::size_t>(score.object))))]
        .add(score);
    byStyle[std::string(sceneStyleName(scene.style))].add(score);
  }
  if (json) {
    Json::Object out = evaluation->toJson().asObject();
    out["model"] = what;
    out["pictures"] = pictures;
    out["seed"] = static_cast<double>(kSyntheticHeldOutSeed);
    out["mix"] = "SceneMix::heldOut";
    Json::Object kinds, styles;
    for (const auto& [name, g] : byKind) kinds[name] = g.toJson();
    for (const auto& [name, g] : byStyle) styles[name] = g.toJson();
    out["by_shape"] = kinds;
    out["by_style"] = styles;
    Json::Array curve;
    for (double iou : iouAfterEachClick(evaluation.value())) curve.push_back(iou);
    out["iou_after_click"] = curve;
    context.out << Json(out).dump() << '\n';
    return kExitOk;
  }
  const InteractiveEvaluation& e = evaluation.value();
  context.out << what << " on the held-out synthetic set (" << pictures << " pictures, "
              << e.objects << " objects): Dice after one box " << fixed(e.diceBox, 3)
              << ", after one click " << fixed(e.diceClick, 3) << ", NoC@85 "
              << fixed(e.noc85, 2) << ", NoC@90 " << fixed(e.noc90, 2) << '\n';
  const std::vector<double> curve = iouAfterEachClick(e);
  context.out << "mean IoU after click";
  for (const std::size_t k : {1, 2, 3, 5, 10, 20})
    if (k <= curve.size()) context.out << "  " << k << ": " << fixed(curve[k - 1], 3);
  context.out << '\n';
  printGroups(context.out, "by shape", byKind);
  printGroups(context.out, "by style", byStyle);
  return kExitOk;
}

}  // namespace medsa::cli
