// The fused mask-prompt embedding (two 2 x 2 convolutions with LayerNorm2d and GELU, then the
// 1 x 1 convolution, written channels last) against the same layers in double with LibTorch,
// for SAM's sizes, the starter's, the largest the kernel takes, batches and grids whose width
// fills no vector, on every instruction set this CPU runs, with the features before the last
// layer where asked; and the prompt encoder's two paths.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include "isa_test_rows.h"
#include "medsa/model/sam_config.h"
#include "sam/mask_embedding.h"
#include "sam/prompt_encoder.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t c1, c2, dim, batch, h, w;
};

struct Layers {
  torch::Tensor conv1Weight, conv1Bias, norm1Weight, norm1Bias;
  torch::Tensor conv2Weight, conv2Bias, norm2Weight, norm2Bias;
  torch::Tensor projectionWeight, projectionBias;  // [dim, c2, 1, 1], [dim]
};

Layers randomLayers(const Case& c) {
  return {torch::randn({c.c1, 1, 2, 2}) * 0.5,
          torch::randn({c.c1}) * 0.5,
          torch::randn({c.c1}),
          torch::randn({c.c1}) * 0.5,
          torch::randn({c.c2, c.c1, 2, 2}) * 0.5,
          torch::randn({c.c2}) * 0.5,
          torch::randn({c.c2}),
          torch::randn({c.c2}) * 0.5,
          torch::randn({c.dim, c.c2, 1, 1}),
          torch::randn({c.dim})};
}

torch::Tensor layerNorm2d(const torch::Tensor& x, const torch::Tensor& weight,
                          const torch::Tensor& bias, double eps) {
  const torch::Tensor centred = x - x.mean(1, true);
  const torch::Tensor normalised = centred / torch::sqrt(centred.pow(2).mean(1, true) + eps);
  return weight.view({1, -1, 1, 1}) * normalised + bias.view({1, -1, 1, 1});
}

// The layers of mask_downscaling in double, NCHW out: [batch, dim, h, w]; with `features` also
// the last layer's input [batch, c2, h, w].
torch::Tensor reference(const torch::Tensor& masks, const Layers& l, double eps,
                        torch::Tensor* features = nullptr) {
  const auto d = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
  torch::Tensor x = torch::conv2d(d(masks), d(l.conv1Weight), d(l.conv1Bias), 2);
  x = torch::gelu(layerNorm2d(x, d(l.norm1Weight), d(l.norm1Bias), eps));
  x = torch::conv2d(x, d(l.conv2Weight), d(l.conv2Bias), 2);
  x = torch::gelu(layerNorm2d(x, d(l.norm2Weight), d(l.norm2Bias), eps));
  if (features) *features = x;
  return torch::conv2d(x, d(l.projectionWeight), d(l.projectionBias));
}

double maxError(const torch::Tensor& actual, const torch::Tensor& expected) {
  return (actual.to(torch::kDouble) - expected).abs().max().item<double>();
}

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestMaskEmbedding : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesTheLayersInDouble_data() {
    const Case cases[] = {{4, 16, 256, 1, 8, 8},    // SAM's layers
                          {4, 16, 256, 2, 3, 13},   // a batch; rows of 13 tokens: spare lanes
                          {2, 8, 64, 1, 5, 1},      // a column of single tokens
                          {16, 64, 128, 1, 2, 17},  // the largest first layers it takes
                          {1, 1, 64, 1, 1, 1}};
    medsa::test::addRowsForEachIsa(cases, [](const Case& c) {
      return QStringLiteral("c1 %1 c2 %2 dim %3 batch %4 grid %5x%6")
          .arg(c.c1)
          .arg(c.c2)
          .arg(c.dim)
          .arg(c.batch)
          .arg(c.h)
          .arg(c.w);
    });
  }

  void matchesTheLayersInDouble() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    torch::manual_seed(shape.c2 * 100 + shape.batch * 10 + shape.w);
    const Layers l = randomLayers(shape);
    // Low-res logits as SAM feeds them back: large, of both signs, sharp edges.
    const torch::Tensor masks = torch::randn({shape.batch, 1, 4 * shape.h, 4 * shape.w}) * 12;
    const float eps = 1e-6f;
    const torch::Tensor projection = l.projectionWeight.flatten(1).t().contiguous();
    const MaskEmbeddingWeights weights{l.conv1Weight.data_ptr<float>(),
                                       l.conv1Bias.data_ptr<float>(),
                                       l.norm1Weight.data_ptr<float>(),
                                       l.norm1Bias.data_ptr<float>(),
                                       eps,
                                       l.conv2Weight.data_ptr<float>(),
                                       l.conv2Bias.data_ptr<float>(),
                                       l.norm2Weight.data_ptr<float>(),
                                       l.norm2Bias.data_ptr<float>(),
                                       eps,
                                       projection.data_ptr<float>(),
                                       l.projectionBias.data_ptr<float>(),
                                       shape.c1,
                                       shape.c2,
                                       shape.dim};
    QVERIFY(maskEmbeddingFits(shape.c1, shape.c2, shape.dim));
    torch::Tensor out = torch::full({shape.batch, shape.h, shape.w, shape.dim}, std::nanf(""));
    torch::Tensor features = torch::full({shape.batch, shape.h, shape.w, shape.c2}, std::nanf(""));
    maskEmbedding(static_cast<VectorIsa>(isa), masks.data_ptr<float>(), weights, shape.batch,
                  shape.h, shape.w, out.data_ptr<float>(), features.data_ptr<float>());
    torch::Tensor expectedFeatures;
    const torch::Tensor expected =
        reference(masks, l, eps, &expectedFeatures).permute({0, 2, 3, 1});
    // Every channel of every token written, each within fp32 rounding of the double reference;
    // the features too (GELU's outputs: at most a little above the largest input).
    QVERIFY(!out.isnan().any().item<bool>());
    QVERIFY(!features.isnan().any().item<bool>());
    const double scale = expected.abs().max().item<double>();
    const double error = maxError(out, expected);
    QVERIFY2(error <= 2e-6 * scale + 1e-5,
             qPrintable(QString("max error %1, largest value %2").arg(error).arg(scale)));
    const double featureError = maxError(features, expectedFeatures.permute({0, 2, 3, 1}));
    QVERIFY2(featureError <= 1e-5, qPrintable(QString("features: max error %1").arg(featureError)));
    // Without a place for them, the same embedding.
    torch::Tensor alone = torch::full_like(out, std::nanf(""));
    maskEmbedding(static_cast<VectorIsa>(isa), masks.data_ptr<float>(), weights, shape.batch,
                  shape.h, shape.w, alone.data_ptr<float>());
    QVERIFY(torch::equal(alone, out));
  }

  void refusesSizesItDoesNotTake() {
    QVERIFY(maskEmbeddingFits(4, 16, 256));
    QVERIFY(!maskEmbeddingFits(0, 16, 256));
    QVERIFY(!maskEmbeddingFits(17, 16, 256));
    QVERIFY(!maskEmbeddingFits(4, 65, 256));
    QVERIFY(!maskEmbeddingFits(4, 16, 96));  // a whole register block of outputs per step
    QVERIFY(!maskEmbeddingFits(4, 16, 0));
  }

  // The prompt encoder runs the kernel in inference and LibTorch's layers when gradients are
  // wanted (training): the same dense embedding, channels last in memory either way.
  void promptEncoderPathsAgree() {
    torch::manual_seed(7);
    PromptEncoder encoder(SamConfig::preset("vit_b").value());
    for (const auto& parameter : encoder->parameters())
      parameter.data().copy_(torch::randn_like(parameter) * 0.5);
    const torch::Tensor masks = torch::randn({2, 1, 256, 256}) * 12;
    torch::Tensor fused, fusedFeatures, stepFeatures;
    {
      torch::NoGradGuard noGrad;
      fused =
          encoder->forward(std::nullopt, std::nullopt, std::nullopt, masks, &fusedFeatures).second;
    }
    const torch::Tensor stepByStep =
        encoder->forward(std::nullopt, std::nullopt, std::nullopt, masks, &stepFeatures).second;
    // The features before the last layer, [B, tokens, 16], from both paths.
    QCOMPARE(fusedFeatures.sizes(), (std::vector<int64_t>{2, 64 * 64, 16}));
    QCOMPARE(stepFeatures.sizes(), fusedFeatures.sizes());
    QVERIFY((fusedFeatures - stepFeatures.detach()).abs().max().item<double>() < 1e-5);
    QVERIFY(stepByStep.requires_grad());
    QCOMPARE(fused.sizes(), stepByStep.sizes());
    QCOMPARE(fused.sizes(), (std::vector<int64_t>{2, 256, 64, 64}));
    QCOMPARE(fused.stride(1), 1);  // channels last, as the image embedding
    const double scale = stepByStep.abs().max().item<double>();
    const double error = (fused - stepByStep.detach()).abs().max().item<double>();
    QVERIFY2(error <= 1e-5 * scale,
             qPrintable(QString("max difference %1, largest value %2").arg(error).arg(scale)));
  }
};

QTEST_APPLESS_MAIN(TestMaskEmbedding)
#include "test_mask_embedding.moc"
