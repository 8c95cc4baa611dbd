// What the trainer shares with evaluation and the CLI, without Torch: augmentations that keep
// masks on their objects, and the gate a new adapter must pass to replace the live one.
#include <QTest>

#include "medsa/core/augmentation.h"
#include "medsa/core/promotion_gate.h"

using namespace medsa;

namespace {

/// A 40 x 24 picture: a red block (the object, mask 1) and a green stripe (mask 2).
LabeledPicture picture() {
  LabeledPicture p;
  p.image = RgbImage(40, 24);
  p.masks.assign(2, std::vector<std::uint8_t>(40 * 24, 0));
  p.labels = {3, 7};
  p.id = "test";
  for (int y = 0; y < 24; ++y) {
    for (int x = 0; x < 40; ++x) {
      std::uint8_t* px = p.image.pixel(x, y);
      px[0] = px[1] = px[2] = 60;
      if (x >= 5 && x < 15 && y >= 3 && y < 10) {
        px[0] = 250;
        p.masks[0][static_cast<std::size_t>(y) * 40 + x] = 1;
      }
      if (x >= 30 && x < 33) {
        px[1] = 250;
        p.masks[1][static_cast<std::size_t>(y) * 40 + x] = 1;
      }
    }
  }
  return p;
}

InteractiveEvaluation evaluation(std::vector<std::pair<int, double>> labelDice, double box,
                                 double noc90) {
  InteractiveEvaluation e;
  double sum = 0;
  for (const auto& [label, dice] : labelDice) {
    ObjectScore s;
    s.label = label;
    s.clickDice = {dice};
    e.perObject.push_back(s);
    sum += dice;
  }
  e.objects = static_cast<int>(labelDice.size());
  e.diceClick = sum / e.objects;
  e.diceBox = box;
  e.noc90 = noc90;
  return e;
}

}  // namespace

class TestCoreTraining : public QObject {
  Q_OBJECT

 private slots:
  void masksFollowTheirObjects() {
    const LabeledPicture source = picture();
    AugmentOptions geometryOnly;
    geometryOnly.contrast = geometryOnly.brightness = geometryOnly.gamma = 0;
    geometryOnly.scale = geometryOnly.shift = 0;
    int turned = 0;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
      const LabeledPicture out = augment(source, seed, geometryOnly);
      QCOMPARE(out.labels, source.labels);
      QCOMPARE(out.image.width * out.image.height, 40 * 24);
      turned += out.image.width == 24 ? 1 : 0;
      std::size_t red = 0, green = 0;
      for (int y = 0; y < out.image.height; ++y) {
        for (int x = 0; x < out.image.width; ++x) {
          const std::size_t i = static_cast<std::size_t>(y) * out.image.width + x;
          const std::uint8_t* px = out.image.pixels.data() + i * 3;
          QCOMPARE(out.masks[0][i] != 0, px[0] == 250);  // mask and pixels moved together
          QCOMPARE(out.masks[1][i] != 0, px[1] == 250);
          red += out.masks[0][i];
          green += out.masks[1][i];
        }
      }
      QCOMPARE(red, std::size_t(70));  // nothing lost without scale or shift
      QCOMPARE(green, std::size_t(72));
    }
    QVERIFY(turned > 0 && turned < 40);  // some quarter turns, not all
  }

  void theSameSeedGivesTheSameCopy() {
    const LabeledPicture source = picture();
    const LabeledPicture a = augment(source, 17), b = augment(source, 17), c = augment(source, 18);
    QCOMPARE(a.image.pixels, b.image.pixels);
    QCOMPARE(a.masks, b.masks);
    QVERIFY(a.image.pixels != c.image.pixels || a.masks != c.masks);
  }

  void intensityChangesLeaveMasksAlone() {
    const LabeledPicture source = picture();
    AugmentOptions intensityOnly;
    intensityOnly.flips = intensityOnly.rotations = false;
    intensityOnly.scale = intensityOnly.shift = 0;
    bool changed = false;
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const LabeledPicture out = augment(source, seed, intensityOnly);
      QCOMPARE(out.masks, source.masks);
      changed |= out.image.pixels != source.image.pixels;
    }
    QVERIFY(changed);
  }

  void theGatePromotesOnlyWhatIsBetterForEveryLabel() {
    const InteractiveEvaluation live = evaluation({{1, 0.60}, {1, 0.70}, {2, 0.50}}, 0.80, 4.0);
    // Better everywhere.
    PromotionDecision d =
        decidePromotion(live, evaluation({{1, 0.70}, {1, 0.80}, {2, 0.55}}, 0.85, 3.0));
    QVERIFY2(d.promote, d.reason.c_str());
    QCOMPARE(d.labels.size(), std::size_t(2));
    // Both figures behind the score are named: one of them may fall while the mean rises.
    QCOMPARE(QString::fromStdString(d.reason),
             QStringLiteral("better (score 0.700 -> 0.767; Dice after one box 0.800 -> 0.850, "
                            "after one click 0.600 -> 0.683)"));
    // Better on average, but label 2 loses more than the margin.
    d = decidePromotion(live, evaluation({{1, 0.90}, {1, 0.95}, {2, 0.40}}, 0.85, 3.0));
    QVERIFY(!d.promote);
    QVERIFY2(d.reason.find("label 2") != std::string::npos, d.reason.c_str());
    // Equal: no gain, no promotion.
    d = decidePromotion(live, live);
    QVERIFY(!d.promote);
    QVERIFY(d.reason.find("no better") != std::string::npos);
    // More clicks to 90 %.
    d = decidePromotion(live, evaluation({{1, 0.70}, {1, 0.80}, {2, 0.55}}, 0.85, 5.0));
    QVERIFY(!d.promote);
    QVERIFY(d.reason.find("NoC@90") != std::string::npos);
    // Measured on other objects: not comparable.
    d = decidePromotion(live, evaluation({{1, 0.9}}, 0.9, 1.0));
    QVERIFY(!d.promote);
    QVERIFY(d.reason.find("not comparable") != std::string::npos);
    QVERIFY(d.toJson().find("reason") != nullptr);
  }
};

QTEST_APPLESS_MAIN(TestCoreTraining)
#include "test_core_training.moc"
