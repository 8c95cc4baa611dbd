// The picture's resize to the model's input (pil_resize.h) against PIL's Image.resize(BILINEAR)
// byte for byte, shrinking and enlarging; and the same bytes whether its rows are split between
// threads or not.
#include <ATen/Parallel.h>

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "pil_resize.h"

using medsa::RgbImage;
using medsa::model::resizeBilinearAntialiased;

namespace {

// 7 x 5 pixels with sharp steps (the values wrap at 256), as the expected bytes were made:
// bytes((x * 37 + y * 91 + c * 53) % 256 ...), then PIL 9.4 (Debian 12's python3-pil).
RgbImage steps() {
  RgbImage image(7, 5);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 7; ++x)
      for (int c = 0; c < 3; ++c) image.pixel(x, y)[c] = (x * 37 + y * 91 + c * 53) % 256;
  return image;
}

RgbImage noise(int width, int height) {
  RgbImage image(width, height);
  std::mt19937 generator(7);
  for (std::uint8_t& value : image.pixels) value = generator() & 255;
  return image;
}

}  // namespace

class TestPilResize : public QObject {
  Q_OBJECT

 private slots:
  void shrinkingMatchesPil() {
    const std::vector<std::uint8_t> pil{55,  108, 147, 130, 168, 168, 163, 134, 104, 138, 145, 128,
                                        131, 142, 99,  95,  116, 169, 95,  102, 117, 96,  143, 152,
                                        169, 169, 126, 117, 170, 182, 140, 114, 103, 83,  114, 125};
    const RgbImage resized = resizeBilinearAntialiased(steps(), 3, 4);
    QCOMPARE(resized.width, 3);
    QCOMPARE(resized.height, 4);
    QVERIFY(resized.pixels == pil);
  }

  void enlargingMatchesPil() {
    // The first two and the last output rows of 11 x 9 (33 bytes each).
    const std::vector<std::uint8_t> first{
        0,   53,  106, 17,  70,  123, 40,  93,  146, 64,  117, 170, 87,  140, 193, 111, 164,
        217, 135, 188, 241, 158, 211, 194, 182, 235, 55,  205, 119, 55,  222, 19,  72,  30,
        83,  136, 47,  100, 153, 70,  123, 169, 94,  147, 138, 117, 170, 138, 141, 194, 162,
        165, 164, 186, 165, 156, 162, 135, 180, 78,  150, 110, 85,  167, 49,  102};
    const std::vector<std::uint8_t> last{108, 161, 214, 125, 178, 231, 148, 201, 231, 172, 225,
                                         92,  195, 155, 45,  219, 16,  69,  80,  40,  93,  10,
                                         63,  116, 34,  87,  140, 57,  110, 163, 74,  127, 180};
    const RgbImage resized = resizeBilinearAntialiased(steps(), 11, 9);
    QCOMPARE(resized.pixels.size(), std::size_t(11 * 9 * 3));
    QVERIFY(std::equal(first.begin(), first.end(), resized.pixels.begin()));
    QVERIFY(std::equal(last.begin(), last.end(), resized.pixels.end() - last.size()));
  }

  void rowsSplitBetweenThreadsGiveTheSameBytes() {
    const RgbImage picture = noise(300, 200);
    const int sizes[][2] = {{257, 171}, {613, 409}, {300, 17}, {64, 64}};
    for (const auto& size : sizes) {
      at::set_num_threads(1);
      const RgbImage alone = resizeBilinearAntialiased(picture, size[0], size[1]);
      at::set_num_threads(2);
      const RgbImage split = resizeBilinearAntialiased(picture, size[0], size[1]);
      QVERIFY2(alone == split, qPrintable(QStringLiteral("%1 x %2").arg(size[0]).arg(size[1])));
    }
  }
};

QTEST_APPLESS_MAIN(TestPilResize)
#include "test_pil_resize.moc"
