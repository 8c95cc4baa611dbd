#include <QTest>

#include <thread>

#include "medsa/model/runtime.h"

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
};

QTEST_APPLESS_MAIN(TestModel)
#include "test_model.moc"
