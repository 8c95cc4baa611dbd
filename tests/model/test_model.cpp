#include <QTest>

#include <atomic>
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

  // A click's thread count holds for the calling thread while in scope, then goes back; other
  // threads (the trainer's) keep theirs.
  void scopedThreadCountIsPerThreadAndRestored() {
    setThreadCount(2);
    // A thread that already runs Torch work (as the trainer's does) keeps its count.
    std::atomic<int> otherThreadReads{0};
    std::atomic<bool> go{false};
    int before = 0, after = 0;
    std::thread other([&] {
      before = runtimeInfo().threads;
      otherThreadReads = 1;
      while (!go) std::this_thread::yield();
      after = runtimeInfo().threads;
      otherThreadReads = 2;
    });
    while (otherThreadReads == 0) std::this_thread::yield();
    {
      const ScopedThreadCount one(1);
      QCOMPARE(runtimeInfo().threads, 1);
      QCOMPARE(otherThreadReads, 1);  // set before this scope; unchanged by it
      go = true;
      other.join();
      QCOMPARE(otherThreadReads, 2);
      const ScopedThreadCount unchanged(0);  // 0 leaves it alone
      QCOMPARE(runtimeInfo().threads, 1);
    }
    QCOMPARE(runtimeInfo().threads, 2);
    QCOMPARE(after, before);
    setThreadCount(0);
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
