// The encoder attention's relative-position terms (sam/relpos_bias.h) against LibTorch's
// einsums in double precision: ViT-B's global block and windows, a non-square grid with widths
// no vector divides, the depth adapter's 1 x depth grid and a single token, with the queries
// read from a qkv output as the encoder holds them (fp32, and bf16 summed in fp32), and windows
// read in place from a grid (their padding skipped), on every instruction set this CPU runs; and
// relativePositionTerms, which keeps LibTorch's einsums where
// gradients are wanted.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include "isa_test_rows.h"
#include "sam/image_encoder.h"
#include "sam/relpos_attention.h"
#include "sam/relpos_bias.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t items, heads, h, w, d;
};

struct Problem {
  torch::Tensor qkv;  // [items, h, w, 3 * heads * d], as the qkv linear writes it
  torch::Tensor q;    // [items, heads, h * w, d]: a strided view of it
  torch::Tensor rh, rw;
};

Problem randomProblem(const Case& c, int64_t seed) {
  torch::manual_seed(seed);
  Problem p;
  p.qkv = torch::randn({c.items, c.h, c.w, 3 * c.heads * c.d});
  p.q = p.qkv.view({c.items, c.h * c.w, 3, c.heads, c.d}).permute({2, 0, 3, 1, 4})[0];
  p.rh = torch::randn({c.h, c.h, c.d});
  p.rw = torch::randn({c.w, c.w, c.d});
  return p;
}

std::pair<torch::Tensor, torch::Tensor> reference(const Problem& p, const Case& c) {
  const torch::Tensor q = p.q.to(torch::kDouble).reshape({c.items * c.heads, c.h, c.w, c.d});
  return {torch::einsum("bhwc,hkc->bhwk", {q, p.rh.to(torch::kDouble)}),
          torch::einsum("bhwc,wkc->bhwk", {q, p.rw.to(torch::kDouble)})};
}

void expectClose(const torch::Tensor& actual, const torch::Tensor& expected) {
  QCOMPARE(actual.sizes().vec(), expected.sizes().vec());
  const double error = (actual.to(torch::kDouble) - expected).abs().max().item<double>();
  const double scale = expected.abs().max().item<double>();
  QVERIFY2(error <= 1e-5 * (1 + scale),
           qPrintable(QString("max error %1 of %2").arg(error).arg(scale)));
}

// relPosBias on `q` (fp32 or bf16, laid out as the encoder holds it) and the problem's
// tables; every term starts as NaN, so a term not written fails the comparison.
std::pair<torch::Tensor, torch::Tensor> kernelTerms(int isa, const Case& c, const torch::Tensor& q,
                                                    const Problem& p) {
  const int64_t bh = c.items * c.heads;
  torch::Tensor relH = torch::full({bh, c.h, c.w, c.h}, std::nanf(""));
  torch::Tensor relW = torch::full({bh, c.h, c.w, c.w}, std::nanf(""));
  const bool bf16 = q.scalar_type() == torch::kBFloat16;
  const RelPosBiasInput input{bf16 ? nullptr : q.data_ptr<float>(),
                              {q.size(1), q.stride(0), q.stride(1), q.stride(2)},
                              p.rh.data_ptr<float>(),
                              p.rw.data_ptr<float>(),
                              bh,
                              c.h,
                              c.w,
                              c.d,
                              bf16 ? q.data_ptr<c10::BFloat16>() : nullptr};
  relPosBias(static_cast<VectorIsa>(isa), input, relH.data_ptr<float>(), relW.data_ptr<float>());
  return {relH, relW};
}

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestRelPosBias : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesTheEinsums_data() {
    const Case cases[] = {{1, 12, 64, 64, 64},   // ViT-B's global blocks
                          {25, 12, 14, 14, 64},  // ViT-B's windows (5 x 5 of 14 x 14)
                          {2, 3, 5, 7, 20},      // non-square; widths and d no vector divides
                          {4, 2, 1, 8, 16},      // the depth adapter: a 1 x depth grid
                          {1, 1, 1, 1, 8}};      // one token
    medsa::test::addRowsForEachIsa(cases, [](const Case& c) {
      return QString("%1 x %2 heads, %3 x %4 grid, d %5")
          .arg(c.items)
          .arg(c.heads)
          .arg(c.h)
          .arg(c.w)
          .arg(c.d);
    });
  }

  void matchesTheEinsums() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    const Problem p = randomProblem(shape, 11);
    const auto [relH, relW] = kernelTerms(isa, shape, p.q, p);
    const auto [expectedH, expectedW] = reference(p, shape);
    expectClose(relH, expectedH);
    expectClose(relW, expectedW);
  }

  void bf16QueriesAreSummedInFp32_data() { matchesTheEinsums_data(); }
  void bf16QueriesAreSummedInFp32() {
    // A bf16 encoder's queries, read from its bf16 qkv output: the terms are those of the
    // rounded queries, in fp32 (not rounded to bf16 as LibTorch's einsums leave them).
    QFETCH(int, isa);
    QFETCH(Case, shape);
    Problem p = randomProblem(shape, 12);
    const torch::Tensor qkv = p.qkv.to(torch::kBFloat16);
    const torch::Tensor q = qkv.view({shape.items, shape.h * shape.w, 3, shape.heads, shape.d})
                                .permute({2, 0, 3, 1, 4})[0];
    const auto [relH, relW] = kernelTerms(isa, shape, q, p);
    p.q = q.to(torch::kFloat);
    const auto [expectedH, expectedW] = reference(p, shape);
    expectClose(relH, expectedH);
    expectClose(relW, expectedW);
  }

  void windowsReadInPlaceSkipTheirPadding_data() {
    QTest::addColumn<int>("isa");
    for (VectorIsa isa : {VectorIsa::Portable, VectorIsa::Avx2, VectorIsa::Avx512}) {
      if (vectorIsaSupported(isa))
        QTest::newRow(vectorIsaName(isa).data()) << static_cast<int>(isa);
    }
  }
  void windowsReadInPlaceSkipTheirPadding() {
    // Windows of 5 over two 11 x 13 grids (HeadRows::windows), as the encoder's windowed blocks
    // read them: every grid token's terms are the partitioned windows' einsums, and the
    // padding tokens', whose queries the attention skips, are never written (they stay NaN).
    QFETCH(int, isa);
    const int64_t images = 2, gridH = 11, gridW = 13, window = 5, heads = 2, d = 24;
    const int64_t dim = heads * d, n = window * window;
    torch::manual_seed(6);
    const torch::Tensor qkv = torch::randn({images, gridH, gridW, 3 * dim});
    const torch::Tensor rh = torch::randn({window, window, d}),
                        rw = torch::randn({window, window, d});
    const HeadRows rows =
        HeadRows::windows(heads, gridH * gridW * 3 * dim, d, 3 * dim, window, gridH, gridW);
    const int64_t windowHeads = images * rows.windowsPerImage() * heads;
    torch::Tensor relH = torch::full({windowHeads, n, window}, std::nanf(""));
    torch::Tensor relW = torch::full({windowHeads, n, window}, std::nanf(""));
    const RelPosBiasInput input{qkv.data_ptr<float>(),
                                rows,
                                rh.data_ptr<float>(),
                                rw.data_ptr<float>(),
                                windowHeads,
                                window,
                                window,
                                d};
    relPosBias(static_cast<VectorIsa>(isa), input, relH.data_ptr<float>(), relW.data_ptr<float>());

    const torch::Tensor windows = partitionWindows(qkv, window, torch::zeros({3 * dim}));
    const Case c{windows.size(0), heads, window, window, d};
    const Problem partitioned{
        windows, windows.view({c.items, n, 3, heads, d}).permute({2, 0, 3, 1, 4})[0], rh, rw};
    const auto [expectedH, expectedW] = reference(partitioned, c);
    const torch::Tensor inside = torch::zeros({windowHeads, n}, torch::kBool);
    for (int64_t i = 0; i < windowHeads; ++i)
      for (int64_t t = 0; t < n; ++t) inside[i][t] = rows.inside(i, t);
    QCOMPARE(inside.sum().item<int64_t>(), images * gridH * gridW * heads);
    const auto flat = [&](const torch::Tensor& t) { return t.reshape({windowHeads, n, window}); };
    expectClose(relH.index({inside}), flat(expectedH).index({inside}));
    expectClose(relW.index({inside}), flat(expectedW).index({inside}));
    QVERIFY(torch::isnan(relH.index({~inside})).all().item<bool>());
    QVERIFY(torch::isnan(relW.index({~inside})).all().item<bool>());
  }

  void theTorchEntryPointMatchesWithAndWithoutGradients() {
    const Case shape{3, 4, 6, 9, 32};
    Problem p = randomProblem(shape, 5);
    const auto [expectedH, expectedW] = reference(p, shape);
    {
      torch::NoGradGuard noGrad;
      const auto [relH, relW] = relativePositionTerms(p.q, p.rh, p.rw, shape.h, shape.w);
      QVERIFY(relH.is_contiguous() && relW.is_contiguous());
      expectClose(relH, expectedH);
      expectClose(relW, expectedW);
    }
    {
      // A bf16 encoder: fp32 terms of the bf16 queries and tables.
      torch::NoGradGuard noGrad;
      Problem rounded = p;
      rounded.q = p.q.to(torch::kBFloat16);
      rounded.rh = p.rh.to(torch::kBFloat16);
      rounded.rw = p.rw.to(torch::kBFloat16);
      const auto [relH, relW] =
          relativePositionTerms(rounded.q, rounded.rh, rounded.rw, shape.h, shape.w);
      QCOMPARE(relH.scalar_type(), torch::kFloat);
      const auto [roundedH, roundedW] = reference(rounded, shape);
      expectClose(relH, roundedH);
      expectClose(relW, roundedW);
    }
    // Training: LibTorch's einsums, through which the tables get their gradients.
    p.rh.requires_grad_(true);
    p.rw.requires_grad_(true);
    const auto [relH, relW] = relativePositionTerms(p.q, p.rh, p.rw, shape.h, shape.w);
    expectClose(relH.detach(), expectedH);
    (relH.sum() + relW.sum()).backward();
    QVERIFY(p.rh.grad().defined() && p.rw.grad().defined());
    QVERIFY(p.rh.grad().abs().sum().item<double>() > 0);
  }
};

QTEST_GUILESS_MAIN(TestRelPosBias)
#include "test_relpos_bias.moc"
