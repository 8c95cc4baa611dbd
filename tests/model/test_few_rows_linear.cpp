// The few-rows linear kernel of the mask decoder's prompt tokens against LibTorch's linear in
// double precision: 1-64 rows (none, part or several of a register block), input widths of one
// to 128 vectors, output counts that fill no block of four, with and without bias and ReLU, on
// every instruction set this CPU runs; and the widths it refuses.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include "sam/few_rows_linear.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t rows, in, out;
  bool bias, relu;
};

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestFewRowsLinear : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void matchesLinear_data() {
    QTest::addColumn<int>("isa");
    QTest::addColumn<Case>("shape");
    const Case cases[] = {{7, 256, 2048, true, true},   // ViT-B's token MLP, lin1
                          {7, 2048, 256, true, false},  // and lin2
                          {7, 128, 1024, true, true},   // the starter's
                          {1, 256, 32, true, false},    // a hypernetwork's last layer
                          {5, 256, 4, true, false},     // the IoU head's
                          {64, 16, 67, false, true},    // the most rows, the narrowest input
                          {3, 48, 5, false, false},     // fewer rows than a block
                          {26, 256, 130, true, true}};  // 20 clicks' tokens
    for (VectorIsa isa : {VectorIsa::Portable, VectorIsa::Avx2, VectorIsa::Avx512}) {
      if (!vectorIsaSupported(isa)) continue;
      for (const Case& c : cases) {
        const QString name = QStringLiteral("%1 %2x%3x%4%5%6")
                                 .arg(QString::fromUtf8(vectorIsaName(isa).data()))
                                 .arg(c.rows)
                                 .arg(c.in)
                                 .arg(c.out)
                                 .arg(c.bias ? " bias" : "")
                                 .arg(c.relu ? " relu" : "");
        QTest::newRow(qPrintable(name)) << static_cast<int>(isa) << c;
      }
    }
  }

  void matchesLinear() {
    QFETCH(int, isa);
    QFETCH(Case, shape);
    QVERIFY(fewRowsLinearFits(shape.rows, shape.in));
    torch::manual_seed(shape.rows * 1000 + shape.out);
    const torch::Tensor x = torch::randn({shape.rows, shape.in});
    const torch::Tensor weight = torch::randn({shape.out, shape.in}) / std::sqrt(double(shape.in));
    const torch::Tensor bias = shape.bias ? torch::randn({shape.out}) : torch::Tensor();
    torch::Tensor expected = torch::linear(x.to(torch::kDouble), weight.to(torch::kDouble),
                                           shape.bias ? bias.to(torch::kDouble) : torch::Tensor());
    if (shape.relu) expected = torch::relu(expected);
    // Every output must be written: NaN stays where one is not.
    torch::Tensor got = torch::full({shape.rows, shape.out}, std::nanf(""));
    FewRowsLinearInput input;
    input.x = x.data_ptr<float>();
    input.weight = weight.data_ptr<float>();
    input.bias = shape.bias ? bias.data_ptr<float>() : nullptr;
    input.rows = shape.rows;
    input.in = shape.in;
    input.out = shape.out;
    input.relu = shape.relu;
    fewRowsLinear(static_cast<VectorIsa>(isa), input, got.data_ptr<float>());
    QVERIFY2(torch::isfinite(got).all().item<bool>(), "every output written");
    const double error = (got.to(torch::kDouble) - expected).abs().max().item<double>();
    qInfo("max abs error %.3g", error);
    QVERIFY2(error < 1e-5, qPrintable(QString::number(error)));
    if (shape.relu) QVERIFY((got >= 0).all().item<bool>());
  }

  void refusesWhatItWasNotWrittenFor() {
    QVERIFY(fewRowsLinearFits(7, 256));
    QVERIFY(fewRowsLinearFits(64, 16));
    QVERIFY(!fewRowsLinearFits(65, 256));  // many rows: a GEMM's job
    QVERIFY(!fewRowsLinearFits(0, 256));
    QVERIFY(!fewRowsLinearFits(7, 24));  // not a multiple of 16
    QVERIFY(!fewRowsLinearFits(7, 0));
  }
};

QTEST_MAIN(TestFewRowsLinear)
#include "test_few_rows_linear.moc"
