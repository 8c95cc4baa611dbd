// The synthetic scene generator: reproducible from (seed, index), masks that are what the
// picture shows (visible, disjoint, large enough, with contrast), and mixes that steer shapes
// and styles so that a held-out set differs from training.
#include <QTest>

#include <cmath>
#include <set>

#include "medsa/core/distance_transform.h"
#include "medsa/core/synthetic_scene.h"

using namespace medsa;

namespace {

SceneOptions only(ShapeKind kind, int size = 128) {
  SceneOptions options;
  options.size = size;
  options.mix.shapes.fill(0);
  options.mix.shapes[static_cast<int>(kind)] = 1;
  return options;
}

// The pixels within `width` outside a mask.
std::vector<std::uint8_t> band(const std::vector<std::uint8_t>& mask, int w, int h, double width) {
  std::vector<std::uint8_t> outside(mask.size());
  for (std::size_t i = 0; i < mask.size(); ++i) outside[i] = !mask[i];
  const std::vector<double> toObject = squaredDistanceToOutside(outside.data(), w, h, false);
  std::vector<std::uint8_t> ring(mask.size());
  for (std::size_t i = 0; i < mask.size(); ++i)
    ring[i] = !mask[i] && toObject[i] > 4 && toObject[i] <= width * width;  // skip the blur
  return ring;
}

}  // namespace

class TestSynthetic : public QObject {
  Q_OBJECT

 private slots:
  void sameSeedSameScene() {
    const SceneOptions options;
    const SyntheticScene a = generateScene(9, 3, options), b = generateScene(9, 3, options);
    QVERIFY(a.picture.image == b.picture.image);
    QVERIFY(a.picture.masks == b.picture.masks);
    QCOMPARE(a.picture.id, std::string("synthetic-9-3"));
    QVERIFY(!(generateScene(9, 4, options).picture.image == a.picture.image));
    QVERIFY(!(generateScene(10, 3, options).picture.image == a.picture.image));
  }

  void masksAreVisibleDisjointAndLargeEnough() {
    SceneOptions options;
    options.size = 160;
    int objects = 0;
    for (int i = 0; i < 40; ++i) {
      const SyntheticScene scene = generateScene(1, i, options);
      const LabeledPicture& p = scene.picture;
      QVERIFY(p.isValid());
      QCOMPARE(std::max(p.image.width, p.image.height), 160);
      QCOMPARE(scene.kinds.size(), p.masks.size());
      std::vector<int> owners(p.masks.empty() ? 0 : p.masks.front().size(), 0);
      for (const auto& mask : p.masks) {
        std::int64_t area = 0;
        for (std::size_t k = 0; k < mask.size(); ++k) {
          QVERIFY(mask[k] == 0 || mask[k] == 1);
          area += mask[k];
          owners[k] += mask[k];
        }
        QVERIFY(area >= 40);
        ++objects;
      }
      for (int o : owners) QVERIFY(o <= 1);  // one object per pixel: what the picture shows
    }
    QVERIFY(objects >= 60);
  }

  void objectsStandOutFromTheirSurroundings() {
    SceneOptions options;
    options.size = 128;
    int clear = 0, total = 0;
    for (int i = 0; i < 40; ++i) {
      const SyntheticScene scene = generateScene(2, i, options);
      const LabeledPicture& p = scene.picture;
      for (const auto& mask : p.masks) {
        const auto ring = band(mask, p.image.width, p.image.height, 5);
        if (std::none_of(ring.begin(), ring.end(), [](auto v) { return v != 0; })) continue;
        ++total;
        // Colour objects may differ in hue only: compare each channel.
        double best = 0;
        for (int c = 0; c < 3; ++c) {
          double in = 0, out = 0, nIn = 0, nOut = 0;
          for (std::size_t k = 0; k < mask.size(); ++k) {
            const double v = p.image.pixels[k * 3 + c];
            if (mask[k]) in += v, nIn += 1;
            if (ring[k]) out += v, nOut += 1;
          }
          best = std::max(best, std::fabs(in / nIn - out / nOut));
        }
        clear += best >= 6;
      }
    }
    QVERIFY(total > 50);
    QVERIFY2(clear >= total * 8 / 10, qPrintable(QStringLiteral("%1 of %2").arg(clear).arg(total)));
  }

  void shapeMixSteersTheShapes() {
    for (ShapeKind kind : {ShapeKind::Tube, ShapeKind::Ring, ShapeKind::Nested}) {
      const SceneOptions options = only(kind);
      for (int i = 0; i < 10; ++i) {
        for (ShapeKind k : generateScene(3, i, options).kinds) QVERIFY(k == kind);
      }
    }
  }

  void ringsHaveHoles() {
    const SceneOptions options = only(ShapeKind::Ring);
    int rings = 0, holed = 0;
    for (int i = 0; i < 20; ++i) {
      const SyntheticScene scene = generateScene(4, i, options);
      const int w = scene.picture.image.width, h = scene.picture.image.height;
      for (const auto& mask : scene.picture.masks) {
        ++rings;
        // A hole: a background component that does not touch the picture's edge.
        std::vector<std::uint8_t> background(mask.size());
        for (std::size_t k = 0; k < mask.size(); ++k) background[k] = !mask[k];
        const Components parts = connectedComponents(background.data(), w, h);
        std::set<int> touching;
        for (int x = 0; x < w; ++x) {
          touching.insert(parts.labels[x]);
          touching.insert(parts.labels[(h - 1) * w + x]);
        }
        for (int y = 0; y < h; ++y) {
          touching.insert(parts.labels[y * w]);
          touching.insert(parts.labels[y * w + w - 1]);
        }
        holed += parts.count() > static_cast<int>(touching.size() - touching.count(0));
      }
    }
    QVERIFY(rings >= 15);
    QVERIFY(holed >= rings * 7 / 10);
  }

  void nestedObjectsSitInsideTheirOuterObject() {
    SceneOptions options = only(ShapeKind::Nested);
    options.mix.maxShapes = 1;
    int checked = 0;
    for (int i = 0; i < 20; ++i) {
      const SyntheticScene scene = generateScene(5, i, options);
      const auto& masks = scene.picture.masks;
      if (masks.size() != 2) continue;  // a pair was cut or hidden
      const int w = scene.picture.image.width, h = scene.picture.image.height;
      // The inner object is surrounded by the outer one: growing it by 2 px lands on it.
      const auto& outer = masks[0];
      const auto& inner = masks[1];
      std::vector<std::uint8_t> notInner(inner.size());
      for (std::size_t k = 0; k < inner.size(); ++k) notInner[k] = !inner[k];
      const std::vector<double> d = squaredDistanceToOutside(notInner.data(), w, h, false);
      double around = 0, onOuter = 0;
      for (std::size_t k = 0; k < inner.size(); ++k) {
        if (d[k] > 0 && d[k] <= 4) {
          around += 1;
          onOuter += outer[k];
        }
      }
      if (around > 0 && onOuter / around > 0.6) ++checked;
    }
    QVERIFY(checked >= 8);
  }

  void stylesAreGreyOrColour() {
    SceneOptions options;
    options.size = 96;
    for (SceneStyle style : {SceneStyle::Ct, SceneStyle::Mr, SceneStyle::Ultrasound,
                             SceneStyle::Fundus, SceneStyle::Dermoscopy}) {
      options.mix.styles.fill(0);
      options.mix.styles[static_cast<int>(style)] = 1;
      const SyntheticScene scene = generateScene(6, 0, options);
      QVERIFY(scene.style == style);
      const auto& px = scene.picture.image.pixels;
      bool grey = true;
      for (std::size_t k = 0; k < px.size(); k += 3)
        grey = grey && px[k] == px[k + 1] && px[k] == px[k + 2];
      const bool expectGrey =
          style == SceneStyle::Ct || style == SceneStyle::Mr || style == SceneStyle::Ultrasound;
      QCOMPARE(grey, expectGrey);
    }
  }

  void heldOutMixDiffersFromTraining() {
    QVERIFY(SceneMix::training().shapes != SceneMix::heldOut().shapes);
    QVERIFY(SceneMix::training().styles != SceneMix::heldOut().styles);
    SceneOptions options;
    options.size = 64;
    options.mix = SceneMix::heldOut();
    const std::vector<LabeledPicture> set = generateSceneSet(77, 10, 3, options);
    QCOMPARE(int(set.size()), 3);
    QCOMPARE(set[1].id, std::string("synthetic-77-11"));
    QCOMPARE(shapeKindName(ShapeKind::Touching), std::string_view("touching"));
    QCOMPARE(sceneStyleName(SceneStyle::Dermoscopy), std::string_view("dermoscopy"));
  }

  // The hard mix draws the shapes that take the most clicks more often than training does, and
  // is not the held-out mix either.
  void hardMixFavoursTheHardShapes() {
    const SceneMix hard = SceneMix::hardShapes(), training = SceneMix::training();
    for (ShapeKind kind :
         {ShapeKind::Tube, ShapeKind::Ring, ShapeKind::Nested, ShapeKind::Touching})
      QVERIFY(hard.shapes[int(kind)] > training.shapes[int(kind)]);
    QVERIFY(hard.shapes[int(ShapeKind::Ellipse)] < training.shapes[int(ShapeKind::Ellipse)]);
    QVERIFY(hard.shapes != SceneMix::heldOut().shapes);
    QVERIFY(SceneMix::named("hard")->shapes == hard.shapes);
    QVERIFY(SceneMix::named("training")->shapes == training.shapes);
    QVERIFY(!SceneMix::named("heldOut"));
    // Over many pictures the hard shapes make a larger share of the objects.
    const auto hardShare = [](const SceneMix& mix) {
      SceneOptions options;
      options.size = 64;
      options.mix = mix;
      int hardObjects = 0, objects = 0;
      for (std::uint64_t i = 0; i < 200; ++i) {
        for (ShapeKind kind : generateScene(5, i, options).kinds) {
          ++objects;
          hardObjects += kind == ShapeKind::Tube || kind == ShapeKind::Ring ||
                         kind == ShapeKind::Nested || kind == ShapeKind::Touching;
        }
      }
      return double(hardObjects) / std::max(objects, 1);
    };
    const double hardOfHard = hardShare(hard), hardOfTraining = hardShare(training);
    qInfo("hard shapes: %.2f of the hard mix's objects, %.2f of the training mix's", hardOfHard,
          hardOfTraining);
    QVERIFY(hardOfHard > hardOfTraining + 0.1);
  }
};

QTEST_APPLESS_MAIN(TestSynthetic)
#include "test_core_synthetic.moc"
