// The mask decoder's fast forms against the plain formulas they replace: the folded cross
// attentions (projections moved to the few prompt tokens' side) against DecoderAttention's
// forward, values and gradients; the token-to-image attentions, folded and prepared per
// picture, in inference (the fused kernel) and with gradients; the channels-last upscaling against
// LibTorch's conv_transpose2d and the NCHW LayerNorm2d; and a whole decoder's masks against the
// official computation order (transformer, NCHW upscaling, hypernetwork products). Torch before Qt:
// Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include <algorithm>
#include <optional>

#include "sam/mask_decoder.h"

using namespace medsa::model;

namespace {

double maxAbsDifference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Random weights with SAM-like magnitudes (the default init gives tiny biases).
void randomise(torch::nn::Module& module, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard noGrad;
  for (auto& p : module.parameters()) p.copy_(torch::randn_like(p) * 0.1);
}

// A decoder 32 wide (or `width`) with 4 heads and random weights: whole-decoder checks in
// milliseconds.
MaskDecoder smallDecoder(uint64_t seed, int width = 32) {
  SamConfig config;
  config.promptDim = width;
  config.decoderMlpDim = 64;
  config.decoderHeads = 4;
  config.iouHeadHidden = 32;
  MaskDecoder decoder(config);
  randomise(*decoder, seed);
  return decoder;
}

struct Shape {
  int64_t dim, heads, downsample, batch, few, many;
};

// (image tokens many, prompt tokens few) in both directions, values and parameter gradients.
void compareFolded(const Shape& s, bool toMany) {
  DecoderAttention attention(s.dim, s.heads, s.downsample);
  randomise(*attention, 7 + s.few);
  torch::manual_seed(11);
  const torch::Tensor few = torch::randn({s.batch, s.few, s.dim});
  const torch::Tensor manyKeys = torch::randn({s.batch, s.many, s.dim}) * 2;
  const torch::Tensor manyValues = torch::randn({s.batch, s.many, s.dim});

  const auto run = [&](bool folded) {
    attention->zero_grad();
    torch::Tensor out;
    if (toMany) {
      out = folded ? attention->attendToMany(few, manyKeys, manyValues)
                   : attention->forward(few, manyKeys, manyValues);
    } else {
      out = folded ? attention->attendFromMany(manyKeys, few, few)
                   : attention->forward(manyKeys, few, few);
    }
    (out * out).sum().backward();
    std::vector<torch::Tensor> grads;
    for (const auto& p : attention->parameters()) grads.push_back(p.grad().clone());
    return std::make_pair(out.detach(), grads);
  };
  const auto [plain, plainGrads] = run(false);
  const auto [folded, foldedGrads] = run(true);
  QCOMPARE(folded.sizes(), plain.sizes());
  QVERIFY2(maxAbsDifference(folded, plain) < 1e-4,
           qPrintable(QString::number(maxAbsDifference(folded, plain))));
  QCOMPARE(foldedGrads.size(), plainGrads.size());
  // Relative to the largest gradient: some are zero in exact arithmetic (a key bias shifts a
  // whole score row, which softmax ignores), and both forms leave rounding noise there.
  double scale = 1;
  for (const auto& g : plainGrads) scale = std::max(scale, g.abs().max().item<double>());
  for (size_t i = 0; i < plainGrads.size(); ++i) {
    QVERIFY2(maxAbsDifference(foldedGrads[i], plainGrads[i]) < 1e-4 * scale,
             qPrintable(QString("parameter %1: %2")
                            .arg(i)
                            .arg(maxAbsDifference(foldedGrads[i], plainGrads[i]))));
  }
}

}  // namespace

class TestMaskDecoder : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void foldedAttention_data() {
    QTest::addColumn<int>("dim");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("downsample");
    QTest::addColumn<int>("batch");
    QTest::addColumn<int>("few");
    QTest::addColumn<bool>("toMany");
    // SAM's cross attentions (256 wide, 8 heads, half width inside): one click = 7 tokens,
    // 16 tokens = the largest count that folds; a batch of prompt sets; odd widths.
    for (bool toMany : {true, false}) {
      const char* direction = toMany ? "tokens to image" : "image to tokens";
      for (int few : {1, 7, 16}) {
        QTest::addRow("%s, SAM, %d tokens", direction, few) << 256 << 8 << 2 << 1 << few << toMany;
      }
      QTest::addRow("%s, SAM, batch 3", direction) << 256 << 8 << 2 << 3 << 7 << toMany;
      QTest::addRow("%s, 24 wide, 3 heads, no downsampling", direction)
          << 24 << 3 << 1 << 2 << 5 << toMany;
    }
  }
  void foldedAttention() {
    QFETCH(int, dim);
    QFETCH(int, heads);
    QFETCH(int, downsample);
    QFETCH(int, batch);
    QFETCH(int, few);
    QFETCH(bool, toMany);
    compareFolded({dim, heads, downsample, batch, few, 300}, toMany);
  }

  // Inference, where the CPU runs tokens_to_image.h's kernel (unless MEDSA_TOKENS_TO_IMAGE=off),
  // and with gradients recorded, where LibTorch's steps run: the folded attention and the one
  // with keys and values projected once per picture, read per head from [B, N, heads x c]
  // (expanded over a batch, as a picture's are), equal forward's.
  void tokensToImageWithAndWithoutGradients_data() {
    QTest::addColumn<bool>("gradients");
    QTest::newRow("inference") << false;
    QTest::newRow("gradients recorded") << true;
  }
  void tokensToImageWithAndWithoutGradients() {
    QFETCH(bool, gradients);
    DecoderAttention attention(256, 8, 2);  // SAM's: heads of 16, folded rows 256 wide
    randomise(*attention, 21);
    std::optional<torch::NoGradGuard> noGrad;
    if (!gradients) noGrad.emplace();
    torch::manual_seed(22);
    const int64_t batch = 2, tokens = 700;
    const torch::Tensor queries = torch::randn({batch, 7, 256});
    const torch::Tensor keys = (torch::randn({1, tokens, 256}) * 2).expand({batch, -1, -1});
    const torch::Tensor values = torch::randn({1, tokens, 256}).expand({batch, -1, -1});
    const torch::Tensor plain = attention->forward(queries, keys, values);

    const torch::Tensor folded = attention->attendToMany(queries, keys, values);
    QVERIFY2(maxAbsDifference(folded, plain) < 1e-4,
             qPrintable(QString::number(maxAbsDifference(folded, plain))));
    // The image tokens channels last by a permute, as an unprepared picture's are.
    const torch::Tensor permutedKeys = keys.permute({0, 2, 1}).contiguous().permute({0, 2, 1});
    QVERIFY(maxAbsDifference(attention->attendToMany(queries, permutedKeys, values), plain) < 1e-4);

    const double scale = 1.0 / std::sqrt(16.0);
    const torch::Tensor scaledKeys = attention->k_proj(keys.narrow(0, 0, 1)) * scale;
    const torch::Tensor projectedValues = attention->v_proj(values.narrow(0, 0, 1));
    const torch::Tensor prepared = attention->attendPrepared(
        queries, scaledKeys.expand({batch, -1, -1}), projectedValues.expand({batch, -1, -1}));
    QVERIFY2(maxAbsDifference(prepared, plain) < 1e-4,
             qPrintable(QString::number(maxAbsDifference(prepared, plain))));
  }

  void foldsOnlyWhileItSavesWork() {
    DecoderAttention attention(256, 8, 2);  // inner 128 = 8 heads x 16
    QVERIFY(attention->foldsFor(1));
    QVERIFY(attention->foldsFor(16));
    QVERIFY(!attention->foldsFor(17));
  }

  void upsamplePixelsMatchesConvTranspose() {
    Upsample2x upsample(6, 5);
    randomise(*upsample, 3);
    torch::manual_seed(4);
    const torch::Tensor x = torch::randn({2, 6, 3, 4});
    const torch::Tensor reference =
        torch::conv_transpose2d(x, upsample->weight, upsample->bias, /*stride=*/2);
    QVERIFY(maxAbsDifference(upsample->forward(x), reference) < 1e-5);

    // forwardPixels: rows (pixel, di, dj), channels last.
    const torch::Tensor pixels = x.permute({0, 2, 3, 1}).reshape({-1, 6});
    const torch::Tensor rows = upsample->forwardPixels(pixels);
    QCOMPARE(rows.sizes(), (torch::IntArrayRef{2 * 3 * 4 * 4, 5}));
    const torch::Tensor expected =
        reference.view({2, 5, 3, 2, 4, 2}).permute({0, 2, 4, 3, 5, 1}).reshape({-1, 5});
    QVERIFY(maxAbsDifference(rows, expected) < 1e-5);
  }

  void upsamplePixelsToChannelsMatchesConvTranspose() {
    Upsample2x upsample(6, 5);
    randomise(*upsample, 13);
    torch::manual_seed(14);
    const torch::Tensor x = torch::randn({2, 6, 3, 4});
    const torch::Tensor reference =
        torch::conv_transpose2d(x, upsample->weight, upsample->bias, /*stride=*/2);
    // Columns (di, dj, input pixel), channels first.
    const torch::Tensor got =
        upsample->forwardPixelsToChannels(x.permute({0, 2, 3, 1}).reshape({2, 12, 6}));
    QCOMPARE(got.sizes(), (torch::IntArrayRef{2, 5, 48}));
    const torch::Tensor expected =
        reference.view({2, 5, 3, 2, 4, 2}).permute({0, 1, 3, 5, 2, 4}).reshape({2, 5, 48});
    QVERIFY(maxAbsDifference(got, expected) < 1e-5);
  }

  void layerNorm2dChannelsLastMatchesNchw() {
    LayerNorm2d norm(7);
    randomise(*norm, 5);
    torch::manual_seed(6);
    const torch::Tensor x = torch::randn({2, 7, 3, 5}) * 3 + 1;
    const torch::Tensor nchw = norm->forward(x);
    const torch::Tensor last = norm->forwardChannelsLast(x.permute({0, 2, 3, 1}).contiguous());
    QVERIFY(maxAbsDifference(last.permute({0, 3, 1, 2}), nchw) < 1e-5);

    // bf16 values with fp32 weights (training under bf16 autocast): fp32 out, as the NCHW form.
    const torch::Tensor rounded = x.to(torch::kBFloat16);
    const torch::Tensor mixed =
        norm->forwardChannelsLast(rounded.permute({0, 2, 3, 1}).contiguous());
    QCOMPARE(mixed.scalar_type(), torch::kFloat);
    QVERIFY(maxAbsDifference(mixed.permute({0, 3, 1, 2}),
                             norm->forward(rounded.to(torch::kFloat))) < 1e-4);
  }

  void layerNorm2dInferenceMatchesTheFormula() {
    // Without gradients LayerNorm2d takes one fused pass (layer_norm over each pixel's
    // channels); with them, SAM's formula step by step. NCHW and channels-last inputs alike.
    LayerNorm2d norm(7);
    randomise(*norm, 8);
    torch::manual_seed(9);
    const torch::Tensor nchw = torch::randn({2, 7, 3, 5}) * 3 + 1;
    const torch::Tensor channelsLast = nchw.contiguous(torch::MemoryFormat::ChannelsLast);
    for (const torch::Tensor& x : {nchw, channelsLast}) {
      const torch::Tensor formula = norm->forward(x);
      torch::NoGradGuard inference;
      const torch::Tensor fused = norm->forward(x);
      QCOMPARE(fused.sizes(), x.sizes());
      QVERIFY(maxAbsDifference(fused, formula) < 1e-5);
    }
  }

  // A click on a prepared picture (first block's image side computed once) decodes as without.
  // Width 32 takes the step-by-step image-to-token update, width 64 the fused kernels, which
  // add keyPe to the image tokens as they read them, and in the first block read the image
  // tokens' queries projected by prepare (36 tokens: three blocks of 16, the last one partly).
  // Width 128 (4 heads of 16 dims, as ViT-B and the starter) also reads the first block's keys
  // in blocks of 16 tokens in its token-to-image kernel.
  void preparedPictureDecodesTheSame_data() {
    QTest::addColumn<int>("width");
    QTest::newRow("width 32") << 32;
    QTest::newRow("width 64, fused") << 64;
    QTest::newRow("width 128, fused, keys in blocks") << 128;
  }

  void preparedPictureDecodesTheSame() {
    QFETCH(int, width);
    MaskDecoder decoder = smallDecoder(15, width);
    torch::NoGradGuard noGrad;
    torch::manual_seed(16);
    const int64_t grid = 6;
    const torch::Tensor embedding = torch::randn({1, width, grid, grid});
    const torch::Tensor imagePe = torch::randn({1, width, grid, grid});
    const torch::Tensor noMask = torch::randn({1, width, grid, grid});
    const PreparedImage prepared = decoder->prepare(embedding, imagePe, noMask);
    QCOMPARE(prepared.firstImageQueries.defined(), width >= 64);
    if (width >= 64) {
      QCOMPARE(prepared.firstImageQueries.sizes(), (torch::IntArrayRef{1, 3, width / 2, 16}));
    }
    QCOMPARE(prepared.firstKeysInBlocks.defined(), width == 128);
    QCOMPARE(prepared.firstScaledKeys.defined(), width != 128);  // kept in one layout
    if (width == 128)
      QCOMPARE(prepared.firstKeysInBlocks.sizes(), (torch::IntArrayRef{1, 3, 64, 16}));
    QVERIFY(!prepared.maskToFirstKeys.defined());  // prepared without the mask layer
    QVERIFY(!decoder->prepareMask(prepared, embedding, noMask, torch::randn({1, 36, 4})));
    for (int64_t batch : {1, 2}) {
      const torch::Tensor sparse = torch::randn({batch, 3, width});
      const torch::Tensor dense = noMask.expand({batch, -1, -1, -1});
      const auto [masks, iou] = decoder->forward(embedding, imagePe, sparse, dense);
      const auto [preparedMasks, preparedIou] =
          decoder->forward(embedding, imagePe, sparse, dense, &prepared);
      QVERIFY(maxAbsDifference(preparedMasks, masks) < 1e-4);
      QVERIFY(maxAbsDifference(preparedIou, iou) < 1e-5);
    }
  }

  // A prompt with a mask input on a prepared picture: the first block's projections moved by the
  // mask features (prepareMask) decode as embedding + the mask embedding does, in inference (the
  // low-rank kernel, and at width 128 the keys only in blocks) and with gradients recorded
  // (LibTorch's update; the token-to-image attention then takes its keys out of the blocks);
  // a batch of two masks, each with its own image side.
  void preparedMaskPromptDecodesTheSame_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<bool>("gradients");
    for (int width : {32, 64, 128}) {
      QTest::addRow("width %d, inference", width) << width << false;
      QTest::addRow("width %d, gradients", width) << width << true;
    }
  }

  void preparedMaskPromptDecodesTheSame() {
    QFETCH(int, width);
    QFETCH(bool, gradients);
    MaskDecoder decoder = smallDecoder(17, width);
    torch::manual_seed(18);
    const int64_t grid = 6, tokens = grid * grid, features = 16;
    const torch::Tensor embedding = torch::randn({1, width, grid, grid});
    const torch::Tensor imagePe = torch::randn({1, width, grid, grid});
    const torch::Tensor noMask = torch::randn({1, width, 1, 1}).expand({1, -1, grid, grid});
    // The mask encoder's last layer (a 1 x 1 convolution) and its GELU'd inputs.
    const torch::Tensor weight = torch::randn({width, features}) * 0.3;
    const torch::Tensor bias = torch::randn({width});
    PreparedImage picture;
    {
      torch::NoGradGuard noGrad;
      picture = decoder->prepare(embedding, imagePe, noMask, weight, bias);
    }
    QCOMPARE(picture.maskToFirstKeys.sizes(), (torch::IntArrayRef{features + 1, width / 2}));
    QCOMPARE(picture.maskToFirstImageQueries.defined(), width >= 64);
    std::optional<torch::NoGradGuard> noGrad;
    if (!gradients) noGrad.emplace();
    for (int64_t batch : {1, 2}) {
      const torch::Tensor maskFeatures = torch::gelu(torch::randn({batch, tokens, features}) * 2);
      // Channels last, as the prompt encoder gives it.
      const torch::Tensor dense = torch::linear(maskFeatures, weight, bias)
                                      .view({batch, grid, grid, width})
                                      .permute({0, 3, 1, 2});
      const torch::Tensor sparse = torch::randn({batch, 3, width});
      const std::optional<PreparedImage> masked =
          decoder->prepareMask(picture, embedding, dense, maskFeatures);
      QVERIFY(masked);
      // Features of another grid, or another count of masks, do not fit the picture.
      QVERIFY(!decoder->prepareMask(picture, embedding, dense, maskFeatures.narrow(1, 0, 30)));
      QVERIFY(!decoder->prepareMask(picture, embedding, dense,
                                    torch::cat({maskFeatures, maskFeatures})));
      QCOMPARE(masked->keys.sizes(), (torch::IntArrayRef{batch, tokens, width}));
      QCOMPARE(masked->firstKeysInBlocks.defined(), picture.firstKeysInBlocks.defined());
      QCOMPARE(masked->firstScaledKeys.defined(), picture.firstScaledKeys.defined());
      const auto [masks, iou] = decoder->forward(embedding, imagePe, sparse, dense);
      const auto [maskedMasks, maskedIou] =
          decoder->forward(embedding, imagePe, sparse, dense, &*masked);
      const double error = maxAbsDifference(maskedMasks, masks);
      QVERIFY(maxAbsDifference(maskedIou, iou) < 1e-5);
      // ... where the picture's own image side, without the mask, is far off.
      const auto [pictureMasks, pictureIou] =
          decoder->forward(embedding, imagePe, sparse, dense, &picture);
      const double withoutMask = maxAbsDifference(pictureMasks, masks);
      QVERIFY2(error < 1e-6 + 1e-3 * withoutMask,
               qPrintable(QString("%1, without the mask %2, largest %3")
                              .arg(error)
                              .arg(withoutMask)
                              .arg(masks.abs().max().item<double>())));
    }
  }

  // Only the output tokens out of the final attention: the same rows as all of them give;
  // with 12 tokens all of them take the plain attention (4 heads x 12 > the inner 32) and the
  // kept 5 the folded one (up to rounding).
  void keptTokensAreTheFirstRowsOfAll_data() {
    QTest::addColumn<int>("tokenCount");
    QTest::newRow("8 tokens") << 8;
    QTest::newRow("12 tokens, the fold only for the kept") << 12;
  }

  void keptTokensAreTheFirstRowsOfAll() {
    QFETCH(int, tokenCount);
    MaskDecoder decoder = smallDecoder(11, 64);
    torch::NoGradGuard noGrad;
    torch::manual_seed(12);
    const torch::Tensor embedding = torch::randn({2, 64, 5, 5});
    const torch::Tensor imagePe = torch::randn({2, 64, 5, 5});
    const torch::Tensor tokens = torch::randn({2, tokenCount, 64});
    const torch::Tensor prompt = torch::randn({2, 64});
    const auto [all, imageAll] = decoder->transformer(embedding, imagePe, tokens, prompt);
    const auto [kept, imageKept] =
        decoder->transformer(embedding, imagePe, tokens, prompt, nullptr, 5);
    QCOMPARE(all.sizes(), (torch::IntArrayRef{2, tokenCount, 64}));
    QCOMPARE(kept.sizes(), (torch::IntArrayRef{2, 5, 64}));
    QVERIFY(maxAbsDifference(kept, all.narrow(1, 0, 5)) < 1e-5);
    QVERIFY(torch::equal(imageKept, imageAll));
  }

  // The decoder's masks against the official order of operations on the same transformer
  // output: NCHW upscaling with conv_transpose2d, then each mask token's product. Width 32 takes
  // the step-by-step tail, width 64 the fused kernel (sam/mask_tail.h) under no_grad, and with
  // gradients the step-by-step one again.
  void decoderMasksMatchOfficialOrder_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<bool>("gradients");
    QTest::newRow("width 32") << 32 << false;
    QTest::newRow("width 64, fused") << 64 << false;
    QTest::newRow("width 64, with gradients") << 64 << true;
  }

  void decoderMasksMatchOfficialOrder() {
    QFETCH(int, width);
    QFETCH(bool, gradients);
    MaskDecoder decoder = smallDecoder(9, width);
    std::optional<torch::NoGradGuard> noGrad;
    if (!gradients) noGrad.emplace();
    torch::manual_seed(10);
    const int64_t grid = 6, batch = 2;
    const torch::Tensor embedding = torch::randn({1, width, grid, grid});
    const torch::Tensor imagePe = torch::randn({1, width, grid, grid});
    const torch::Tensor sparse = torch::randn({batch, 3, width});
    const torch::Tensor dense = torch::randn({batch, width, grid, grid});
    const auto [masks, iou] = decoder->forward(embedding, imagePe, sparse, dense);
    QCOMPARE(masks.sizes(), (torch::IntArrayRef{batch, 4, 4 * grid, 4 * grid}));
    QCOMPARE(iou.sizes(), (torch::IntArrayRef{batch, 4}));
    QCOMPARE(masks.requires_grad(), gradients);

    torch::NoGradGuard referenceWithoutGradients;
    const torch::Tensor outputTokens =
        torch::cat({decoder->iou_token->weight, decoder->mask_tokens->weight}, 0)
            .unsqueeze(0)
            .expand({batch, -1, -1});
    const auto [hs, imageTokens] = decoder->transformer(
        embedding.expand({batch, -1, -1, -1}) + dense, imagePe.expand({batch, -1, -1, -1}),
        torch::cat({outputTokens, sparse}, 1), sparse.mean(1));
    auto& up = decoder->output_upscaling;
    const auto convT = [&](int index, const torch::Tensor& x) {
      auto& module = *up[index]->as<Upsample2x>();
      return torch::conv_transpose2d(x, module.weight, module.bias, 2);
    };
    torch::Tensor upscaled = imageTokens.transpose(1, 2).reshape({batch, width, grid, grid});
    upscaled = torch::gelu(up[1]->as<LayerNorm2d>()->forward(convT(0, upscaled)));
    upscaled = torch::gelu(convT(3, upscaled));
    for (int64_t t = 0; t < 4; ++t) {
      const torch::Tensor hyper =
          decoder->output_hypernetworks_mlps[t]->as<Mlp>()->forward(hs.select(1, 1 + t));
      const torch::Tensor expected = (hyper.view({batch, -1, 1, 1}) * upscaled).sum(1);
      const double difference = maxAbsDifference(masks.select(1, t).detach(), expected);
      QVERIFY2(difference < 1e-4, qPrintable(QString("token %1: %2").arg(t).arg(difference)));
    }
  }
};

QTEST_APPLESS_MAIN(TestMaskDecoder)
#include "test_mask_decoder.moc"
