// COCO run-length encoding as pycocotools writes it. The expected strings were worked out by hand
// from maskApi.c's rleToString (docs: /work/shared/docs/export-formats.md, section 2), so a change
// in the column-major order, the delta rule (from the fourth count on) or the sign handling of a
// negative delta shows up here as a different string.
// (No raw string literals: Qt 6.4's moc misreads the ones that hold a backslash.)
#include <QTest>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "medsa/core/coco_rle.h"

using namespace medsa;

namespace {

/// A width x height row-major mask with the listed (x, y) pixels set.
std::vector<std::uint8_t> maskWith(std::size_t width, std::size_t height,
                                   const std::vector<std::pair<std::size_t, std::size_t>>& set) {
  std::vector<std::uint8_t> mask(width * height, 0);
  for (auto [x, y] : set) mask[y * width + x] = 1;
  return mask;
}

/// Sets whole columns x0..x1 (inclusive) from row y0 to y1 (inclusive).
void fill(std::vector<std::uint8_t>& mask, std::size_t width, std::size_t x0, std::size_t x1,
          std::size_t y0, std::size_t y1) {
  for (std::size_t x = x0; x <= x1; ++x) {
    for (std::size_t y = y0; y <= y1; ++y) mask[y * width + x] = 1;
  }
}

CocoRle mustEncode(const std::vector<std::uint8_t>& mask, std::size_t width, std::size_t height) {
  Result<CocoRle> rle = encodeCocoRle(mask.data(), width, height);
  if (!rle) qFatal("%s", rle.error().describe().c_str());
  return std::move(rle).value();
}

}  // namespace

class TestCocoRle : public QObject {
  Q_OBJECT

 private slots:
  void emptyMaskIsOneRunOfZeros() {
    const std::vector<std::uint8_t> mask(100, 0);
    const CocoRle rle = mustEncode(mask, 10, 10);
    QCOMPARE(rle.counts, std::vector<std::uint32_t>{100});
    // 100 = 3 * 32 + 4: group 4 with the continuation bit (36 + 48 = 'T'), then 3 ('3').
    QCOMPARE(cocoRleCountsToString(rle.counts), std::string("T3"));
    QCOMPARE(cocoRleArea(rle), std::uint64_t(0));
    QCOMPARE(cocoRleBox(rle), (std::array<std::uint64_t, 4>{0, 0, 0, 0}));
  }

  void countsRunDownColumnsFirst() {
    // The first five pixels of column 0: in column-major order a mask starting with 1s.
    std::vector<std::uint8_t> mask(100, 0);
    fill(mask, 10, 0, 0, 0, 4);
    const CocoRle rle = mustEncode(mask, 10, 10);
    QCOMPARE(rle.counts, (std::vector<std::uint32_t>{0, 5, 95}));
    // 95 = 2 * 32 + 31: group 31 has bit 0x10, so "more" means "x != -1" (true): 'o', then '2'.
    QCOMPARE(cocoRleCountsToString(rle.counts), std::string("05o2"));
    QCOMPARE(cocoRleBox(rle), (std::array<std::uint64_t, 4>{0, 0, 1, 5}));
    QCOMPARE(cocoRleArea(rle), std::uint64_t(5));

    // The same pixels along row 0 are five separate runs in column-major order.
    const CocoRle row =
        mustEncode(maskWith(10, 10, {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}}), 10, 10);
    QCOMPARE(row.counts, (std::vector<std::uint32_t>{0, 1, 9, 1, 9, 1, 9, 1, 9, 1, 59}));
  }

  void laterCountsAreDifferencesFromTwoBefore() {
    // Column 1 rows 0-4 and column 3 rows 5-9: counts 10, 5, 20, 5, 60.
    std::vector<std::uint8_t> mask(100, 0);
    fill(mask, 10, 1, 1, 0, 4);
    fill(mask, 10, 3, 3, 5, 9);
    const CocoRle rle = mustEncode(mask, 10, 10);
    QCOMPARE(rle.counts, (std::vector<std::uint32_t>{10, 5, 20, 5, 60}));
    // 10 ':'; 5 '5'; 20 (no delta at index 2) has bit 0x10: "d0"; index 3: 5 - 5 = 0 '0';
    // index 4: 60 - 20 = 40 = 32 + 8: "X1".
    QCOMPARE(cocoRleCountsToString(rle.counts), std::string(":5d00X1"));
    QCOMPARE(cocoRleBox(rle), (std::array<std::uint64_t, 4>{1, 0, 3, 10}));
    QCOMPARE(cocoRleArea(rle), std::uint64_t(10));
  }

  void negativeDifferencesEndInSignGroups() {
    // Columns 0-2 whole and column 4 whole: counts 0, 30, 10, 10, 50.
    std::vector<std::uint8_t> mask(100, 0);
    fill(mask, 10, 0, 2, 0, 9);
    fill(mask, 10, 4, 4, 0, 9);
    const CocoRle rle = mustEncode(mask, 10, 10);
    QCOMPARE(rle.counts, (std::vector<std::uint32_t>{0, 30, 10, 10, 50}));
    // 30 has bit 0x10: "n0"; index 3: 10 - 30 = -20 -> group 12 + more ('\\'), then 31 with
    // x == -1 ('O'); index 4: 50 - 10 = 40: "X1".
    QCOMPARE(cocoRleCountsToString(rle.counts), std::string("0n0:\\OX1"));
    Result<std::vector<std::uint32_t>> back = cocoRleCountsFromString("0n0:\\OX1");
    QVERIFY(back.ok());
    QCOMPARE(back.value(), rle.counts);
    QCOMPARE(cocoRleBox(rle), (std::array<std::uint64_t, 4>{0, 0, 5, 10}));
    QCOMPARE(cocoRleArea(rle), std::uint64_t(40));
  }

  void nonSquareMasksUseHeightAsColumnLength() {
    // 3 wide, 2 high: pixel (2, 1) is the last one in column-major order too.
    const CocoRle rle = mustEncode(maskWith(3, 2, {{2, 1}, {1, 0}}), 3, 2);
    QCOMPARE(rle.height, std::size_t(2));
    QCOMPARE(rle.width, std::size_t(3));
    QCOMPARE(rle.counts, (std::vector<std::uint32_t>{2, 1, 2, 1}));
    QCOMPARE(cocoRleBox(rle), (std::array<std::uint64_t, 4>{1, 0, 2, 2}));
    Result<std::vector<std::uint8_t>> decoded = decodeCocoRle(rle);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded.value(), maskWith(3, 2, {{2, 1}, {1, 0}}));
  }

  void randomMasksRoundTrip() {
    std::mt19937 random(7);
    for (int trial = 0; trial < 200; ++trial) {
      const std::size_t width = 1 + random() % 40;
      const std::size_t height = 1 + random() % 40;
      // Blobs rather than noise, so runs of every length (and long deltas) occur.
      std::vector<std::uint8_t> mask(width * height, 0);
      const int density = static_cast<int>(random() % 100);
      std::uint8_t value = 0;
      for (auto& pixel : mask) {
        if (static_cast<int>(random() % 100) < density / 10 + 1) value ^= 1;
        pixel = value;
      }
      const CocoRle rle = mustEncode(mask, width, height);
      const std::string text = cocoRleCountsToString(rle.counts);
      for (char c : text) QVERIFY(c >= 48 && c <= 111);
      Result<std::vector<std::uint32_t>> counts = cocoRleCountsFromString(text);
      QVERIFY2(counts.ok(), text.c_str());
      QCOMPARE(counts.value(), rle.counts);
      Result<std::vector<std::uint8_t>> decoded = decodeCocoRle(rle);
      QVERIFY(decoded.ok());
      QCOMPARE(decoded.value(), mask);

      std::uint64_t area = 0;
      std::size_t x0 = width, y0 = height, x1 = 0, y1 = 0;
      for (std::size_t y = 0; y < height; ++y) {
        for (std::size_t x = 0; x < width; ++x) {
          if (!mask[y * width + x]) continue;
          ++area;
          x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
        }
      }
      QCOMPARE(cocoRleArea(rle), area);
      const std::array<std::uint64_t, 4> box =
          area ? std::array<std::uint64_t, 4>{x0, y0, x1 - x0 + 1, y1 - y0 + 1}
               : std::array<std::uint64_t, 4>{0, 0, 0, 0};
      QCOMPARE(cocoRleBox(rle), box);
    }
  }

  void largeCountsUseSeveralGroups() {
    const std::vector<std::uint32_t> counts{4000000000u, 1, 3999999999u, 0};
    const std::string text = cocoRleCountsToString(counts);
    Result<std::vector<std::uint32_t>> back = cocoRleCountsFromString(text);
    QVERIFY(back.ok());
    QCOMPARE(back.value(), counts);
  }

  void malformedStringsAreRefused() {
    QVERIFY(!cocoRleCountsFromString("T").ok());          // ends inside a count
    QVERIFY(!cocoRleCountsFromString("0 1").ok());        // ' ' is below 48
    QVERIFY(!cocoRleCountsFromString("0p").ok());         // 'p' is above 111
    QVERIFY(!cocoRleCountsFromString("ooooooooo").ok());  // nine continued groups: too long
    QVERIFY(cocoRleCountsFromString("?").ok());           // 15 is a whole count
    // A first count of -1 ('O' alone: group 31 with the sign bit, no continuation).
    Result<std::vector<std::uint32_t>> negative = cocoRleCountsFromString("O");
    QVERIFY(!negative.ok());
    QVERIFY(negative.error().message.find("count 0 is -1") != std::string::npos);
    QVERIFY(cocoRleCountsFromString("").ok());
  }

  void countsThatDoNotCoverTheMaskAreRefused() {
    CocoRle rle;
    rle.width = 4;
    rle.height = 4;
    rle.counts = {3, 4};
    Result<std::vector<std::uint8_t>> decoded = decodeCocoRle(rle);
    QVERIFY(!decoded.ok());
    QVERIFY(decoded.error().message.find("add up to 7 pixels") != std::string::npos);
  }
};

QTEST_APPLESS_MAIN(TestCocoRle)
#include "test_coco_rle.moc"
