// Dice / IoU / NoC on constructed masks, and the interactive evaluation protocol driven through
// a scripted engine whose answers (and hence every number) are known in advance.
#include <QTest>

#include <cmath>

#include "medsa/core/interactive_evaluation.h"
#include "medsa/core/segmentation_metrics.h"

using namespace medsa;

namespace {

using Mask = std::vector<std::uint8_t>;
constexpr int kSide = 64;

Mask disc(double cx, double cy, double r) {
  Mask m(kSide * kSide, 0);
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) m[y * kSide + x] = std::hypot(x - cx, y - cy) <= r;
  return m;
}

// Answers a box with the disc inscribed in it; clicks with a disc around the first click whose
// radius grows by 2 with every click (4, 6, 8, 10, ...). A lone click gets three candidates:
// a useless one with a low predicted IoU, the disc, and an empty one.
class ScriptedEngine : public SegmentationEngine {
 public:
  Status setImage(const RgbImage& image, const ImageKey& key, ProgressSink*) override {
    ++images;
    lastKey = key.imageId;
    if (image.width != kSide) return Error{ErrorCode::InvalidArgument, "size", {}};
    return {};
  }
  Result<Prediction> predict(const Prompt& prompt) override {
    prompts.push_back(prompt);
    Prediction p;
    p.width = p.height = kSide;
    std::vector<Mask> candidates;
    if (prompt.box) {
      const PromptBox& b = *prompt.box;
      candidates.push_back(disc((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, (b.x1 - b.x0) / 2));
      p.iou = {0.9f};
    } else {
      const PromptPoint& c = prompt.points.front();
      const Mask grown = disc(c.x, c.y, 4.0 + 2.0 * (prompt.points.size() - 1));
      if (prompt.multimask) {
        candidates = {disc(5, 5, 3), grown, Mask(kSide * kSide, 0)};
        p.iou = {0.2f, 0.8f, 0.1f};
      } else {
        candidates = {grown};
        p.iou = {0.9f};
      }
    }
    p.count = static_cast<int>(candidates.size());
    for (const Mask& m : candidates) {
      p.masks.insert(p.masks.end(), m.begin(), m.end());
      p.lowRes.push_back(
          {4, std::vector<float>(16, static_cast<float>(p.lowRes.size())), std::nullopt});
    }
    return p;
  }
  std::string modelVersion() const override { return "scripted"; }

  int images = 0;
  std::string lastKey;
  std::vector<Prompt> prompts;
};

}  // namespace

class TestMetrics : public QObject {
  Q_OBJECT

 private slots:
  void diceAndIouOnKnownMasks() {
    const Mask a = {1, 1, 1, 1, 0, 0, 0, 0};
    const Mask b = {0, 0, 1, 1, 1, 1, 0, 0};
    QCOMPARE(dice(a, b), 0.5);
    QCOMPARE(iou(a, b), 2.0 / 6.0);
    QCOMPARE(dice(a, a), 1.0);
    QCOMPARE(iou(a, Mask(8, 0)), 0.0);
    QCOMPARE(dice(Mask(8, 0), Mask(8, 0)), 1.0);  // nothing to find, nothing found
    const Overlap o = overlap(a, b);
    QCOMPARE(o.intersection, std::int64_t(2));
    QCOMPARE(o.predicted, std::int64_t(4));
    QCOMPARE(o.target, std::int64_t(4));
  }

  void clicksToReachIsOneBasedAndCapped() {
    const std::vector<double> curve = {0.5, 0.86, 0.91, 0.95};
    QCOMPARE(clicksToReach(curve, 0.85), 2);
    QCOMPARE(clicksToReach(curve, 0.90), 3);
    QCOMPARE(clicksToReach(curve, 0.99), 20);
    QCOMPARE(clicksToReach({0.95}, 0.90), 1);
    QCOMPARE(clicksToReach(curve, 0.90, 2), 2);  // the cap also bounds the clicks looked at
    QCOMPARE(clicksToReach({}, 0.85), 20);
  }

  void protocolOnAScriptedEngine() {
    LabeledPicture picture;
    picture.image = RgbImage(kSide, kSide);
    picture.id = "disc";
    picture.masks = {disc(32, 32, 10), Mask(kSide * kSide, 0)};  // the empty one is skipped
    ScriptedEngine engine;
    Result<InteractiveEvaluation> result = evaluateInteractive(engine, {picture});
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().describe().c_str());
    const InteractiveEvaluation& e = result.value();
    QCOMPARE(e.objects, 1);
    QCOMPARE(engine.images, 1);
    QVERIFY(engine.lastKey.find("disc") != std::string::npos);

    // The box [22, 42] gives back the disc itself.
    QCOMPARE(e.diceBox, 1.0);
    // Clicks: radius 4, 6, 8, 10 around the centre; the fourth click reaches the target.
    const ObjectScore& s = e.perObject.front();
    QCOMPARE(int(s.clickIou.size()), 4);
    const Mask target = disc(32, 32, 10);
    QCOMPARE(s.clickIou[0], iou(disc(32, 32, 4), target));
    QCOMPARE(e.diceClick, dice(disc(32, 32, 4), target));  // the best-IoU candidate was taken
    QCOMPARE(s.clickIou[3], 1.0);
    QCOMPARE(s.noc85, 4);
    QCOMPARE(e.noc90, 4.0);
    QCOMPARE(e.failed90, 0.0);

    // What the engine was asked: box, then a multimask click, then single-mask corrections,
    // positive (the misses are inside the object), each with the chosen candidate fed back.
    QCOMPARE(int(engine.prompts.size()), 5);
    QVERIFY(engine.prompts[0].box && engine.prompts[0].points.empty());
    QVERIFY(engine.prompts[1].multimask && !engine.prompts[1].previous);
    QVERIFY(engine.prompts[1].points.front() == (PromptPoint{32, 32, true}));
    for (int i = 2; i < 5; ++i) {
      const Prompt& p = engine.prompts[i];
      QVERIFY(!p.multimask);
      QCOMPARE(int(p.points.size()), i);
      QVERIFY(p.points.back().positive);
      QVERIFY(p.previous);
    }
    QCOMPARE(engine.prompts[2].previous->logits.front(), 1.0f);  // candidate 1 of the three

    const Json json = e.toJson();
    for (const char* key : {"n", "dice_box", "dice_click", "noc85", "noc90"})
      QVERIFY2(json.find(key) && json.find(key)->isNumber(), key);
  }

  void neverReachingCountsTheCap() {
    LabeledPicture picture;
    picture.image = RgbImage(kSide, kSide);
    picture.masks = {disc(32, 32, 30)};  // the scripted discs need 14 clicks
    ScriptedEngine engine;
    InteractiveEvalOptions options;
    options.maxClicks = 5;
    const InteractiveEvaluation e = evaluateInteractive(engine, {picture}, options).value();
    QCOMPARE(int(e.perObject.front().clickIou.size()), 5);
    QCOMPARE(e.noc90, 5.0);
    QCOMPARE(e.failed90, 1.0);
  }

  void rejectsInconsistentPictures() {
    LabeledPicture picture;
    picture.image = RgbImage(kSide, kSide);
    picture.masks = {Mask(10, 1)};
    picture.id = "bad.png";
    ScriptedEngine engine;
    Result<InteractiveEvaluation> result = evaluateInteractive(engine, {picture});
    QVERIFY(!result.ok());
    QCOMPARE(result.error().path, std::string("bad.png"));
  }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_core_metrics.moc"
