#include <QTest>

#include <thread>

#include "medsa/model/runtime.h"
#include "medsa/model/sam_model.h"

using namespace medsa::model;

class TestModel : public QObject {
  Q_OBJECT

 private slots:
  void threadCountIsSetExplicitly() {
    // LibTorch may start with one intra-op thread on a multi-core machine; we set it ourselves.
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    QCOMPARE(defaultThreadCount(), cores);
    QCOMPARE(setThreadCount(1), 1);
    QCOMPARE(runtimeInfo().threads, 1);
    QCOMPARE(setThreadCount(0), cores);
    QCOMPARE(runtimeInfo().threads, cores);
  }

  void runtimeReportsTorchVersion() {
    const RuntimeInfo info = runtimeInfo();
    QVERIFY(!info.torchVersion.empty());
    QVERIFY(info.torchVersion.front() >= '1' && info.torchVersion.front() <= '9');
    QVERIFY(info.cudaDeviceCount >= 0);
    QCOMPARE(info.cudaDeviceCount > 0, info.cudaAvailable);
  }

  // The app runs where the work is fastest: a GPU in bf16 when there is one, else the CPU in
  // fp32 (test_model_gpu runs the engine both ways on a GPU).
  void preferredEngineFollowsTheMachine() {
    const EngineOptions preferred = preferredEngineOptions();
    const bool gpu = runtimeInfo().cudaAvailable;
    QCOMPARE(preferred.device, gpu ? Device::Cuda : Device::Cpu);
    QCOMPARE(preferred.encoderPrecision, gpu ? Precision::Bf16 : Precision::Fp32);
    QCOMPARE(preferred.decoderPrecision, Precision::Fp32);
    QCOMPARE(preferred.zoomIn, ZoomIn::Auto);
  }
};

QTEST_APPLESS_MAIN(TestModel)
#include "test_model.moc"
