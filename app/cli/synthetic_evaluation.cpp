#include "synthetic_evaluation.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <ostream>
#include <vector>

#include "medsa/core/json.h"
#include "medsa/core/synthetic_scene.h"
#include "medsa/model/model_evaluation.h"
#include "number_text.h"

namespace medsa::cli {
namespace {

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

// Means over the objects of one shape kind or one style: where a model falls short shows here
// (thin tubes and rings, nested objects) rather than in the overall mean.
using Groups = std::map<std::string, InteractiveEvaluation>;

Json groupsJson(const Groups& groups) {
  Json::Object out;
  for (const auto& [name, g] : groups) {
    out[name] = Json::Object{{"n", g.objects},
                             {"dice_box", g.diceBox},
                             {"dice_click", g.diceClick},
                             {"noc90", g.noc90},
                             {"nof90", g.failed90}};
  }
  return out;
}

void printGroups(std::ostream& out, const char* title, const Groups& groups) {
  out << title << ":\n";
  for (const auto& [name, g] : groups) {
    out << "  " << std::left << std::setw(12) << name << std::right << std::setw(4) << g.objects
        << " objects  Dice box " << fixed(g.diceBox, 3) << "  click " << fixed(g.diceClick, 3)
        << "  NoC@90 " << fixed(g.noc90, 1) << '\n';
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
  Groups byKind, byStyle;
  for (const ObjectScore& score : evaluation->perObject) {
    const SyntheticScene& scene = scenes.at(std::stoul(score.picture));
    byKind[std::string(shapeKindName(scene.kinds.at(static_cast<std::size_t>(score.object))))]
        .perObject.push_back(score);
    byStyle[std::string(sceneStyleName(scene.style))].perObject.push_back(score);
  }
  for (Groups* groups : {&byKind, &byStyle})
    for (auto& [name, g] : *groups) g.addMeans();
  if (json) {
    Json::Object out = evaluation->toJson().asObject();
    out["model"] = what;
    out["pictures"] = pictures;
    out["seed"] = static_cast<double>(kSyntheticHeldOutSeed);
    out["mix"] = "SceneMix::heldOut";
    out["zoom_in"] = std::string(model::zoomInName(model->options().zoomIn));
    out["by_shape"] = groupsJson(byKind);
    out["by_style"] = groupsJson(byStyle);
    Json::Array curve;
    for (double iou : iouAfterEachClick(evaluation.value())) curve.push_back(iou);
    out["iou_after_click"] = curve;
    context.out << Json(out).dump() << '\n';
    return kExitOk;
  }
  const InteractiveEvaluation& e = evaluation.value();
  context.out << what << " on the held-out synthetic set (" << pictures << " pictures, "
              << e.objects << " objects): Dice after one box " << fixed(e.diceBox, 3)
              << ", after one click " << fixed(e.diceClick, 3) << ", NoC@85 " << fixed(e.noc85, 2)
              << ", NoC@90 " << fixed(e.noc90, 2) << '\n';
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
