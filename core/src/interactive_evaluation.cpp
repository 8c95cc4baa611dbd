#include "medsa/core/interactive_evaluation.h"

#include <chrono>

#include "medsa/core/prompt_simulation.h"
#include "medsa/core/segmentation_metrics.h"

namespace medsa {
namespace {

// The candidate the app would show: the best predicted IoU among several, else the only one.
std::vector<std::uint8_t> chosenMask(const Prediction& prediction, int& index) {
  index = prediction.count > 1 ? prediction.best() : 0;
  const std::size_t n = static_cast<std::size_t>(prediction.width) * prediction.height;
  const auto begin = prediction.masks.begin() + static_cast<std::ptrdiff_t>(index * n);
  return std::vector<std::uint8_t>(begin, begin + static_cast<std::ptrdiff_t>(n));
}

Status checkPrediction(const Prediction& prediction, const LabeledPicture& picture) {
  const std::size_t n = static_cast<std::size_t>(picture.image.width) * picture.image.height;
  if (prediction.width != picture.image.width || prediction.height != picture.image.height ||
      prediction.count < 1 || prediction.masks.size() < n * prediction.count) {
    return Error{ErrorCode::Internal, "the engine answered with masks of another size", picture.id};
  }
  return {};
}

}  // namespace

Json InteractiveEvaluation::toJson() const {
  return Json::Object{{"n", objects},          {"dice_box", diceBox},
                      {"iou_box", iouBox},     {"dice_click", diceClick},
                      {"iou_click", iouClick}, {"noc85", noc85},
                      {"noc90", noc90},        {"nof90", failed90},
                      {"seconds", seconds}};
}

void InteractiveEvaluation::addMeans() {
  const double n = static_cast<double>(perObject.size());
  objects = static_cast<int>(perObject.size());
  diceBox = iouBox = diceClick = iouClick = noc85 = noc90 = failed90 = 0;
  for (const ObjectScore& s : perObject) {
    diceBox += s.boxDice / n;
    iouBox += s.boxIou / n;
    diceClick += s.clickDice.front() / n;
    iouClick += s.clickIou.front() / n;
    noc85 += s.noc85 / n;
    noc90 += s.noc90 / n;
    failed90 += (s.clickIou.back() < 0.90 ? 1.0 : 0.0) / n;
  }
}

Result<InteractiveEvaluation> evaluateInteractive(SegmentationEngine& engine,
                                                  const std::vector<LabeledPicture>& pictures,
                                                  const InteractiveEvalOptions& options,
                                                  ProgressSink* progress) {
  const auto start = std::chrono::steady_clock::now();
  InteractiveEvaluation result;
  for (std::size_t p = 0; p < pictures.size(); ++p) {
    const LabeledPicture& picture = pictures[p];
    if (!picture.isValid()) {
      return Error{
          ErrorCode::InvalidArgument,
          "evaluation picture " + std::to_string(p) + " is empty or has a mask of another size",
          picture.id};
    }
    if (progress && !progress->report(static_cast<double>(p) / pictures.size(), "Evaluating"))
      return Error{ErrorCode::Cancelled, "evaluation cancelled", {}};
    const ImageKey key{options.keyPrefix + ":" + std::to_string(p) + ":" + picture.id, 0, 0, 0, 0};
    if (Status status = engine.setImage(picture.image, key); !status) return status.error();
    const MaskView size(nullptr, picture.image.width, picture.image.height);
    for (std::size_t m = 0; m < picture.masks.size(); ++m) {
      const std::vector<std::uint8_t>& target = picture.masks[m];
      const MaskView targetView(target, size.width, size.height);
      const std::optional<PromptBox> box = boxFromMask(targetView);
      if (!box) continue;  // an empty mask: nothing to segment
      ObjectScore score;
      score.picture = picture.id;
      score.object = static_cast<int>(m);
      score.label = m < picture.labels.size() ? picture.labels[m] : 0;

      Prompt boxPrompt;
      boxPrompt.box = box;
      Result<Prediction> boxed = engine.predict(boxPrompt);
      if (!boxed.ok()) return boxed.error();
      if (Status s = checkPrediction(boxed.value(), picture); !s) return s.error();
      int chosen = 0;
      const Overlap boxOverlap = overlap(chosenMask(boxed.value(), chosen), target);
      score.boxDice = boxOverlap.dice();
      score.boxIou = boxOverlap.iou();

      Prompt prompt;
      prompt.points.push_back(*centralClick(targetView));
      prompt.multimask = true;  // one click is ambiguous; the app asks for three candidates
      for (int click = 1; click <= options.maxClicks; ++click) {
        Result<Prediction> predicted = engine.predict(prompt);
        if (!predicted.ok()) return predicted.error();
        if (Status s = checkPrediction(predicted.value(), picture); !s) return s.error();
        const std::vector<std::uint8_t> mask = chosenMask(predicted.value(), chosen);
        const Overlap o = overlap(mask, target);
        score.clickIou.push_back(o.iou());
        score.clickDice.push_back(o.dice());
        if (o.iou() >= options.stopIou || click == options.maxClicks) break;
        const std::optional<PromptPoint> next =
            correctionClick(targetView, MaskView(mask, size.width, size.height), prompt.points);
        if (!next) break;  // cannot happen below stopIou, but never loop on a perfect mask
        prompt.points.push_back(*next);
        prompt.multimask = false;
        prompt.previous = predicted->lowRes[static_cast<std::size_t>(chosen)];
      }
      score.noc85 = clicksToReach(score.clickIou, 0.85, options.maxClicks);
      score.noc90 = clicksToReach(score.clickIou, 0.90, options.maxClicks);
      result.perObject.push_back(std::move(score));
    }
  }
  result.addMeans();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) progress->report(1.0, "Evaluating");
  return result;
}

}  // namespace medsa
