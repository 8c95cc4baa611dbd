// Checks that the CUDA runtime this build links computes correctly. Skips without a GPU, so it
// can always run; on a GPU machine a failure here means the LibTorch/CUDA set-up is broken.
#include <torch/torch.h>

#include <QTest>

#include "medsa/model/predictor.h"
#include "medsa/model/runtime.h"
#include "parity_fixture.h"
#include "sam/relpos_attention.h"

class TestModelGpu : public QObject {
  Q_OBJECT

 private slots:
  // What `medsa --version` and the window report as GPUs must be devices that really compute.
  void everyReportedCudaDeviceComputes() {
    const medsa::model::RuntimeInfo info = medsa::model::runtimeInfo();
    if (!info.cudaAvailable) {
      QCOMPARE(info.cudaDeviceCount, 0);
      QSKIP("no CUDA device: GPU tests skipped");
    }
    QVERIFY2(info.cudaDeviceCount >= 1, "CUDA is available but no device is reported");
    QCOMPARE(info.cudaDeviceCount, static_cast<int>(torch::cuda::device_count()));
    const torch::Tensor values = torch::arange(4096, torch::kFloat32);
    for (int d = 0; d < info.cudaDeviceCount; ++d) {
      const torch::Device device(torch::kCUDA, static_cast<c10::DeviceIndex>(d));
      const torch::Tensor onDevice = values.to(device);
      QCOMPARE(static_cast<int>(onDevice.device().index()), d);
      QVERIFY(onDevice.is_cuda());
      // Whole numbers below 2^24 are exact in fp32: the round trip must give them back exactly.
      const torch::Tensor back = (onDevice * 2 + 1).cpu();
      QVERIFY(!back.is_cuda());
      QVERIFY(torch::equal(back, values * 2 + 1));
    }
  }

  void cudaMatmulMatchesCpu() {
    if (!medsa::model::runtimeInfo().cudaAvailable) QSKIP("no CUDA device: GPU tests skipped");
    torch::manual_seed(0);
    const torch::Tensor a = torch::randn({256, 384});
    const torch::Tensor b = torch::randn({384, 128});
    const torch::Tensor cpu = torch::matmul(a, b);
    // TF32 would legitimately differ by ~1e-3; compare in full fp32.
    at::globalContext().setAllowTF32CuBLAS(false);
    const torch::Tensor gpu = torch::matmul(a.cuda(), b.cuda()).cpu();
    QVERIFY(torch::allclose(cpu, gpu, 1e-4, 1e-4));
  }

  // The GPU's attention (scaled_dot_product_attention with the decomposed relative-position
  // bias as its mask) against the formula in fp64 on the CPU: windowed and global shapes, fp32
  // and bf16, bias on and off.
  void cudaAttentionMatchesReference_data() {
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("side");
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<bool>("bias");
    for (const bool bf16 : {false, true}) {
      for (const bool bias : {true, false}) {
        const QByteArray tag = QByteArray(bf16 ? "bf16" : "fp32") + (bias ? "" : " no bias");
        QTest::newRow(tag + " windows 14x14") << 2 * 25 << 14 << bf16 << bias;
        QTest::newRow(tag + " global 32x32") << 3 << 32 << bf16 << bias;
        QTest::newRow(tag + " global 13x13") << 5 << 13 << bf16 << bias;
      }
    }
  }
  void cudaAttentionMatchesReference() {
    if (!medsa::model::runtimeInfo().cudaAvailable) QSKIP("no CUDA device: GPU tests skipped");
    using namespace medsa::model;
    QFETCH(int, heads);
    QFETCH(int, side);
    QFETCH(bool, bf16);
    QFETCH(bool, bias);
    torch::manual_seed(side * 100 + heads);
    const int64_t tokens = side * side, d = 64;
    const double scale = 1.0 / 8.0;
    const auto options = torch::TensorOptions().dtype(torch::kDouble);
    const torch::Tensor q = torch::randn({heads, tokens, d}, options);
    const torch::Tensor k = torch::randn({heads, tokens, d}, options);
    const torch::Tensor v = torch::randn({heads, tokens, d}, options);
    const double biasSize = bias ? 1.0 : 0.0;
    const torch::Tensor relH = torch::randn({heads, side, side, side}, options) * biasSize;
    const torch::Tensor relW = torch::randn({heads, side, side, side}, options) * biasSize;
    const torch::Tensor scores =
        (q * scale).matmul(k.transpose(1, 2)).view({heads, side, side, side, side}) +
        relH.unsqueeze(-1) + relW.unsqueeze(-2);
    const torch::Tensor expected = scores.view({heads, tokens, tokens}).softmax(-1).matmul(v);

    const torch::ScalarType type = bf16 ? torch::kBFloat16 : torch::kFloat;
    const auto onGpu = [&](const torch::Tensor& t) { return t.to(torch::kCUDA, type); };
    torch::InferenceMode inference;
    const torch::Tensor gpuQ = onGpu(q);
    const BiasStrategy strategy = defaultBiasStrategy(gpuQ);
    if (deviceSdpaAvailable()) QCOMPARE(strategy, BiasStrategy::DeviceSdpa);
    const torch::Tensor out = relPosAttention(gpuQ, onGpu(k), onGpu(v), onGpu(relH), onGpu(relW),
                                              scale, side, side, strategy);
    QCOMPARE(out.scalar_type(), type);
    QVERIFY(out.is_cuda());
    const double error =
        (out.to(torch::kCPU, torch::kDouble) - expected).abs().max().item<double>();
    QVERIFY2(error < (bf16 ? 0.06 : 2e-4), qPrintable(QString::number(error)));
  }

  // The whole engine on CUDA (fp32 and bf16 encoder) against the CPU on the parity fixture.
  void cudaPredictorMatchesCpu() {
    if (!medsa::model::runtimeInfo().cudaAvailable) QSKIP("no CUDA device: GPU tests skipped");
    using namespace medsa;
    using namespace medsa::model;
    const QString dir = QStringLiteral(MEDSA_TEST_DATA_DIR "/sam-parity");
    const SamConfig config = test::manifestConfig(dir + "/manifest.json", "tiny");
    const auto cases = test::loadCases(dir + "/tiny_cases.pt");
    const RgbImage image = test::toRgbImage(cases.at("image_u8"));
    Prompt prompt;
    prompt.points = {{120, 90, true}, {30, 200, false}};
    prompt.multimask = true;
    const auto run = [&](Device device, Precision precision) {
      EngineOptions options;
      options.device = device;
      options.encoderPrecision = precision;
      Predictor predictor(
          SamModel::load((dir + "/tiny.pth").toStdString(), config, options).value());
      if (!predictor.setImage(image, {"gpu"}).ok()) qFatal("setImage failed");
      return predictor.predict(prompt).value();
    };
    const Prediction cpu = run(Device::Cpu, Precision::Fp32);
    for (Precision precision : {Precision::Fp32, Precision::Bf16}) {
      const Prediction gpu = run(Device::Cuda, precision);
      size_t same = 0;
      for (size_t i = 0; i < cpu.masks.size(); ++i) same += cpu.masks[i] == gpu.masks[i];
      QVERIFY(static_cast<double>(same) / cpu.masks.size() > 0.99);
      for (size_t i = 0; i < cpu.iou.size(); ++i)
        QVERIFY(std::fabs(cpu.iou[i] - gpu.iou[i]) < 0.02);
    }
  }
};

QTEST_APPLESS_MAIN(TestModelGpu)
#include "test_model_gpu.moc"
