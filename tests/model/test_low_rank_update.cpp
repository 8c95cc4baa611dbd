// The mask prompt's low-rank update of the decoder's prepared projections (sam/low_rank_update.h)
// against the same sum in double with LibTorch, in rows of tokens and in blocks of 16 tokens, for
// ViT-B's sizes, ranks and widths at the kernel's limits, token counts that end a block part way
// and batches of one token, on every instruction set this CPU runs.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include "isa_test_rows.h"
#include "sam/low_rank_update.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t tokens, rank, channels;
};

constexpr int64_t kBlock = kLowRankBlockTokens;

// base + [features, 1] factors in double: [tokens, channels].
torch::Tensor reference(const torch::Tensor& base, const torch::Tensor& features,
                        const torch::Tensor& factors) {
  const torch::Tensor ones = torch::ones({features.size(0), 1}, torch::kDouble);
  return base.to(torch::kDouble) +
         torch::cat({features.to(torch::kDouble), ones}, 1).matmul(factors.to(torch::kDouble));
}

// [tokens, channels] in blocks [ceil(tokens / 16), channels, 16], missing tokens `fill`.
torch::Tensor inBlocks(const torch::Tensor& rows, double fill) {
  const int64_t tokens = rows.size(0), blocks = (tokens + kBlock - 1) / kBlock;
  return torch::constant_pad_nd(rows, {0, 0, 0, blocks * kBlock - tokens}, fill)
      .view({blocks, kBlock, rows.size(1)})
      .transpose(1, 2)
      .contiguous();
}

void checkClose(const torch::Tensor& actual, const torch::Tensor& expected, const char* what) {
  QVERIFY2(!actual.isnan().any().item<bool>(), what);
  const double scale = expected.abs().max().item<double>();
  const double error = (actual.to(torch::kDouble) - expected).abs().max().item<double>();
  QVERIFY2(
      error <= 1e-6 * scale + 1e-6,
      qPrintable(QString("%1: max error %2, largest value %3").arg(what).arg(error).arg(scale)));
}

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestLowRankUpdate : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesTheSumInDouble_data() {
    const Case cases[] = {{4096, 16, 128},  // ViT-B: 64 x 64 tokens, 16 features, 128 channels
                          {37, 16, 128},    // a last block of 5 tokens
                          {16, 17, 32},     // one whole block
                          {1, 1, 16},       // one token, rank 1, one vector of channels
                          {300, 64, 48},    // the largest rank; channels no whole register block
                          {600, 8, 256}};   // more blocks than one thread's share
    medsa::test::addRowsForEachIsa(cases, [](const Case& c) {
      return QStringLiteral("%1 tokens rank %2 channels %3")
          .arg(c.tokens)
          .arg(c.rank)
          .arg(c.channels);
    });
  }

  void matchesTheSumInDouble() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    torch::manual_seed(shape.tokens + shape.rank * 7 + shape.channels);
    // Features as GELU leaves them (mostly positive, a few large), factors of both signs.
    const torch::Tensor features = torch::gelu(torch::randn({shape.tokens, shape.rank}) * 3);
    const torch::Tensor factors = torch::randn({shape.rank + 1, shape.channels});
    const torch::Tensor base = torch::randn({shape.tokens, shape.channels}) * 4;
    const LowRankUpdate update{features.data_ptr<float>(), factors.data_ptr<float>(), shape.tokens,
                               shape.rank, shape.channels};
    QVERIFY(lowRankUpdateFits(shape.rank, shape.channels));
    const VectorIsa vectors = static_cast<VectorIsa>(isa);
    const torch::Tensor expected = reference(base, features, factors);

    torch::Tensor rows = torch::full_like(base, std::nanf(""));
    lowRankUpdateRows(vectors, update, base.data_ptr<float>(), rows.data_ptr<float>());
    checkClose(rows, expected, "rows");
    // In place, as its callers may write it.
    torch::Tensor inPlace = base.clone();
    lowRankUpdateRows(vectors, update, inPlace.data_ptr<float>(), inPlace.data_ptr<float>());
    QVERIFY(torch::equal(inPlace, rows));

    // Blocks: the missing tokens of the last block take features of zero, so base + the
    // constant row; the base's padding holds garbage-free values here so that it is checked.
    const torch::Tensor blockedBase = inBlocks(base, 0.5);
    torch::Tensor blocks = torch::full_like(blockedBase, std::nanf(""));
    lowRankUpdateBlocks(vectors, update, blockedBase.data_ptr<float>(), blocks.data_ptr<float>());
    const int64_t padded = blockedBase.size(0) * kBlock;
    const torch::Tensor padding =
        torch::full({padded - shape.tokens, shape.channels}, 0.5, torch::kDouble) +
        factors.to(torch::kDouble).select(0, shape.rank);
    checkClose(blocks, inBlocks(torch::cat({expected, padding}), 0), "blocks");
    // The same sums as the rows, added in the same order.
    QVERIFY(torch::equal(
        blocks.transpose(1, 2).reshape({padded, shape.channels}).narrow(0, 0, shape.tokens), rows));
  }

  // One thread or two: the same bits (each token's sum has one order).
  void threadsDoNotChangeTheResult() {
    torch::manual_seed(3);
    const int64_t tokens = 4096, rank = 16, channels = 128;
    const torch::Tensor features = torch::randn({tokens, rank});
    const torch::Tensor factors = torch::randn({rank + 1, channels});
    const torch::Tensor base = torch::randn({tokens, channels});
    const LowRankUpdate update{features.data_ptr<float>(), factors.data_ptr<float>(), tokens, rank,
                               channels};
    const VectorIsa isa = bestVectorIsa();
    torch::Tensor one = torch::empty_like(base), two = torch::empty_like(base);
    torch::set_num_threads(1);
    lowRankUpdateBlocks(isa, update, base.data_ptr<float>(), one.data_ptr<float>());
    torch::set_num_threads(2);
    lowRankUpdateBlocks(isa, update, base.data_ptr<float>(), two.data_ptr<float>());
    QVERIFY(torch::equal(one, two));
  }

  void refusesSizesItDoesNotTake() {
    QVERIFY(lowRankUpdateFits(16, 128));
    QVERIFY(lowRankUpdateFits(64, 16));
    QVERIFY(!lowRankUpdateFits(0, 128));
    QVERIFY(!lowRankUpdateFits(65, 128));
    QVERIFY(!lowRankUpdateFits(16, 24));  // whole vectors of 16 channels only
    QVERIFY(!lowRankUpdateFits(16, 0));
  }
};

QTEST_APPLESS_MAIN(TestLowRankUpdate)
#include "test_low_rank_update.moc"
