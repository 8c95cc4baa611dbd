// The fused bf16 LayerNorm (model/src/sam/bf16_layer_norm.h) against the formula in double,
// rounded to bf16: within one bf16 step everywhere. Row lengths that fill no vector, rows far
// from zero (where E[x^2] - mean^2 would cancel; there LibTorch's widen-normalise-round path was
// 1.6 steps off and this one 1.0), NaN, in place, and the module's choice of path.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include <limits>

#include "sam/bf16_layer_norm.h"
#include "sam/common.h"

using namespace medsa::model;

namespace {

torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                        double eps) {
  const auto d = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
  return torch::layer_norm(d(x), {w.size(0)}, d(w), d(b), eps).to(torch::kBFloat16);
}

torch::Tensor fused(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                    double eps) {
  const torch::Tensor input = x.contiguous();
  torch::Tensor out = torch::empty_like(input);
  layerNormBf16(input.data_ptr<c10::BFloat16>(), w.data_ptr<float>(), b.data_ptr<float>(),
                input.numel() / w.size(0), w.size(0), static_cast<float>(eps),
                out.data_ptr<c10::BFloat16>());
  return out;
}

// The largest difference in units of the last place of bf16 at the value's size.
double ulps(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor x = a.to(torch::kDouble), y = b.to(torch::kDouble);
  const torch::Tensor unit = torch::clamp_min(torch::max(x.abs(), y.abs()), 1e-3) / 128.0;
  return ((x - y).abs() / unit).max().item<double>();
}

}  // namespace

class TestBf16LayerNorm : public QObject {
  Q_OBJECT

 private slots:
  void matchesTheFormulaWithinOneStep_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("dim");
    QTest::addColumn<double>("offset");
    QTest::newRow("vit-b tokens") << 300 << 768 << 0.0;
    QTest::newRow("adapter width") << 77 << 192 << 0.0;
    QTest::newRow("fills no vector") << 13 << 33 << 0.0;
    QTest::newRow("five") << 9 << 5 << 0.0;
    QTest::newRow("one") << 4 << 1 << 0.0;
    QTest::newRow("far from zero") << 50 << 768 << 300.0;
  }
  void matchesTheFormulaWithinOneStep() {
    QFETCH(int, rows);
    QFETCH(int, dim);
    QFETCH(double, offset);
    torch::manual_seed(rows * 1000 + dim);
    const torch::Tensor x = (torch::randn({rows, dim}) * 3 + offset).to(torch::kBFloat16);
    const torch::Tensor w = torch::randn({dim}), b = torch::randn({dim});
    // fp32 sums against double: at most one bf16 rounding step apart.
    const double error = ulps(fused(x, w, b, 1e-6), reference(x, w, b, 1e-6));
    QVERIFY2(error <= 1.01, qPrintable(QString::number(error)));
  }

  void nanStaysNanInItsRowOnly() {
    torch::Tensor x = torch::randn({3, 40}).to(torch::kBFloat16);
    x[1][7] = std::numeric_limits<float>::quiet_NaN();
    const torch::Tensor w = torch::ones({40}), b = torch::zeros({40});
    const torch::Tensor out = fused(x, w, b, 1e-5);
    QVERIFY(torch::isnan(out[1]).all().item<bool>());
    QVERIFY(torch::isfinite(out[0]).all().item<bool>());
    QVERIFY(torch::isfinite(out[2]).all().item<bool>());
  }

  void inPlaceGivesTheSame() {
    const torch::Tensor x = torch::randn({20, 64}).to(torch::kBFloat16);
    const torch::Tensor w = torch::randn({64}), b = torch::randn({64});
    const torch::Tensor expected = fused(x, w, b, 1e-6);
    torch::Tensor inPlace = x.clone();
    layerNormBf16(inPlace.data_ptr<c10::BFloat16>(), w.data_ptr<float>(), b.data_ptr<float>(), 20,
                  64, 1e-6f, inPlace.data_ptr<c10::BFloat16>());
    QVERIFY(torch::equal(inPlace, expected));
  }

  void theModuleUsesItOnlyForBf16Inference() {
    FloatLayerNorm norm(48, 1e-6);
    {
      torch::NoGradGuard noGrad;
      norm->weight.normal_();
      norm->bias.normal_();
    }
    const torch::Tensor x = torch::randn({2, 5, 48}).to(torch::kBFloat16);
    torch::Tensor inference;
    {
      torch::InferenceMode mode;
      inference = norm(x);
    }
    QCOMPARE(inference.scalar_type(), torch::kBFloat16);
    QCOMPARE(inference.sizes(), x.sizes());
    QVERIFY(ulps(inference, reference(x, norm->weight.detach(), norm->bias.detach(), 1e-6)) <=
            1.01);
    // Bf16 weights (the encoder's cast copy) take the same path, widened.
    FloatLayerNorm half(48, 1e-6);
    half->to(torch::kBFloat16);
    {
      torch::InferenceMode mode;
      QCOMPARE(half(x).scalar_type(), torch::kBFloat16);
    }
    // With gradients wanted, LibTorch's differentiable path: the gradient reaches the weight.
    const torch::Tensor out = norm(x);
    out.to(torch::kFloat).sum().backward();
    QVERIFY(norm->weight.grad().defined());
  }
};

QTEST_GUILESS_MAIN(TestBf16LayerNorm)
#include "test_bf16_layer_norm.moc"
