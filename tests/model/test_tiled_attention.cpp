// The fused, tiled attention kernel (model/src/sam/tiled_attention.h) against the plain
// formula softmax(scale q k^T + relH + relW) v in double precision, on every instruction set
// this CPU runs (each forced in turn; the ones it lacks are named in the output), fp32 and bf16,
// windowed and global grid shapes, dimensions that do and do not fill a vector, bias on and off.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include <random>
#include <stdexcept>

#include "sam/relpos_attention.h"
#include "sam/tiled_attention.h"

using namespace medsa::model;

namespace {

const AttentionIsa kAllIsas[] = {AttentionIsa::Portable, AttentionIsa::Avx2, AttentionIsa::Avx512,
                                 AttentionIsa::Avx512Bf16, AttentionIsa::Amx};

struct Inputs {
  torch::Tensor q, k, v, relH, relW;
  int64_t heads, h, w, d;
  double scale;
};

Inputs randomInputs(int64_t heads, int64_t h, int64_t w, int64_t d, bool bias, double spread,
                    uint64_t seed) {
  torch::manual_seed(seed);
  const int64_t n = h * w;
  Inputs in{torch::randn({heads, n, d}) * spread,
            torch::randn({heads, n, d}),
            torch::randn({heads, n, d}),
            torch::randn({heads, h, w, h}) * 2,
            torch::randn({heads, h, w, w}) * 2,
            heads,
            h,
            w,
            d,
            1.0 / std::sqrt(static_cast<double>(d))};
  if (!bias) {
    in.relH.zero_();
    in.relW.zero_();
  }
  return in;
}

Inputs roundedToBf16(Inputs in) {
  for (torch::Tensor* t : {&in.q, &in.k, &in.v}) *t = t->to(torch::kBFloat16);
  return in;
}

// The plain formula in double, on the inputs as given (already rounded, for bf16).
torch::Tensor reference(const Inputs& in) {
  const auto d = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
  const int64_t n = in.h * in.w;
  const torch::Tensor bias =
      (d(in.relH).unsqueeze(-1) + d(in.relW).unsqueeze(-2)).reshape({in.heads, n, n});
  return ((d(in.q) * in.scale).matmul(d(in.k).transpose(1, 2)) + bias).softmax(-1).matmul(d(in.v));
}

torch::Tensor tiled(const Inputs& in, AttentionIsa isa, int64_t first, int64_t count,
                    torch::Tensor out = {}) {
  const torch::Tensor relH = in.relH.to(torch::kFloat).contiguous();
  const torch::Tensor relW = in.relW.to(torch::kFloat).contiguous();
  if (!out.defined()) out = torch::full_like(in.q, 7.0);  // rows outside the range stay 7
  const HeadRows rows = HeadRows::contiguous(in.heads, in.h * in.w, in.d);
  if (in.q.scalar_type() == torch::kBFloat16) {
    TiledRelPosAttention attention(in.k.data_ptr<c10::BFloat16>(), in.v.data_ptr<c10::BFloat16>(),
                                   rows, in.heads, in.h, in.w, in.d, isa);
    attention.attend(in.q.data_ptr<c10::BFloat16>(), rows, relH.data_ptr<float>(),
                     relW.data_ptr<float>(), static_cast<float>(in.scale),
                     out.data_ptr<c10::BFloat16>(), rows, first, count);
  } else {
    TiledRelPosAttention attention(in.k.data_ptr<float>(), in.v.data_ptr<float>(), rows, in.heads,
                                   in.h, in.w, in.d, isa);
    attention.attend(in.q.data_ptr<float>(), rows, relH.data_ptr<float>(), relW.data_ptr<float>(),
                     static_cast<float>(in.scale), out.data_ptr<float>(), rows, first, count);
  }
  return out;
}

double maxError(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Every kernel this CPU runs, on all of in's queries: finite and within `tolerance` of the
// formula. The first failure, named by its kernel, or an empty string.
QString everyKernelAgrees(const Inputs& in, double tolerance) {
  const torch::Tensor expected = reference(in);
  for (AttentionIsa isa : kAllIsas) {
    if (!attentionIsaSupported(isa)) continue;
    const torch::Tensor out = tiled(in, isa, 0, in.h * in.w);
    const QString name = QString::fromLatin1(attentionIsaName(isa));
    if (!torch::isfinite(out).all().item<bool>()) return name + QStringLiteral(": not finite");
    const double error = maxError(out, expected);
    if (error >= tolerance) return QStringLiteral("%1: max error %2").arg(name).arg(error);
  }
  return {};
}

void addShapeRows() {
  QTest::addColumn<int>("heads");
  QTest::addColumn<int>("h");
  QTest::addColumn<int>("w");
  QTest::addColumn<int>("d");
  QTest::addColumn<bool>("bias");
  // ViT-B's windows (14 x 14, 64 per head), ViT-H's head size (80), the starter's windows
  // (8 x 8), a grid whose rows are not a vector long, dimensions that fill no vector, a single
  // token, more query rows than one tile (48) and more keys than one tile (64; 512 and 256 on
  // the bf16 dot-product kernels: 24 x 23, whose last tile is part padding).
  QTest::newRow("window 14x14 d64") << 3 << 14 << 14 << 64 << true;
  QTest::newRow("window 14x14 d64 no bias") << 2 << 14 << 14 << 64 << false;
  QTest::newRow("vit-h head 5x7 d80") << 2 << 5 << 7 << 80 << true;
  QTest::newRow("starter window 8x8 d64") << 4 << 8 << 8 << 64 << true;
  QTest::newRow("grid 3x4 d5") << 2 << 3 << 4 << 5 << true;
  QTest::newRow("grid 9x6 d33") << 2 << 9 << 6 << 33 << true;
  QTest::newRow("one token d8") << 1 << 1 << 1 << 8 << true;
  QTest::newRow("global 16x16 d16") << 1 << 16 << 16 << 16 << true;
  QTest::newRow("global 16x16 d16 no bias") << 1 << 16 << 16 << 16 << false;
  QTest::newRow("grid 11x13 d48") << 2 << 11 << 13 << 48 << true;
  QTest::newRow("grid 24x23 d32") << 1 << 24 << 23 << 32 << true;
}

}  // namespace

class TestTiledAttention : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QStringList runs, lacks;
    for (AttentionIsa isa : kAllIsas)
      (attentionIsaSupported(isa) ? runs : lacks) << QString::fromLatin1(attentionIsaName(isa));
    qInfo("kernels tested on this CPU: %s; not available here: %s", qPrintable(runs.join(", ")),
          lacks.isEmpty() ? "none" : qPrintable(lacks.join(", ")));
    QVERIFY(attentionIsaSupported(AttentionIsa::Portable));
    QVERIFY(attentionIsaSupported(bestAttentionIsa()));
  }

  void fp32MatchesTheFormulaOnEveryPath_data() { addShapeRows(); }
  void fp32MatchesTheFormulaOnEveryPath() {
    QFETCH(int, heads);
    QFETCH(int, h);
    QFETCH(int, w);
    QFETCH(int, d);
    QFETCH(bool, bias);
    const Inputs in = randomInputs(heads, h, w, d, bias, 1.0, 7);
    const torch::Tensor expected = reference(in);
    for (AttentionIsa isa : kAllIsas) {
      if (!attentionIsaSupported(isa)) continue;
      const double error = maxError(tiled(in, isa, 0, h * w), expected);
      QVERIFY2(error < 2e-5, qPrintable(QStringLiteral("%1: max error %2")
                                            .arg(QString::fromLatin1(attentionIsaName(isa)))
                                            .arg(error)));
    }
  }

  void bf16MatchesTheFormulaOnItsRoundedInputs_data() { addShapeRows(); }
  void bf16MatchesTheFormulaOnItsRoundedInputs() {
    QFETCH(int, heads);
    QFETCH(int, h);
    QFETCH(int, w);
    QFETCH(int, d);
    QFETCH(bool, bias);
    const Inputs in = roundedToBf16(randomInputs(heads, h, w, d, bias, 1.0, 11));
    const torch::Tensor expected = reference(in);
    for (AttentionIsa isa : kAllIsas) {
      if (!attentionIsaSupported(isa)) continue;
      const torch::Tensor out = tiled(in, isa, 0, h * w);
      QCOMPARE(out.scalar_type(), torch::kBFloat16);
      // The output's rounding to bf16 (8 bits) separates the two; the dot-product kernels also
      // round the softmax weights to bf16 for P.V, which adds less than that.
      const double error = maxError(out, expected);
      QVERIFY2(error < 1.6e-2, qPrintable(QStringLiteral("%1: max error %2")
                                              .arg(QString::fromLatin1(attentionIsaName(isa)))
                                              .arg(error)));
    }
  }

  void randomShapesOnEveryKernel() {
    // Shapes drawn at random (fixed seed, so a failure repeats): grids of 1-23 x 1-23 tokens and
    // head sizes of 1-96, which land on every padding case of every kernel (tokens and
    // dimensions to 8, 16 or 32, partial key tiles, jobs of a few rows), bias on or off.
    std::mt19937 draw(2026);
    std::uniform_int_distribution<int> side(1, 23), dim(1, 96), heads(1, 3), coin(0, 1);
    for (int shape = 0; shape < 24; ++shape) {
      const int h = side(draw), w = side(draw), d = dim(draw), n = heads(draw);
      const bool bias = coin(draw) == 1, bf16 = coin(draw) == 1;
      Inputs in = randomInputs(n, h, w, d, bias, 1.0, 100 + shape);
      if (bf16) in = roundedToBf16(in);
      const torch::Tensor expected = reference(in);
      for (AttentionIsa isa : kAllIsas) {
        if (!attentionIsaSupported(isa)) continue;
        const double error = maxError(tiled(in, isa, 0, h * w), expected);
        QVERIFY2(error < (bf16 ? 1.6e-2 : 2e-5),
                 qPrintable(QStringLiteral("%1, %2 heads, %3 x %4, d %5, %6, bias %7: max error %8")
                                .arg(QString::fromLatin1(attentionIsaName(isa)))
                                .arg(n)
                                .arg(h)
                                .arg(w)
                                .arg(d)
                                .arg(bf16 ? "bf16" : "fp32")
                                .arg(bias)
                                .arg(error)));
      }
    }
  }

  void largeScoresRescaleTheEarlierTiles_data() {
    QTest::addColumn<bool>("bf16");
    QTest::newRow("fp32") << false;
    QTest::newRow("bf16") << true;
  }
  void largeScoresRescaleTheEarlierTiles() {
    // Scores in the hundreds, whose maximum grows from key tile to key tile: a wrong rescale of
    // the running sums, or an exp that overflows, shows at once. 24 x 24 keys span several
    // tiles of every kernel (64 keys; 512 with vdpbf16ps, 256 on AMX).
    QFETCH(bool, bf16);
    Inputs in = randomInputs(2, 24, 24, 64, true, 100.0, 3);
    const torch::Tensor ramp = torch::linspace(0, 60, 24).view({1, 1, 1, 24});
    in.relH = in.relH + ramp;  // later key rows score higher for every query
    if (bf16) in = roundedToBf16(in);
    // Scores near 100 carry fp32 rounding of ~1e-5 each, which the sharp softmax passes on;
    // bf16 outputs are rounded to 8 bits. A wrong rescale would be off by the size of the
    // values (~1).
    const QString failure = everyKernelAgrees(in, bf16 ? 1.6e-2 : 1e-3);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
  }

  // After a row's first key tile the kernels take each tile in one pass against the row's
  // maximum so far, and redo it in two passes only when a score lies more than 30 above that
  // maximum. Key rows in three bands of bias: every kernel's tiles (64 keys; 512 with vdpbf16ps,
  // 256 on AMX) meet a rise within that headroom, whose weights then exceed 1, and, in the
  // second row, one of 110 beyond it, whose exp would overflow in a single pass.
  void scoresRisingBetweenTilesKeepTheirWeights_data() {
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<double>("lastBand");
    for (const bool bf16 : {false, true}) {
      QTest::newRow(bf16 ? "bf16, rising within the headroom" : "fp32, rising within the headroom")
          << bf16 << 20.0;
      QTest::newRow(bf16 ? "bf16, rising beyond it" : "fp32, rising beyond it") << bf16 << 120.0;
    }
  }
  void scoresRisingBetweenTilesKeepTheirWeights() {
    QFETCH(bool, bf16);
    QFETCH(double, lastBand);
    Inputs in = randomInputs(1, 40, 40, 32, true, 1.0, 5);  // 1,600 keys: several tiles each
    const torch::Tensor keyRow = torch::arange(40, torch::kFloat);
    const torch::Tensor band =
        torch::where(keyRow < 14, torch::zeros_like(keyRow),
                     torch::where(keyRow < 28, torch::full_like(keyRow, 10.0),
                                  torch::full_like(keyRow, lastBand)));
    in.relH = in.relH * 0.1 + band.view({1, 1, 1, 40});
    if (bf16) in = roundedToBf16(in);
    const QString failure = everyKernelAgrees(in, bf16 ? 1.6e-2 : 2e-5);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
  }

  void queryRangesWriteOnlyTheirRows_data() {
    QTest::addColumn<bool>("bf16");
    QTest::newRow("fp32") << false;
    QTest::newRow("bf16") << true;
  }
  void queryRangesWriteOnlyTheirRows() {
    // On every kernel the CPU runs: jobs cover query rows independently of each other.
    QFETCH(bool, bf16);
    Inputs in = randomInputs(3, 10, 10, 32, true, 1.0, 5);
    if (bf16) in = roundedToBf16(in);
    for (AttentionIsa isa : kAllIsas) {
      if (!attentionIsaSupported(isa)) continue;
      const torch::Tensor whole = tiled(in, isa, 0, 100);
      const torch::Tensor part = tiled(in, isa, 13, 50);
      QVERIFY(torch::equal(part.narrow(1, 13, 50), whole.narrow(1, 13, 50)));
      QVERIFY((part.narrow(1, 0, 13) == 7).all().item<bool>());
      QVERIFY((part.narrow(1, 63, 37) == 7).all().item<bool>());
      // Pieces of any size add up to the whole, bit for bit.
      torch::Tensor pieces = torch::zeros_like(in.q);
      for (int64_t first : {0, 1, 48, 60}) {
        const int64_t next = first == 0 ? 1 : first == 1 ? 48 : first == 48 ? 60 : 100;
        tiled(in, isa, first, next - first, pieces);
      }
      QVERIFY2(torch::equal(pieces, whole), attentionIsaName(isa).data());
    }
  }

  void fp32InputsNeverUseBf16DotProducts() {
    // A kernel with bf16 dot products runs fp32 inputs on the AVX-512F kernel: same bits.
    QCOMPARE(attentionKernelFor(AttentionIsa::Amx, false), AttentionIsa::Avx512);
    QCOMPARE(attentionKernelFor(AttentionIsa::Avx512Bf16, false), AttentionIsa::Avx512);
    QCOMPARE(attentionKernelFor(AttentionIsa::Amx, true), AttentionIsa::Amx);
    QCOMPARE(attentionKernelFor(AttentionIsa::Avx2, true), AttentionIsa::Avx2);
    const Inputs in = randomInputs(2, 9, 7, 64, true, 1.0, 13);
    for (AttentionIsa isa : {AttentionIsa::Avx512Bf16, AttentionIsa::Amx}) {
      if (!attentionIsaSupported(isa)) continue;
      QVERIFY(torch::equal(tiled(in, isa, 0, 63), tiled(in, AttentionIsa::Avx512, 0, 63)));
    }
  }

  void theEncoderPathAgreesWithTheChunkedKernel() {
    // relPosAttention's default on the CPU is the tiled kernel; on a global 64 x 64 grid it
    // gives what the earlier chunked kernel (full score rows, LibTorch matmuls) gives.
    torch::NoGradGuard noGrad;
    const Inputs in = randomInputs(2, 64, 64, 16, true, 1.0, 9);
    QCOMPARE(defaultBiasStrategy(in.q), BiasStrategy::TiledCpuKernel);
    const auto run = [&](BiasStrategy strategy) {
      return relPosAttention(in.q, in.k, in.v, in.relH, in.relW, in.scale, 64, 64, strategy);
    };
    const torch::Tensor tiledOut = run(BiasStrategy::TiledCpuKernel);
    // The chunked kernel's exponentials come from -ffast-math code: 3.6e-6 from AddInPlace in
    // optimised builds, 2.5e-5 unoptimised (the asan preset), so 3.1e-5 from the tiled kernel.
    QVERIFY(maxError(tiledOut, run(BiasStrategy::FusedCpuKernel)) < 5e-5);
    QVERIFY(maxError(tiledOut, run(BiasStrategy::AddInPlace)) < 1e-5);
    // bf16 through the same entry point stays within bf16's rounding of the fp32 result.
    const auto bf = [](const torch::Tensor& t) { return t.to(torch::kBFloat16); };
    const torch::Tensor half =
        relPosAttention(bf(in.q), bf(in.k), bf(in.v), bf(in.relH), bf(in.relW), in.scale, 64, 64,
                        BiasStrategy::TiledCpuKernel);
    QCOMPARE(half.scalar_type(), torch::kBFloat16);
    QVERIFY(maxError(half, tiledOut) < 3e-2);
  }

  // Heads read from slices of a qkv linear's output [items, tokens, 3, heads, d] and written
  // side by side [items, tokens, heads, d], as the encoder runs the kernel: the same values as
  // the formula on contiguous heads, on every kernel, fp32 and bf16, rows outside the range
  // untouched.
  void stridedHeadRowsMatchTheFormula() {
    const int64_t items = 3, heads = 2, h = 5, w = 7, d = 24, tokens = h * w;
    const Inputs in = randomInputs(items * heads, h, w, d, true, 1.0, 21);
    // [items * heads, tokens, d] -> [items, tokens, heads, d]
    const auto sideBySide = [&](const torch::Tensor& t) {
      return t.view({items, heads, tokens, d}).permute({0, 2, 1, 3});
    };
    const torch::Tensor qkv =
        torch::stack({sideBySide(in.q), sideBySide(in.k), sideBySide(in.v)}, 2).contiguous();
    const HeadRows qkvRows{heads, tokens * 3 * heads * d, d, 3 * heads * d};
    const HeadRows outRows{heads, tokens * heads * d, d, heads * d};
    const int64_t first = 6, count = 20;
    const torch::Tensor expected = sideBySide(reference(in)).narrow(1, first, count);
    const torch::Tensor relH = in.relH.contiguous(), relW = in.relW.contiguous();
    for (AttentionIsa isa : kAllIsas) {
      if (!attentionIsaSupported(isa)) continue;
      for (const bool bf16 : {false, true}) {
        const torch::Tensor source = bf16 ? qkv.to(torch::kBFloat16) : qkv;
        torch::Tensor out = torch::full({items, tokens, heads, d}, 7.0, source.options());
        if (bf16) {
          const c10::BFloat16* base = source.data_ptr<c10::BFloat16>();
          TiledRelPosAttention attention(base + heads * d, base + 2 * heads * d, qkvRows,
                                         items * heads, h, w, d, isa);
          attention.attend(base, qkvRows, relH.data_ptr<float>(), relW.data_ptr<float>(),
                           static_cast<float>(in.scale), out.data_ptr<c10::BFloat16>(), outRows,
                           first, count);
        } else {
          const float* base = source.data_ptr<float>();
          TiledRelPosAttention attention(base + heads * d, base + 2 * heads * d, qkvRows,
                                         items * heads, h, w, d, isa);
          attention.attend(base, qkvRows, relH.data_ptr<float>(), relW.data_ptr<float>(),
                           static_cast<float>(in.scale), out.data_ptr<float>(), outRows, first,
                           count);
        }
        const QByteArray where = QByteArray(attentionIsaName(isa).data()) + (bf16 ? " bf16" : "");
        // bf16: the inputs' rounding (up to 2^-8 relative) moves the outputs by a few 1e-2.
        QVERIFY2(maxError(out.narrow(1, first, count), expected) < (bf16 ? 6e-2 : 1e-5),
                 where.constData());
        QVERIFY2((out.narrow(1, 0, first) == 7).all().item<bool>(), where.constData());
        QVERIFY2((out.narrow(1, first + count, tokens - first - count) == 7).all().item<bool>(),
                 where.constData());
      }
    }
  }

  // The encoder's entry point: slices of qkv in, heads side by side out, the same values as
  // relPosAttention on contiguous heads; with autograd it declines, and the caller falls back.
  void headsLastEntryAgreesAndDeclinesUnderAutograd() {
    const int64_t items = 2, heads = 3, h = 6, w = 6, d = 16, tokens = h * w;
    torch::manual_seed(4);
    const torch::Tensor qkv = torch::randn({items, tokens, 3, heads, d});
    const torch::Tensor all = qkv.permute({2, 0, 3, 1, 4});  // [3, items, heads, tokens, d]
    const torch::Tensor relH = torch::randn({items * heads, h, w, h});
    const torch::Tensor relW = torch::randn({items * heads, h, w, w});
    const auto contiguousHeads = [&](int i) {
      return all[i].reshape({items * heads, tokens, d}).contiguous();
    };
    torch::Tensor expected;
    torch::Tensor got;
    {
      torch::NoGradGuard noGrad;
      expected = relPosAttention(contiguousHeads(0), contiguousHeads(1), contiguousHeads(2), relH,
                                 relW, 0.25, h, w, BiasStrategy::AddInPlace)
                     .view({items, heads, tokens, d})
                     .permute({0, 2, 1, 3});
      got = tiledRelPosAttentionHeadsLast(all[0], all[1], all[2], relH, relW, 0.25, h, w);
    }
    QVERIFY(got.defined());
    QCOMPARE(got.sizes(), (std::vector<int64_t>{items, tokens, heads, d}));
    QVERIFY(got.is_contiguous());
    QVERIFY(maxError(got, expected) < 1e-5);

    const torch::Tensor trained = qkv.clone().requires_grad_();
    const torch::Tensor trainedAll = trained.permute({2, 0, 3, 1, 4});
    QVERIFY(!tiledRelPosAttentionHeadsLast(trainedAll[0], trainedAll[1], trainedAll[2], relH, relW,
                                           0.25, h, w)
                 .defined());
    const torch::Tensor doubles = all.to(torch::kDouble);
    torch::NoGradGuard noGrad;
    QVERIFY(
        !tiledRelPosAttentionHeadsLast(doubles[0], doubles[1], doubles[2], relH, relW, 0.25, h, w)
             .defined());
  }

  void otherElementTypesTakeThePlainPath() {
    // Double has no tiled kernel: the strategy falls back instead of misreading the memory.
    torch::NoGradGuard noGrad;
    Inputs in = randomInputs(1, 4, 4, 8, true, 1.0, 2);
    for (torch::Tensor* t : {&in.q, &in.k, &in.v, &in.relH, &in.relW}) *t = t->to(torch::kDouble);
    const torch::Tensor out = relPosAttention(in.q, in.k, in.v, in.relH, in.relW, in.scale, 4, 4,
                                              BiasStrategy::TiledCpuKernel);
    QVERIFY(maxError(out, reference(in)) < 1e-12);
  }

  void aKernelTheCpuLacksIsRefused() {
    for (AttentionIsa isa : kAllIsas) {
      if (attentionIsaSupported(isa)) continue;
      const torch::Tensor k = torch::zeros({1, 4, 16});
      QVERIFY_THROWS_EXCEPTION(
          std::invalid_argument,
          TiledRelPosAttention(k.data_ptr<float>(), k.data_ptr<float>(),
                               HeadRows::contiguous(1, 4, 16), 1, 2, 2, 16, isa));
      return;
    }
    QSKIP("this CPU runs every kernel, so none can be refused here");
  }

  void namesRoundTrip() {
    for (AttentionIsa isa : kAllIsas) QVERIFY(attentionIsaFromName(attentionIsaName(isa)) == isa);
    QVERIFY(!attentionIsaFromName("sse9").has_value());
  }
};

QTEST_GUILESS_MAIN(TestTiledAttention)
#include "test_tiled_attention.moc"
