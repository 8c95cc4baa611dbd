// The fused token-to-image attention of the mask decoder (per head, the softmax over every image
// token of the query rows' scores, times the values) against the same steps in double precision
// with LibTorch: the folded form (one head, ViT-B's and the starter's widths) and the first
// block's per-head form (8 heads of 16 dims read from [tokens][heads x 16] rows), with token
// counts that fill no block or chunk evenly, fewer tokens than a register block, scores far
// apart (the online softmax's rescaling), on every instruction set this CPU runs; and the same
// result on one thread as on two. The same with the keys in blocks of 16 tokens (the first
// block's keys as prepared once per picture), garbage in the last block's missing tokens; and
// with the keys summed from the image tokens and their positional encoding as they are read.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include "isa_test_rows.h"
#include "sam/tokens_to_image.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t heads, n, dim, tokens;
  double scoreScale;  // the scores' spread: large values move each row's maximum often
};

struct Problem {
  torch::Tensor queries;       // [heads, n, dim]
  torch::Tensor keys, values;  // [tokens, heads x dim], with a spare column after each row
};

Problem randomProblem(const Case& c, int64_t seed) {
  torch::manual_seed(seed);
  Problem p;
  p.queries =
      torch::randn({c.heads, c.n, c.dim}) * (c.scoreScale / std::sqrt(static_cast<double>(c.dim)));
  // Rows wider than heads x dim: the kernel must follow the given stride.
  p.keys = torch::randn({c.tokens, c.heads * c.dim + 3}).narrow(1, 0, c.heads * c.dim);
  p.values = torch::randn({c.tokens, c.heads * c.dim + 3}).narrow(1, 0, c.heads * c.dim);
  return p;
}

torch::Tensor reference(const Problem& p, const Case& c) {
  const auto d = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
  const torch::Tensor k = d(p.keys).view({c.tokens, c.heads, c.dim}).permute({1, 2, 0});
  const torch::Tensor v = d(p.values).view({c.tokens, c.heads, c.dim}).transpose(0, 1);
  return d(p.queries).matmul(k).softmax(-1).matmul(v);  // [heads, n, dim]
}

// The keys as TokensToImageInput::keysInBlocks: [blocks][heads x dim][16], missing tokens 1e3.
torch::Tensor inBlocks(const Problem& p, const Case& c) {
  const int64_t blocks = (c.tokens + kKeyBlockTokens - 1) / kKeyBlockTokens;
  torch::Tensor padded = torch::full({blocks * kKeyBlockTokens, c.heads * c.dim}, 1e3f);
  padded.narrow(0, 0, c.tokens).copy_(p.keys);
  return padded.view({blocks, kKeyBlockTokens, -1}).transpose(1, 2).contiguous();
}

// With `keyPe` the kernel's keys are p.keys + keyPe, summed as it reads them.
torch::Tensor fused(VectorIsa isa, const Problem& p, const Case& c, bool keysInBlocks = false,
                    const torch::Tensor* keyPe = nullptr) {
  torch::Tensor out = torch::full({c.heads, c.n, c.dim}, std::nanf(""));
  TokensToImageInput input{};
  input.queries = p.queries.data_ptr<float>();
  input.keys = p.keys.data_ptr<float>();
  input.values = p.values.data_ptr<float>();
  input.heads = c.heads;
  input.n = c.n;
  input.dim = c.dim;
  input.tokens = c.tokens;
  input.keyStride = p.keys.stride(0);
  input.valueStride = p.values.stride(0);
  torch::Tensor blocks;
  if (keysInBlocks) {
    blocks = inBlocks(p, c);
    input.keysInBlocks = blocks.data_ptr<float>();
    input.keys = nullptr;  // not read in this form
  }
  if (keyPe != nullptr) {
    input.keyPe = keyPe->data_ptr<float>();
    input.keyPeStride = keyPe->stride(0);
  }
  tokensToImage(isa, input, out.data_ptr<float>());
  return out;
}

constexpr Case kCases[] = {{1, 56, 256, 4096, 3.0},   // ViT-B, folded: 8 heads x 7 tokens
                           {1, 64, 256, 4096, 3.0},   // a correction: 8 heads x 8 tokens
                           {1, 40, 256, 4096, 3.0},   // the final attention: 5 kept tokens
                           {8, 7, 16, 4096, 3.0},     // ViT-B's first block, per head
                           {1, 28, 128, 1024, 3.0},   // the starter, folded
                           {4, 5, 16, 1000, 30.0},    // chunks and blocks cut short, far scores
                           {1, 9, 64, 5, 3.0},        // fewer tokens than a register block
                           {2, 1, 32, 577, 60.0},     // one query row per head
                           {1, 256, 512, 300, 3.0}};  // the most rows the kernel takes

QString describe(const Case& c) {
  return QStringLiteral("%1 heads x %2 rows x %3, %4 tokens, spread %5")
      .arg(c.heads)
      .arg(c.n)
      .arg(c.dim)
      .arg(c.tokens)
      .arg(c.scoreScale);
}

}  // namespace

Q_DECLARE_METATYPE(Case)

namespace {

// One row of the *StepByStep tests.
void check(bool keysInBlocks) {
  QFETCH(int, isa);
  QFETCH(Case, shape);
  QVERIFY(tokensToImageFits(shape.n, shape.dim));
  const Problem problem = randomProblem(shape, shape.tokens + shape.dim + shape.n);
  const torch::Tensor expected = reference(problem, shape);
  const torch::Tensor got = fused(static_cast<VectorIsa>(isa), problem, shape, keysInBlocks);
  QVERIFY2(torch::isfinite(got).all().item<bool>(), "every output written");
  const double error = (got.to(torch::kDouble) - expected).abs().max().item<double>();
  qInfo("max abs error %.3g", error);
  QVERIFY2(error < 2e-5, qPrintable(QString::number(error)));
}

}  // namespace

class TestTokensToImage : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesStepByStep_data() { medsa::test::addRowsForEachIsa(kCases, describe); }
  void matchesStepByStep() { check(false); }

  void keysInBlocksMatchStepByStep_data() { medsa::test::addRowsForEachIsa(kCases, describe); }
  void keysInBlocksMatchStepByStep() { check(true); }

  // The decoder's later blocks: keys + their positional encoding (rows of another stride; half
  // the keys' scale, so that each row's score spread stays near its name's).
  void keysPlusEncodingMatchStepByStep_data() { medsa::test::addRowsForEachIsa(kCases, describe); }

  void keysPlusEncodingMatchStepByStep() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    Problem problem = randomProblem(shape, shape.tokens + shape.dim + shape.n);
    const torch::Tensor pe = (torch::randn({shape.tokens, shape.heads * shape.dim + 5}) * 0.5)
                                 .narrow(1, 0, shape.heads * shape.dim);
    const torch::Tensor got = fused(static_cast<VectorIsa>(isa), problem, shape, false, &pe);
    problem.keys = problem.keys + pe;
    const double error =
        (got.to(torch::kDouble) - reference(problem, shape)).abs().max().item<double>();
    qInfo("max abs error %.3g", error);
    QVERIFY2(torch::isfinite(got).all().item<bool>(), "every output written");
    QVERIFY2(error < 2e-5, qPrintable(QString::number(error)));
  }

  void theThreadCountDoesNotChangeTheResult_data() {
    QTest::addColumn<Case>("shape");
    QTest::addColumn<bool>("keysInBlocks");
    QTest::newRow("folded") << Case{1, 56, 256, 4096, 3.0} << false;
    QTest::newRow("per head, keys in blocks") << Case{8, 7, 16, 4096, 3.0} << true;
  }

  void theThreadCountDoesNotChangeTheResult() {
    QFETCH(Case, shape);
    QFETCH(bool, keysInBlocks);
    const Problem problem = randomProblem(shape, 7);
    const VectorIsa isa = bestVectorIsa();
    const torch::Tensor onTwo = fused(isa, problem, shape, keysInBlocks);
    torch::set_num_threads(1);
    const torch::Tensor onOne = fused(isa, problem, shape, keysInBlocks);
    torch::set_num_threads(2);
    QVERIFY(torch::equal(onOne, onTwo));
  }

  void refusesSizesItWasNotWrittenFor() {
    QVERIFY(tokensToImageFits(1, 16));
    QVERIFY(tokensToImageFits(256, 4096));
    QVERIFY(!tokensToImageFits(0, 256));
    QVERIFY(!tokensToImageFits(257, 256));
    QVERIFY(!tokensToImageFits(7, 24));
    QVERIFY(!tokensToImageFits(7, 4112));
  }
};

QTEST_APPLESS_MAIN(TestTokensToImage)
#include "test_tokens_to_image.moc"
