// Checks that the CUDA runtime this build links computes correctly. Skips without a GPU, so it
// can always run; on a GPU machine a failure here means the LibTorch/CUDA set-up is broken.
#include <torch/torch.h>

#include <QTest>

#include "medsa/model/runtime.h"

class TestModelGpu : public QObject {
  Q_OBJECT

 private slots:
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
};

QTEST_APPLESS_MAIN(TestModelGpu)
#include "test_model_gpu.moc"
