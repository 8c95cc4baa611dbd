// The fused mask tail (LayerNorm2d, GELU, the second transposed convolution, GELU, the
// hypernetwork products) against LibTorch's step-by-step NCHW computation, for each decoder
// width it compiles, batches, token counts and a non-square grid, on every instruction set this
// CPU runs.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include "isa_test_rows.h"
#include "sam/mask_tail.h"
#include "sam/simd_math.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t in, out, batch, tokens, h, w;
};

// half [B, 4hw, in] -> [B, in, 2h, 2w]: row (i w + j) 4 + 2 di + dj is pixel (2i + di, 2j + dj).
torch::Tensor halfToNchw(const torch::Tensor& half, int64_t h, int64_t w) {
  const int64_t batch = half.size(0), in = half.size(2);
  return half.view({batch, h, w, 2, 2, in})
      .permute({0, 5, 1, 3, 2, 4})
      .reshape({batch, in, 2 * h, 2 * w});
}

torch::Tensor reference(const torch::Tensor& half, const torch::Tensor& normWeight,
                        const torch::Tensor& normBias, float eps, const torch::Tensor& upWeight,
                        const torch::Tensor& upBias, const torch::Tensor& hyper, int64_t h,
                        int64_t w) {
  const torch::Tensor normalised =
      torch::layer_norm(half.to(torch::kDouble), {half.size(2)}, normWeight.to(torch::kDouble),
                        normBias.to(torch::kDouble), eps);
  const torch::Tensor x = torch::gelu(halfToNchw(normalised, h, w));
  const torch::Tensor features = torch::gelu(
      torch::conv_transpose2d(x, upWeight.to(torch::kDouble), upBias.to(torch::kDouble), 2));
  return torch::einsum("bto,bohw->bthw", {hyper.to(torch::kDouble), features});
}

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestMaskTail : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesStepByStep_data() {
    const Case cases[] = {{64, 32, 1, 4, 8, 8},
                          {64, 32, 2, 3, 3, 5},
                          {32, 16, 1, 4, 5, 3},
                          {32, 16, 2, 1, 4, 4},
                          {16, 8, 3, 2, 2, 7}};
    medsa::test::addRowsForEachIsa(cases, [](const Case& c) {
      return QStringLiteral("in %1 out %2 batch %3 tokens %4 grid %5x%6")
          .arg(c.in)
          .arg(c.out)
          .arg(c.batch)
          .arg(c.tokens)
          .arg(c.h)
          .arg(c.w);
    });
  }

  void matchesStepByStep() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    torch::manual_seed(shape.in * 100 + shape.batch * 10 + shape.tokens);
    const auto [in, out, batch, tokens, h, w] = shape;
    // Large and offset inputs (LayerNorm must centre them), weights as trained SAMs have them.
    const torch::Tensor half = torch::randn({batch, 4 * h * w, in}) * 4 + 3;
    const torch::Tensor normWeight = torch::randn({in});
    const torch::Tensor normBias = torch::randn({in}) * 0.5;
    const torch::Tensor upWeight = torch::randn({in, out, 2, 2}) * 0.3;
    const torch::Tensor upBias = torch::randn({out}) * 0.3;
    const torch::Tensor hyper = torch::randn({batch, tokens, out}) * 2;
    const float eps = 1e-6f;
    torch::Tensor masks = torch::full({batch, tokens, 4 * h, 4 * w}, std::nanf(""));
    // The layout Upsample2x::pixelWeights / pixelBias hand the kernel.
    const torch::Tensor pixelWeights = upWeight.permute({0, 2, 3, 1}).reshape({in, 4 * out});
    const torch::Tensor pixelBias = upBias.repeat({4});
    const MaskTailWeights weights{normWeight.data_ptr<float>(),
                                  normBias.data_ptr<float>(),
                                  eps,
                                  pixelWeights.data_ptr<float>(),
                                  pixelBias.data_ptr<float>(),
                                  in,
                                  out};
    QVERIFY(maskTailFits(in, out, tokens));
    maskTail(static_cast<VectorIsa>(isa), half.data_ptr<float>(), weights,
             hyper.data_ptr<float>(), batch, tokens, h, w, masks.data_ptr<float>());
    const torch::Tensor expected =
        reference(half, normWeight, normBias, eps, upWeight, upBias, hyper, h, w);
    // Every pixel written (none left NaN), each within fp32 rounding of the double reference.
    QVERIFY(!masks.isnan().any().item<bool>());
    const double scale = expected.abs().max().item<double>();
    const double error = (masks.to(torch::kDouble) - expected).abs().max().item<double>();
    QVERIFY2(error <= 2e-6 * scale + 1e-6,
             qPrintable(QString("max error %1, largest logit %2").arg(error).arg(scale)));
  }

  void refusesShapesItDoesNotCompile() {
    QVERIFY(maskTailFits(64, 32, 4));
    QVERIFY(!maskTailFits(64, 32, 5));  // a lane per token and pixel: four tokens at most
    QVERIFY(!maskTailFits(64, 32, 0));
    QVERIFY(!maskTailFits(48, 24, 4));
    QVERIFY(!maskTailFits(8, 4, 4));
    QVERIFY(!maskTailFits(128, 64, 4));
  }

  // The kernels' GELU (a rational erf, simd_math.h) against erf in double, every 1e-4 over
  // [-12, 12]: within 1.3e-6 absolute (the largest errors lie near 5, where fp32 itself spaces
  // values 4.8e-7 apart) and 2.5e-7 relative to |y| away from zero; exactly 0 and y far out (and at
  // 0).
  void geluMatchesErfInDouble() {
    using V = simd::Simd<4>::F;
    using I = simd::Simd<4>::I;
    double worst = 0, worstRelative = 0;
    for (int64_t i = -120000; i <= 120000; i += 4) {
      V y;
      for (int l = 0; l < 4; ++l) y[l] = static_cast<float>((i + l) * 1e-4);
      const V g = simd::gelu<V, I>(y);
      for (int l = 0; l < 4; ++l) {
        const double x = y[l], expected = 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
        const double error = std::abs(g[l] - expected);
        worst = std::max(worst, error);
        if (std::abs(x) > 0.01) worstRelative = std::max(worstRelative, error / std::abs(x));
      }
    }
    qInfo("gelu: max error %g, relative %g", worst, worstRelative);
    QVERIFY2(worst <= 1.3e-6, qPrintable(QString::number(worst)));
    QVERIFY2(worstRelative <= 2.5e-7, qPrintable(QString::number(worstRelative)));
    const V edges = {0.0f, -40.0f, 40.0f, -1e30f};
    const V g = simd::gelu<V, I>(edges);
    for (int l = 0; l < 4; ++l) QCOMPARE(g[l], edges[l] > 0 ? edges[l] : 0.0f);
  }

  void namesRoundTrip() {
    for (VectorIsa isa : {VectorIsa::Portable, VectorIsa::Avx2, VectorIsa::Avx512})
      QCOMPARE(vectorIsaFromName(vectorIsaName(isa)), std::optional<VectorIsa>(isa));
    QVERIFY(!vectorIsaFromName("amx"));
    QVERIFY(vectorIsaSupported(bestVectorIsa()));
  }
};

QTEST_APPLESS_MAIN(TestMaskTail)
#include "test_mask_tail.moc"
