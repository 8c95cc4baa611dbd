// The encoder's windowed attention read in place (HeadRows::windows, tiledWindowAttention,
// EncoderAttention::attendWindows): windows of a qkv output's grid attended where they lie, the
// windows' padding tokens taking qkv's bias as keys and values, their queries skipped. Against
// the windows partitioned as the official code pads them and the plain formula in double, on
// every kernel this CPU runs, fp32 and bf16.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include <limits>

#include "sam/image_encoder.h"
#include "sam/relpos_attention.h"
#include "sam/tiled_attention.h"

using namespace medsa::model;

namespace {

const AttentionIsa kAllIsas[] = {AttentionIsa::Portable, AttentionIsa::Avx2, AttentionIsa::Avx512,
                                 AttentionIsa::Avx512Bf16, AttentionIsa::Amx};

// A qkv output of `images` grids of gridH x gridW tokens ([q | k | v], each head-major), qkv's
// bias and random bias terms for every window's heads.
struct Grid {
  int64_t images, gridH, gridW, window, heads, d;
  torch::Tensor qkv;         // [images, gridH, gridW, 3 * heads * d]
  torch::Tensor bias;        // [3 * heads * d]
  torch::Tensor relH, relW;  // [windows * heads, window^2, window], fp32
  double scale;

  int64_t dim() const { return heads * d; }
  int64_t windows() const {
    return images * ((gridH + window - 1) / window) * ((gridW + window - 1) / window);
  }
};

Grid randomGrid(int64_t images, int64_t gridH, int64_t gridW, int64_t window, int64_t heads,
                int64_t d, bool bf16, uint64_t seed) {
  torch::manual_seed(seed);
  Grid g{images, gridH, gridW, window, heads, d, {}, {}, {}, {}, 1.0 / std::sqrt(double(d))};
  g.qkv = torch::randn({images, gridH, gridW, 3 * g.dim()});
  g.bias = torch::randn({3 * g.dim()}) * 2;  // far from the tokens' keys: a wrong pad shows
  const int64_t n = window * window;
  g.relH = torch::randn({g.windows() * heads, n, window}) * 2;
  g.relW = torch::randn({g.windows() * heads, n, window}) * 2;
  if (bf16) {
    g.qkv = g.qkv.to(torch::kBFloat16);
    g.bias = g.bias.to(torch::kBFloat16);
  }
  return g;
}

// The windows partitioned as the official code pads them (qkv of a zero token: the bias), the
// formula in double, and the windows merged back: [images, gridH, gridW, dim], double.
torch::Tensor reference(const Grid& g) {
  const torch::Tensor windows =
      partitionWindows(g.qkv.to(torch::kDouble), g.window, g.bias.to(torch::kDouble));
  const int64_t n = g.window * g.window, items = windows.size(0);
  // [items, n, 3, heads, d] -> q, k, v [items * heads, n, d]
  const torch::Tensor parts = windows.reshape({items, n, 3, g.heads, g.d}).permute({2, 0, 3, 1, 4});
  const auto heads = [&](int i) { return parts[i].reshape({items * g.heads, n, g.d}); };
  const torch::Tensor bias = (g.relH.to(torch::kDouble).view({-1, n, g.window, 1}) +
                              g.relW.to(torch::kDouble).view({-1, n, 1, g.window}))
                                 .view({-1, n, n});
  const torch::Tensor out =
      ((heads(0) * g.scale).matmul(heads(1).transpose(1, 2)) + bias).softmax(-1).matmul(heads(2));
  // [items * heads, n, d] -> [items, window, window, heads * d]
  const torch::Tensor sideBySide = out.view({items, g.heads, n, g.d})
                                       .permute({0, 2, 1, 3})
                                       .reshape({items, g.window, g.window, g.dim()});
  return mergeWindows(sideBySide, g.window, g.images, g.gridH, g.gridW);
}

// The kernel `isa` on the windows where they lie; the output starts as NaN, so a token written
// by no window, or a padding query written over a grid token, shows.
torch::Tensor inPlace(const Grid& g, AttentionIsa isa) {
  const int64_t dim = g.dim();
  const HeadRows qkvRows = HeadRows::windows(g.heads, g.gridH * g.gridW * 3 * dim, g.d, 3 * dim,
                                             g.window, g.gridH, g.gridW);
  const HeadRows outRows =
      HeadRows::windows(g.heads, g.gridH * g.gridW * dim, g.d, dim, g.window, g.gridH, g.gridW);
  torch::Tensor out = torch::full({g.images, g.gridH, g.gridW, dim},
                                  std::numeric_limits<float>::quiet_NaN(), g.qkv.options());
  const int64_t windowHeads = g.windows() * g.heads, n = g.window * g.window;
  const auto run = [&](auto* qkv, const auto* pad, auto* o) {
    const TiledRelPosAttention attention(qkv + dim, qkv + 2 * dim, qkvRows, windowHeads, g.window,
                                         g.window, g.d, isa, pad + dim, pad + 2 * dim);
    attention.attend(qkv, qkvRows, g.relH.data_ptr<float>(), g.relW.data_ptr<float>(),
                     static_cast<float>(g.scale), o, outRows, 0, n);
  };
  if (g.qkv.scalar_type() == torch::kBFloat16) {
    run(g.qkv.data_ptr<c10::BFloat16>(), g.bias.data_ptr<c10::BFloat16>(),
        out.data_ptr<c10::BFloat16>());
  } else {
    run(g.qkv.data_ptr<float>(), g.bias.data_ptr<float>(), out.data_ptr<float>());
  }
  return out;
}

double maxError(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace

class TestWindowAttention : public QObject {
  Q_OBJECT

 private slots:
  void windowsArePlacedOnTheGrid() {
    // Two heads of d = 4 in a [grid, 3 * 8] qkv output; an 11 x 13 grid in windows of 5: 3 x 3
    // windows, the last row's and column's reaching past it.
    const HeadRows rows = HeadRows::windows(2, 11 * 13 * 24, 4, 24, 5, 11, 13);
    QCOMPARE(rows.windowsPerImage(), int64_t(9));
    // Window 4 (the middle one, heads 8 and 9), token 7 = (1, 2): grid (6, 7).
    QVERIFY(rows.inside(9, 7));
    QCOMPARE(rows.offset(9, 7), (6 * 13 + 7) * 24 + 4);
    // Window 8 (bottom right), token 0 = grid (10, 10); token 6 = (1, 1) -> grid (11, 11) is
    // padding, read at the nearest grid token, (10, 11).
    QVERIFY(rows.inside(16, 0));
    QCOMPARE(rows.offset(16, 0), (10 * 13 + 10) * 24);
    QVERIFY(!rows.inside(16, 6));
    QCOMPARE(rows.offset(16, 6), (10 * 13 + 11) * 24);
    // Window 5 (right column): columns 10-12 are the grid's, 13 and 14 padding.
    QVERIFY(rows.inside(10, 2));
    QVERIFY(!rows.inside(10, 3));
    // The second image's first window starts an image further.
    QCOMPARE(rows.offset(18, 0), 11 * 13 * 24);
    // Without windows, every token is inside and the plain offsets hold.
    const HeadRows plain = HeadRows::contiguous(3, 10, 8);
    QVERIFY(plain.inside(2, 9));
    QCOMPARE(plain.windowsPerImage(), int64_t(1));
    QCOMPARE(plain.offset(2, 9), 2 * 80 + 9 * 8);
  }

  void windowsInPlaceMatchThePartitionedFormula_data() {
    QTest::addColumn<int>("gridH");
    QTest::addColumn<int>("gridW");
    QTest::addColumn<int>("window");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("d");
    // Windows cut by both edges (ViT-B: 64 x 64 in 14s, its head size 64), windows that tile
    // the grid exactly, one window larger than the whole grid, ViT-B's own windowed block, a
    // head size that fills no vector.
    QTest::newRow("11x13 in 5s, d64") << 11 << 13 << 5 << 2 << 64;
    QTest::newRow("14x14 in 7s, d24") << 14 << 14 << 7 << 2 << 24;
    QTest::newRow("3x4 in 5s, d16") << 3 << 4 << 5 << 3 << 16;
    QTest::newRow("vit-b 64x64 in 14s, d64") << 64 << 64 << 14 << 2 << 64;
    QTest::newRow("9x16 in 8s, d33") << 9 << 16 << 8 << 1 << 33;
  }
  void windowsInPlaceMatchThePartitionedFormula() {
    QFETCH(int, gridH);
    QFETCH(int, gridW);
    QFETCH(int, window);
    QFETCH(int, heads);
    QFETCH(int, d);
    for (const bool bf16 : {false, true}) {
      const Grid g = randomGrid(2, gridH, gridW, window, heads, d, bf16, 17);
      const torch::Tensor expected = reference(g);
      for (AttentionIsa isa : kAllIsas) {
        if (!attentionIsaSupported(isa)) continue;
        const torch::Tensor out = inPlace(g, isa);
        const QByteArray where = QByteArray(attentionIsaName(isa).data()) + (bf16 ? " bf16" : "");
        QVERIFY2(torch::isfinite(out).all().item<bool>(), where.constData());
        // bf16: the output's rounding to 8 bits (values up to ~3), and the dot-product
        // kernels' bf16 softmax weights.
        const double error = maxError(out, expected);
        QVERIFY2(error < (bf16 ? 3e-2 : 2e-5),
                 qPrintable(QStringLiteral("%1: max error %2").arg(where.constData()).arg(error)));
      }
    }
  }

  void theEncoderEntryAgreesWithPartitionedWindows() {
    // EncoderAttention::attendWindows (the block's path) against partition, attend and merge on
    // a 20 x 23 grid in windows of 7: the same values, as a contiguous grid.
    torch::NoGradGuard noGrad;
    torch::manual_seed(8);
    EncoderAttention attention(96, 3, 7);
    torch::nn::init::normal_(attention->rel_pos_h, 0, 0.5);
    torch::nn::init::normal_(attention->rel_pos_w, 0, 0.5);
    torch::nn::init::normal_(attention->qkv->bias, 0, 1.0);
    for (const bool bf16 : {false, true}) {
      const torch::ScalarType type = bf16 ? torch::kBFloat16 : torch::kFloat;
      attention->to(type);
      const torch::Tensor qkvOut = torch::randn({2, 20, 23, 288}).to(type);
      const torch::Tensor got = attention->attendWindows(qkvOut, 7);
      const torch::Tensor partitioned = mergeWindows(
          attention->attend(partitionWindows(qkvOut, 7, attention->qkv->bias)), 7, 2, 20, 23);
      QCOMPARE(got.sizes(), (std::vector<int64_t>{2, 20, 23, 96}));
      QVERIFY(got.is_contiguous());
      QCOMPARE(got.scalar_type(), type);
      QVERIFY(maxError(got, partitioned) < (bf16 ? 1e-2 : 1e-6));
      // The tiled kernel did run: the function it calls answers for these inputs.
      QVERIFY(tiledWindowAttention(qkvOut, attention->qkv->bias,
                                   relativePositions(7, 7, attention->rel_pos_h),
                                   relativePositions(7, 7, attention->rel_pos_w), 3, 7, 0.25)
                  .defined());
    }
  }

  void autogradAndOtherTypesArePartitioned() {
    // Training needs gradients, which the kernel does not give: it declines, and attendWindows
    // partitions the windows, through which autograd reaches qkv's output and its bias.
    torch::manual_seed(9);
    EncoderAttention attention(32, 2, 5);
    const torch::Tensor qkvOut = torch::randn({1, 8, 9, 96}, torch::requires_grad());
    const torch::Tensor rh = relativePositions(5, 5, attention->rel_pos_h);
    const torch::Tensor rw = relativePositions(5, 5, attention->rel_pos_w);
    QVERIFY(!tiledWindowAttention(qkvOut, attention->qkv->bias, rh, rw, 2, 5, 0.25).defined());
    const torch::Tensor out = attention->attendWindows(qkvOut, 5);
    QCOMPARE(out.sizes(), (std::vector<int64_t>{1, 8, 9, 32}));
    out.sum().backward();
    QVERIFY(qkvOut.grad().defined());
    QVERIFY(attention->qkv->bias.grad().defined());  // the padding's keys and values
    QVERIFY(attention->qkv->bias.grad().abs().sum().item<double>() > 0);

    torch::NoGradGuard noGrad;
    const torch::Tensor doubles = torch::randn({1, 8, 9, 96}, torch::kDouble);
    QVERIFY(
        !tiledWindowAttention(doubles, {}, rh.to(torch::kDouble), rw.to(torch::kDouble), 2, 5, 0.25)
             .defined());
    // A bias that is not qkv's width is no padding row: declined rather than misread.
    QVERIFY(
        !tiledWindowAttention(qkvOut.detach(), torch::zeros({95}), rh, rw, 2, 5, 0.25).defined());
  }
};

QTEST_GUILESS_MAIN(TestWindowAttention)
#include "test_window_attention.moc"
