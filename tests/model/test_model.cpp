#include <QDir>
#include <QFileInfo>
#include <QTest>

#include <thread>

#include "medsa/model/predictor.h"
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

  // A thread done computing lets its OpenMP workers go: while more of them live than there are
  // cores, libgomp makes every thread's workers sleep between parallel steps (runtime.h).
  void aThreadLetsItsParallelWorkersGo() {
    if (!QFileInfo::exists(QStringLiteral("/proc/self/task"))) QSKIP("no /proc/self/task here");
    const auto threads = [] {
      return QDir(QStringLiteral("/proc/self/task"))
          .entryList(QDir::Dirs | QDir::NoDotAndDotDot)
          .size();
    };
    auto model = SamModel::randomWeights(SamConfig::preset("starter").value(), {}, 1);
    QVERIFY(model.ok());
    qsizetype before = 0, working = 0, after = 0;
    bool encoded = false;
    std::thread computing([&] {
      setThreadCount(2);  // this thread's parallel steps take two threads on any machine
      before = threads();
      Predictor predictor(model.value());
      encoded = predictor.setImage(medsa::RgbImage(64, 64), {"zeros", 0, 0, 0, 0}).ok();
      working = threads();
      releaseParallelWorkers();
      for (int i = 0; i < 500 && (after = threads()) > before; ++i) QTest::qSleep(10);
    });
    computing.join();
    QVERIFY(encoded);
    QVERIFY2(working > before, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(working)));
    QCOMPARE(after, before);
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
