// Prompt simulation from masks: the exact distance transform, connected components, boxes with
// jitter, the central first click and the correction clicks of the deterministic protocol.
#include <QTest>

#include <cmath>
#include <limits>

#include "medsa/core/distance_transform.h"
#include "medsa/core/prompt_simulation.h"
#include "medsa/core/random.h"

using namespace medsa;

namespace {

using Mask = std::vector<std::uint8_t>;

Mask disc(int width, int height, double cx, double cy, double r) {
  Mask m(static_cast<std::size_t>(width) * height, 0);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) m[y * width + x] = std::hypot(x - cx, y - cy) <= r;
  return m;
}

Mask rect(int width, int height, int x0, int y0, int x1, int y1) {  // inclusive corners
  Mask m(static_cast<std::size_t>(width) * height, 0);
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) m[y * width + x] = 1;
  return m;
}

// Squared distance to the nearest outside pixel (or beyond the border), by brute force.
double bruteForce(const Mask& m, int width, int height, int x, int y, bool border) {
  if (!m[y * width + x]) return 0;
  double best = std::numeric_limits<double>::infinity();
  for (int v = -1; v <= height; ++v) {
    for (int u = -1; u <= width; ++u) {
      const bool beyond = u < 0 || v < 0 || u >= width || v >= height;
      if (beyond ? !border : m[v * width + u] != 0) continue;
      best = std::min(best, double(u - x) * (u - x) + double(v - y) * (v - y));
    }
  }
  return best;
}

bool inside(const Mask& m, int width, const PromptPoint& p) {
  return m[static_cast<int>(p.y) * width + static_cast<int>(p.x)] != 0;
}

}  // namespace

class TestPrompts : public QObject {
  Q_OBJECT

 private slots:
  void distanceTransformIsExact() {
    Rng rng(5);
    for (int trial = 0; trial < 20; ++trial) {
      const int width = rng.uniformInt(1, 23), height = rng.uniformInt(1, 19);
      Mask m(static_cast<std::size_t>(width) * height);
      const double density = rng.uniform(0.5, 0.97);
      for (auto& v : m) v = rng.bernoulli(density);
      for (bool border : {true, false}) {
        const std::vector<double> d = squaredDistanceToOutside(m.data(), width, height, border);
        if (!border && std::all_of(m.begin(), m.end(), [](auto v) { return v != 0; })) continue;
        for (int y = 0; y < height; ++y)
          for (int x = 0; x < width; ++x)
            QCOMPARE(d[y * width + x], bruteForce(m, width, height, x, y, border));
      }
    }
  }

  void componentsAreEightConnectedInRasterOrder() {
    // Two blobs; the right one is two pixels touching only at a corner.
    Mask m = rect(8, 6, 0, 0, 1, 1);
    m[2 * 8 + 5] = 1;
    m[3 * 8 + 6] = 1;
    const Components c = connectedComponents(m.data(), 8, 6);
    QCOMPARE(c.count(), 2);
    QCOMPARE(c.areas[0], std::int64_t(4));
    QCOMPARE(c.areas[1], std::int64_t(2));
    QCOMPARE(c.labels[0], 1);
    QCOMPARE(c.labels[3 * 8 + 6], 2);
  }

  void boxIsTightAndJitterStaysWithinTenPercent() {
    const Mask m = rect(40, 30, 10, 5, 29, 14);
    const std::optional<PromptBox> box = boxFromMask({m, 40, 30});
    QVERIFY(box);
    QVERIFY(*box == (PromptBox{10, 5, 29, 14}));
    QVERIFY(!boxFromMask({Mask(40 * 30, 0), 40, 30}));
    Rng rng(1);
    QVERIFY(jitterBox(*box, 0.0, 40, 30, rng) == *box);
    bool moved = false;
    for (int i = 0; i < 200; ++i) {
      const PromptBox j = jitterBox(*box, 0.1, 40, 30, rng);
      QVERIFY(std::fabs(j.x0 - 10) <= 2.0 + 1e-9 && std::fabs(j.x1 - 29) <= 2.0 + 1e-9);
      QVERIFY(std::fabs(j.y0 - 5) <= 1.0 + 1e-9 && std::fabs(j.y1 - 14) <= 1.0 + 1e-9);
      QVERIFY(j.x0 >= 0 && j.y0 >= 0 && j.x1 <= 39 && j.y1 <= 29);
      moved = moved || !(j == *box);
    }
    QVERIFY(moved);
  }

  void firstClickIsTheCentre() {
    const Mask m = disc(50, 40, 20, 15, 8);
    const std::optional<PromptPoint> click = centralClick({m, 50, 40});
    QVERIFY(click);
    QCOMPARE(click->x, 20.0);
    QCOMPARE(click->y, 15.0);
    QVERIFY(click->positive);
    // An L shape: the click lands in the thick part, not at the bounding box's centre.
    Mask l = rect(40, 40, 2, 2, 8, 37);
    const Mask foot = rect(40, 40, 2, 20, 37, 37);
    for (std::size_t i = 0; i < l.size(); ++i) l[i] |= foot[i];
    const PromptPoint c = *centralClick({l, 40, 40});
    QVERIFY(c.y >= 20 && c.x >= 8);
    // An object cut by the picture's edge: the edge counts as boundary.
    const Mask edge = rect(30, 30, 0, 0, 9, 29);
    QCOMPARE(centralClick({edge, 30, 30})->x, 4.0);
    QVERIFY(!centralClick({Mask(900, 0), 30, 30}));
  }

  void randomInteriorClickStaysInside() {
    const Mask m = disc(60, 60, 30, 30, 15);
    Rng rng(7);
    const std::vector<double> d = squaredDistanceToOutside(m.data(), 60, 60);
    const double best = *std::max_element(d.begin(), d.end());
    for (int i = 0; i < 100; ++i) {
      const PromptPoint p = *randomInteriorClick({m, 60, 60}, rng, 0.5);
      QVERIFY(inside(m, 60, p));
      QVERIFY(d[static_cast<int>(p.y) * 60 + static_cast<int>(p.x)] >= best * 0.25);
    }
  }

  void correctionGoesToTheLargestErrorRegion() {
    const int w = 64, h = 48;
    const Mask target = rect(w, h, 10, 10, 39, 29);
    // A prediction missing the right third (large FN) with a small spurious blob (FP).
    Mask predicted = rect(w, h, 10, 10, 29, 29);
    for (int y = 40; y < 43; ++y)
      for (int x = 50; x < 53; ++x) predicted[y * w + x] = 1;
    std::optional<PromptPoint> click = correctionClick({target, w, h}, {predicted, w, h});
    QVERIFY(click);
    QVERIFY(click->positive);
    // The middle of columns 30..39, rows 10..29 (of the tied ridge, the pixel nearest its middle).
    QCOMPARE(click->x, 34.0);
    QCOMPARE(click->y, 19.0);

    // A prediction that leaks into a big region: a negative click inside the leak.
    Mask leaky = target;
    const Mask leak = rect(w, h, 45, 5, 60, 40);
    for (std::size_t i = 0; i < leaky.size(); ++i) leaky[i] |= leak[i];
    click = correctionClick({target, w, h}, {leaky, w, h});
    QVERIFY(click);
    QVERIFY(!click->positive);
    QVERIFY(inside(leak, w, *click));
    QCOMPARE(click->x, 52.0);

    // The same spot is not clicked twice when the click did not help.
    const PromptPoint first = *click;
    const PromptPoint second = *correctionClick({target, w, h}, {leaky, w, h}, {first});
    QVERIFY(!(second == first));
    QVERIFY(inside(leak, w, second) && !second.positive);

    QVERIFY(!correctionClick({target, w, h}, {target, w, h}));
  }

  void randomCorrectionIsInsideAnErrorWithItsSign() {
    const int w = 64, h = 48;
    const Mask target = rect(w, h, 10, 10, 39, 29);
    const Mask predicted = rect(w, h, 20, 15, 50, 35);
    Rng a(11), b(11);
    for (int i = 0; i < 100; ++i) {
      const PromptPoint p = *randomCorrectionClick({target, w, h}, {predicted, w, h}, a);
      const std::size_t at = static_cast<std::size_t>(p.y) * w + static_cast<std::size_t>(p.x);
      QVERIFY(target[at] != predicted[at]);
      QCOMPARE(p.positive, target[at] != 0);
      QVERIFY(p == *randomCorrectionClick({target, w, h}, {predicted, w, h}, b));  // seeded
    }
  }

  void rngIsReproducible() {
    Rng a = Rng::derived(42, 7, 1), b = Rng::derived(42, 7, 1), c = Rng::derived(42, 8, 1);
    QCOMPARE(a.next(), b.next());
    QVERIFY(a.next() != c.next());
    Rng n(3);
    double sum = 0, squares = 0;
    for (int i = 0; i < 20000; ++i) {
      const double v = n.normal();
      sum += v;
      squares += v * v;
    }
    QVERIFY(std::fabs(sum / 20000) < 0.03);
    QVERIFY(std::fabs(squares / 20000 - 1) < 0.05);
    Rng u(4);
    for (int i = 0; i < 1000; ++i) {
      const int k = u.uniformInt(2, 5);
      QVERIFY(k >= 2 && k <= 5);
    }
  }
};

QTEST_APPLESS_MAIN(TestPrompts)
#include "test_core_prompts.moc"
