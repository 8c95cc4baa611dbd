// The fused image-to-token update of the mask decoder's two-way blocks (scores against the
// folded prompt-token columns, each head's softmax, the values through the output projection,
// the residual and norm4) against the same steps in double precision with LibTorch, for decoder
// widths 64-256, 1-8 heads, 1-20 prompt tokens and token counts that fill no register block
// evenly, on every instruction set this CPU runs: with the queries summed from the image tokens
// and their positional encoding as read, and with scores from queries projected once per picture
// (the first block's form: projected queries in blocks of 16 tokens against each head's
// prompt-token keys). Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include "isa_test_rows.h"
#include "sam/image_to_tokens.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t tokens, dim, heads, perHead, headDim;
};

struct Problem {
  torch::Tensor keys, pe, columns, columnBias, values, outBias, normWeight, normBias;
};

Problem randomProblem(const Case& c, int64_t seed) {
  torch::manual_seed(seed);
  const int64_t columns = c.heads * c.perHead;
  Problem p;
  p.keys = torch::randn({c.tokens, c.dim});
  p.pe = torch::randn({c.tokens, c.dim});
  // Scores of a few units, as a scaled dot product gives them; some heads far from others.
  p.columns = torch::randn({columns, c.dim}) * (2.0 / std::sqrt(static_cast<double>(c.dim)));
  p.columnBias = torch::randn({columns}) * 3.0;
  p.values = torch::randn({columns, c.dim});
  p.outBias = torch::randn({c.dim});
  p.normWeight = torch::rand({c.dim}) + 0.5;
  p.normBias = torch::randn({c.dim}) * 0.1;
  return p;
}

// The projected form's inputs: each token's projected queries [tokens][heads x headDim] and each
// head's prompt-token keys [heads][perHead][headDim].
struct Projected {
  torch::Tensor queries, keys;
};

Projected randomProjected(const Case& c, int64_t seed) {
  torch::manual_seed(seed);
  const double scale = 2.0 / std::sqrt(static_cast<double>(c.headDim));
  return {torch::randn({c.tokens, c.heads * c.headDim}) * 2.0,
          torch::randn({c.heads, c.perHead, c.headDim}) * scale};
}

// Scores [tokens, heads x perHead] in double, of the queries keys + pe (summed in fp32, as the
// kernel sums them).
torch::Tensor foldedScores(const Problem& p) {
  const auto d = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
  return torch::addmm(d(p.columnBias), d(p.keys + p.pe), d(p.columns).t());
}
torch::Tensor projectedScores(const Projected& projected, const Case& c) {
  const torch::Tensor queries =
      projected.queries.to(torch::kDouble).view({c.tokens, c.heads, 1, c.headDim});
  return (queries * projected.keys.to(torch::kDouble).unsqueeze(0))
      .sum(3)
      .view({c.tokens, c.heads * c.perHead});
}

torch::Tensor reference(const Problem& p, const Case& c, double eps, const torch::Tensor& scores) {
  const auto d = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
  const torch::Tensor weights =
      scores.view({c.tokens, c.heads, c.perHead}).softmax(2).view({c.tokens, -1});
  const torch::Tensor attended = torch::addmm(d(p.outBias), weights, d(p.values));
  return torch::layer_norm(d(p.keys) + attended, {c.dim}, d(p.normWeight), d(p.normBias), eps);
}

// The kernel's output, the updated image tokens; its scores from keys + pe against the folded
// columns, or from `projected` where given.
torch::Tensor fused(VectorIsa isa, const Problem& p, const Case& c, float eps,
                    const Projected* projected = nullptr) {
  const int64_t columns = c.heads * c.perHead, stride = imageToTokensColumnStride(columns);
  // Padding columns hold garbage: the kernel must not read them into any output.
  torch::Tensor columnMatrix = torch::full({c.dim, stride}, 1e3f);
  columnMatrix.narrow(1, 0, columns).copy_(p.columns.t());
  torch::Tensor columnBias = torch::full({stride}, 1e3f);
  columnBias.narrow(0, 0, columns).copy_(p.columnBias);
  torch::Tensor out = torch::full({c.tokens, c.dim}, std::nanf(""));
  ImageToTokensInput input{};
  input.keys = p.keys.data_ptr<float>();
  input.pe = p.pe.data_ptr<float>();
  input.columns = columnMatrix.data_ptr<float>();
  input.columnBias = columnBias.data_ptr<float>();
  input.values = p.values.data_ptr<float>();
  input.outBias = p.outBias.data_ptr<float>();
  input.normWeight = p.normWeight.data_ptr<float>();
  input.normBias = p.normBias.data_ptr<float>();
  input.normEps = eps;
  input.tokens = c.tokens;
  input.dim = c.dim;
  input.heads = c.heads;
  input.perHead = c.perHead;
  input.columnStride = stride;
  torch::Tensor blocks, keys;
  if (projected != nullptr) {
    // Tokens padded to whole blocks with garbage, which must reach no output.
    const int64_t count = (c.tokens + kProjectedTokenBlock - 1) / kProjectedTokenBlock;
    const int64_t inner = c.heads * c.headDim;
    torch::Tensor padded = torch::full({count * kProjectedTokenBlock, inner}, 1e3f);
    padded.narrow(0, 0, c.tokens).copy_(projected->queries);
    blocks = padded.view({count, kProjectedTokenBlock, inner}).transpose(1, 2).contiguous();
    keys = projected->keys.contiguous();
    input.projectedQueries = blocks.data_ptr<float>();
    input.tokenKeys = keys.data_ptr<float>();
    input.headDim = c.headDim;
    input.columns = nullptr;  // not read in this form
    input.columnBias = nullptr;
  }
  imageToTokens(isa, input, out.data_ptr<float>());
  return out;
}

// headDim only matters to the projected form (ViT-B's and the starter's 16).
constexpr Case kCases[] = {{4096, 256, 8, 7, 16},    // ViT-B, a click: 5 output tokens + 2 points
                           {1024, 128, 4, 7, 16},    // the starter
                           {131, 256, 8, 20, 16},    // many clicks: 160 columns
                           {67, 64, 2, 1, 32},       // a lone token per head (a softmax of one)
                           {5, 192, 3, 9, 8},        // fewer tokens than a register block
                           {200, 512, 1, 256, 40}};  // the widest the kernel takes

QString describe(const Case& c) {
  return QStringLiteral("%1x%2 %3 heads x %4").arg(c.tokens).arg(c.dim).arg(c.heads).arg(c.perHead);
}

void checkAgainst(const torch::Tensor& expected, const torch::Tensor& got) {
  QVERIFY2(torch::isfinite(got).all().item<bool>(), "every output written, none from padding");
  const double error = (got.to(torch::kDouble) - expected).abs().max().item<double>();
  qInfo("max abs error %.3g", error);
  QVERIFY2(error < 2e-5, qPrintable(QString::number(error)));
}

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestImageToTokens : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesStepByStep_data() { medsa::test::addRowsForEachIsa(kCases, describe); }

  void matchesStepByStep() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    QVERIFY(imageToTokensFits(shape.dim, shape.heads * shape.perHead));
    const Problem problem = randomProblem(shape, shape.tokens + shape.dim);
    const torch::Tensor expected = reference(problem, shape, 1e-5, foldedScores(problem));
    checkAgainst(expected, fused(static_cast<VectorIsa>(isa), problem, shape, 1e-5f));
  }

  void projectedQueriesMatchStepByStep_data() { medsa::test::addRowsForEachIsa(kCases, describe); }

  void projectedQueriesMatchStepByStep() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    const Problem problem = randomProblem(shape, shape.tokens + shape.dim);
    const Projected projected = randomProjected(shape, shape.tokens * 3 + shape.dim);
    const torch::Tensor expected =
        reference(problem, shape, 1e-5, projectedScores(projected, shape));
    checkAgainst(expected, fused(static_cast<VectorIsa>(isa), problem, shape, 1e-5f, &projected));
  }

  void refusesWidthsItWasNotWrittenFor() {
    QVERIFY(imageToTokensFits(256, 56));
    QVERIFY(!imageToTokensFits(32, 8));     // the tiny parity model: step by step
    QVERIFY(!imageToTokensFits(96, 8));     // not a multiple of 64
    QVERIFY(!imageToTokensFits(576, 8));    // wider than its buffers
    QVERIFY(!imageToTokensFits(256, 257));  // more columns than its buffers
    QVERIFY(!imageToTokensFits(256, 0));
    QCOMPARE(imageToTokensColumnStride(56), int64_t{64});
    QCOMPARE(imageToTokensColumnStride(64), int64_t{64});
    QCOMPARE(imageToTokensColumnStride(65), int64_t{128});
  }
};

QTEST_MAIN(TestImageToTokens)
#include "test_image_to_tokens.moc"
