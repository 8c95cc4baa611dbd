// Checks that the CUDA runtime this build links computes correctly. Skips without a GPU, so it
// can always run; on a GPU machine a failure here means the LibTorch/CUDA set-up is broken.
#include <torch/torch.h>

#include <QTest>

#include "medsa/model/predictor.h"
#include "medsa/model/runtime.h"
#include "parity_fixture.h"

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
