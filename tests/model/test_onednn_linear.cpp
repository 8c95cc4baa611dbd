// The encoder's linears through oneDNN (onednn_linear.h) against LibTorch in double precision:
// ViT-B's shapes and odd ones, fp32 and bf16, with and without bias and GELU; the result the
// same from another thread; rowsLinear's inputs of higher rank; and every call it must leave to
// LibTorch (autograd, autocast, few rows, mixed or other dtypes, layouts it does not read).
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include <thread>

#include "sam/common.h"
#include "sam/onednn_linear.h"
#include "torch_compat.h"

using namespace medsa::model;

namespace {

struct Case {
  int64_t rows, in, out;
  bool bias, gelu;
};

// x [rows][in] and W [out][in] with unit-scale outputs, b [out] (or undefined).
struct Operands {
  torch::Tensor x, weight, bias;
};

Operands operands(const Case& c, torch::ScalarType type, uint64_t seed) {
  torch::manual_seed(seed);
  Operands o;
  o.x = torch::randn({c.rows, c.in}).to(type);
  o.weight = (torch::randn({c.out, c.in}) / std::sqrt(static_cast<double>(c.in))).to(type);
  if (c.bias) o.bias = torch::randn({c.out}).to(type);
  return o;
}

// LibTorch in double from the same (possibly bf16-rounded) operands.
torch::Tensor reference(const Operands& o, bool gelu) {
  const torch::Tensor bias = o.bias.defined() ? o.bias.to(torch::kDouble) : torch::Tensor();
  const torch::Tensor y = torch::linear(o.x.to(torch::kDouble), o.weight.to(torch::kDouble), bias);
  return gelu ? torch::gelu(y) : y;
}

LinearActivation activation(bool gelu) {
  return gelu ? LinearActivation::Gelu : LinearActivation::None;
}

bool hasOneDnn() { return !oneDnnLinearKernel(torch::kFloat).empty(); }

}  // namespace

Q_DECLARE_METATYPE(Case)

class TestOneDnnLinear : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    torch::set_num_threads(2);
    if (!hasOneDnn())
      QSKIP(
          "no oneDNN in this build, its fp32 kernel on this CPU not one measured, or "
          "MEDSA_ONEDNN_LINEAR=off: LibTorch runs every linear");
    qInfo("oneDNN kernels: fp32 %s, bf16 %s", oneDnnLinearKernel(torch::kFloat).c_str(),
          oneDnnLinearKernel(torch::kBFloat16).c_str());
  }

  void matchesLinear_data() {
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<Case>("shape");
    const Case cases[] = {{4096, 768, 2304, true, false},  // ViT-B's qkv
                          {4096, 768, 3072, true, true},   // its MLP's lin1 with GELU
                          {4096, 3072, 768, true, false},  // and lin2
                          {4096, 768, 192, true, true},    // an adapter's down with GELU
                          {256, 64, 48, false, false},     // the fewest rows it takes
                          {333, 100, 37, true, true},      // nothing a multiple of a block
                          {1000, 17, 1, false, true}};     // one output column
    for (const bool bf16 : {false, true}) {
      for (const Case& c : cases) {
        const QString name = QStringLiteral("%1 %2x%3x%4%5%6")
                                 .arg(bf16 ? "bf16" : "fp32")
                                 .arg(c.rows)
                                 .arg(c.in)
                                 .arg(c.out)
                                 .arg(c.bias ? " bias" : "")
                                 .arg(c.gelu ? " gelu" : "");
        QTest::newRow(qPrintable(name)) << bf16 << c;
      }
    }
  }

  void matchesLinear() {
    QFETCH(bool, bf16);
    QFETCH(Case, shape);
    const torch::ScalarType type = bf16 ? torch::kBFloat16 : torch::kFloat;
    if (oneDnnLinearKernel(type).empty())
      QSKIP("oneDNN's kernel for this dtype on this CPU is not one measured: LibTorch's");
    const Operands o = operands(shape, type, 7);
    torch::Tensor y;
    {
      torch::InferenceMode inference;
      y = oneDnnLinear(o.x, o.weight, o.bias, activation(shape.gelu));
    }
    QVERIFY2(y.defined(), "declined a call it is for");
    QCOMPARE(y.scalar_type(), type);
    QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{shape.rows, shape.out}));
    const torch::Tensor expected = reference(o, shape.gelu);
    const torch::Tensor error = (y.to(torch::kDouble) - expected).abs();
    // fp32: sums of up to 3,072 unit-scale products; bf16: the output rounded to 8 bits.
    const torch::Tensor allowed =
        bf16 ? expected.abs() * (1.0 / 128) + 1e-3 : torch::full_like(expected, 2e-5);
    const double worst = (error - allowed).max().item<double>();
    QVERIFY2(
        worst <= 0,
        qPrintable(
            QStringLiteral("max error %1 over the tolerance").arg(error.max().item<double>())));
  }

  // OpenMP hands a new thread its own pool: the app's engine encodes on its worker thread, and
  // the trainer's evaluation may run its own encodes at the same time.
  void sameFromOtherThreadsAtOnce() {
    const Case shape{1024, 768, 768, true, true};
    const Operands o = operands(shape, torch::kFloat, 11);
    torch::InferenceMode inference;
    const torch::Tensor here = oneDnnLinear(o.x, o.weight, o.bias, LinearActivation::Gelu);
    QVERIFY(here.defined());
    constexpr int kWorkers = 2, kCalls = 5;
    std::vector<torch::Tensor> there(kWorkers * kCalls);
    std::vector<std::thread> workers;
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&, w] {
        torch::InferenceMode workerInference;
        for (int c = 0; c < kCalls; ++c)
          there[w * kCalls + c] = oneDnnLinear(o.x, o.weight, o.bias, LinearActivation::Gelu);
      });
    }
    for (std::thread& worker : workers) worker.join();
    for (const torch::Tensor& y : there) QVERIFY(y.defined() && torch::equal(here, y));
  }

  // rowsLinear takes tokens of any rank and applies GELU itself where oneDNN does not run.
  void rowsLinearOfTokens() {
    torch::nn::Linear linear(64, 96);
    const torch::Tensor tokens = torch::randn({2, 16, 16, 64});
    const torch::Tensor expected = torch::gelu(linear->forward(tokens));
    torch::Tensor fused, unfused;
    {
      torch::InferenceMode inference;
      fused = rowsLinear(*linear, tokens, LinearActivation::Gelu);          // 512 rows: oneDNN
      unfused = rowsLinear(*linear, tokens[0][0], LinearActivation::Gelu);  // 16: LibTorch
    }
    QCOMPARE(fused.sizes().vec(), (std::vector<int64_t>{2, 16, 16, 96}));
    QVERIFY(torch::allclose(fused, expected, 1e-5, 1e-5));
    QVERIFY(torch::allclose(unfused, expected[0][0], 1e-5, 1e-5));
    // With autograd recording it is LibTorch's, and the graph reaches the weights.
    const torch::Tensor trained = rowsLinear(*linear, tokens, LinearActivation::Gelu);
    QVERIFY(trained.requires_grad());
    trained.sum().backward();
    QVERIFY(linear->weight.grad().defined());
  }

  void declinesWhatItIsNotFor() {
    const Case shape{512, 64, 32, true, false};
    const Operands o = operands(shape, torch::kFloat, 3);
    const auto declines = [](const torch::Tensor& x, const torch::Tensor& w,
                             const torch::Tensor& b) {
      return !oneDnnLinear(x, w, b, LinearActivation::None).defined();
    };
    // Autograd on: the result must carry a graph.
    QVERIFY(declines(o.x, o.weight, o.bias));
    torch::InferenceMode inference;
    QVERIFY(!declines(o.x, o.weight, o.bias));
    QVERIFY(declines(o.x.slice(0, 0, 255), o.weight, o.bias));         // few rows
    QVERIFY(declines(o.x, o.weight.to(torch::kBFloat16), o.bias));     // mixed dtypes
    QVERIFY(declines(o.x.to(torch::kHalf), o.weight.to(torch::kHalf),  // fp16
                     o.bias.to(torch::kHalf)));
    QVERIFY(declines(o.x.to(torch::kDouble), o.weight.to(torch::kDouble),  // double
                     o.bias.to(torch::kDouble)));
    QVERIFY(declines(o.x, torch::randn({64, 32}).t(), o.bias));               // strided W
    QVERIFY(declines(o.x, o.weight, torch::randn({33})));                     // bias size
    QVERIFY(declines(o.x, o.weight, torch::randn({64}).slice(0, 0, 64, 2)));  // strided bias
    QVERIFY(declines(o.x, o.weight.slice(1, 0, 63), o.bias));                 // widths differ
    QVERIFY(declines(o.x.unsqueeze(0), o.weight, o.bias));                    // not rows
    compat::setCpuBf16Autocast(true);
    const bool underAutocast = declines(o.x, o.weight, o.bias);
    compat::setCpuBf16Autocast(false);
    QVERIFY(underAutocast);
    // A strided x is read as rows after a copy, not refused.
    const torch::Tensor wide = torch::randn({512, 128});
    const torch::Tensor strided = wide.slice(1, 0, 64);
    const torch::Tensor y = oneDnnLinear(strided, o.weight, o.bias, LinearActivation::None);
    QVERIFY(y.defined());
    QVERIFY(torch::allclose(y, torch::linear(strided, o.weight, o.bias), 1e-5, 1e-5));
  }
};

QTEST_GUILESS_MAIN(TestOneDnnLinear)
#include "test_onednn_linear.moc"
