// chained_resize.h against the chains of F::interpolate it replaces in logitsToOriginal:
// SAM's 256 -> 1024 -> crop -> picture size for square, wide and tall pictures, shrinking and
// enlarging, the MedSAM profile's single resize, tiny sizes; and logitsToOriginal's fast path
// against its gradient-carrying path.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include <algorithm>
#include <stdexcept>

#include "chained_resize.h"
#include "preprocess.h"

using namespace medsa::model;
namespace F = torch::nn::functional;

namespace {

torch::Tensor bilinear(const torch::Tensor& x, int64_t h, int64_t w) {
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{h, w})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

// Relative to the largest value: LibTorch's vectorised kernel computes source positions with a
// fused multiply-add, so positions differ in the last float bit and errors scale with the
// data's slope (5e-4 on values of 40 over 2000 pixels). Masks are cut at 0 and never notice.
double relativeDifference(const torch::Tensor& got, const torch::Tensor& expected) {
  return (got - expected).abs().max().item<double>() /
         std::max(1.0, expected.abs().max().item<double>());
}
constexpr double kTolerance = 5e-5;

}  // namespace

class TestChainedResize : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesInterpolateChains_data() {
    QTest::addColumn<int>("low");
    QTest::addColumn<int>("model");
    QTest::addColumn<int>("keptH");
    QTest::addColumn<int>("keptW");
    QTest::addColumn<int>("outH");
    QTest::addColumn<int>("outW");
    QTest::newRow("square picture, shrunk") << 256 << 1024 << 1024 << 1024 << 512 << 512;
    QTest::newRow("wide picture") << 256 << 1024 << 600 << 1024 << 300 << 512;
    QTest::newRow("tall picture, enlarged") << 256 << 1024 << 1024 << 700 << 2000 << 1367;
    QTest::newRow("picture of the model's size") << 256 << 1024 << 1024 << 1024 << 1024 << 1024;
    QTest::newRow("tiny") << 5 << 16 << 9 << 16 << 3 << 40;
    QTest::newRow("one low-res pixel") << 1 << 4 << 4 << 3 << 2 << 7;
  }
  void matchesInterpolateChains() {
    QFETCH(int, low);
    QFETCH(int, model);
    QFETCH(int, keptH);
    QFETCH(int, keptW);
    QFETCH(int, outH);
    QFETCH(int, outW);
    torch::manual_seed(1);
    const torch::Tensor logits = torch::randn({2, 3, low, low}) * 10;
    const torch::Tensor expected =
        bilinear(bilinear(logits, model, model).slice(2, 0, keptH).slice(3, 0, keptW), outH, outW);
    const torch::Tensor got =
        resizeSeparable(logits, composeResizes(low, {{model, keptH}, {outH, outH}}),
                        composeResizes(low, {{model, keptW}, {outW, outW}}));
    QCOMPARE(got.sizes(), expected.sizes());
    QVERIFY2(relativeDifference(got, expected) < kTolerance,
             qPrintable(QString::number(relativeDifference(got, expected))));
  }

  void singleResizesMatchToo() {  // the MedSAM profile resizes once
    torch::manual_seed(2);
    const torch::Tensor logits = torch::randn({1, 1, 256, 256}) * 10;
    const torch::Tensor got = resizeSeparable(logits, composeResizes(256, {{700, 700}}),
                                              composeResizes(256, {{333, 333}}));
    const double difference = relativeDifference(got, bilinear(logits, 700, 333));
    QVERIFY2(difference < kTolerance, qPrintable(QString::number(difference)));
  }

  void tapsStaySparse() {
    // Enlarging by 4 and shrinking by 2 leaves two inputs per output: the point of composing.
    const AxisTaps axis = composeResizes(256, {{1024, 1024}, {512, 512}});
    QCOMPARE(axis.outputs, int64_t{512});
    QVERIFY(axis.taps <= 3);
  }

  void badArgumentsAreRefused() {
    QVERIFY_EXCEPTION_THROWN(composeResizes(8, {{4, 5}}), std::invalid_argument);
    QVERIFY_EXCEPTION_THROWN(composeResizes(8, {{0, 0}}), std::invalid_argument);
    const AxisTaps axis = composeResizes(8, {{4, 4}});
    QVERIFY_EXCEPTION_THROWN(resizeSeparable(torch::zeros({1, 9, 8}), axis, axis),
                             std::invalid_argument);
    QVERIFY_EXCEPTION_THROWN(resizeSeparable(torch::zeros({1, 8, 8}, torch::kDouble), axis, axis),
                             std::invalid_argument);
  }

  void logitsToOriginalFastPathMatchesTrainingPath() {
    const FrameGeometry frame = FrameGeometry::compute(ProcessingProfile::Sam, 517, 301, 1024);
    torch::manual_seed(3);
    const torch::Tensor lowRes = torch::randn({1, 3, 256, 256}) * 10;
    const torch::Tensor fast = logitsToOriginal(ProcessingProfile::Sam, lowRes, frame);
    const torch::Tensor tracked =
        logitsToOriginal(ProcessingProfile::Sam, lowRes.clone().requires_grad_(true), frame);
    QVERIFY(tracked.requires_grad());  // the gradient-carrying path was taken
    QCOMPARE(fast.sizes(), (torch::IntArrayRef{1, 3, 301, 517}));
    const double difference = relativeDifference(fast, tracked.detach());
    QVERIFY2(difference < kTolerance, qPrintable(QString::number(difference)));
  }
};

QTEST_APPLESS_MAIN(TestChainedResize)
#include "test_chained_resize.moc"
