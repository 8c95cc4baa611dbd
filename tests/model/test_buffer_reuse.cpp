// The reuse of CPU buffers within a training run (model/src/buffer_reuse.h): a freed buffer
// comes back for the next tensor of nearly its size only while a scope lives, the values
// written into reused memory are the tensor's own, kept memory is bounded, freed when the last
// scope ends and given back when an allocation fails, and the encoder gives the same embedding
// with and without it; an inference encode holds a scope of its own.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTest>

#include <thread>

#include "buffer_reuse.h"
#include "medsa/model/sam_model.h"
#include "sam/image_encoder.h"
#include "sam_model_impl.h"

using namespace medsa::model;

namespace {

constexpr int64_t kMiB = 1 << 20;

// Small enough for a unit test, with tensors in the reused range: 32 x 32 tokens make the MLP's
// hidden activations 1024 x 2048 floats (8 MiB) per picture.
SamConfig smallEncoderConfig() {
  SamConfig config;
  config.imageSize = 512;
  config.embedDim = 256;
  config.heads = 4;
  config.depth = 2;
  config.globalAttentionBlocks = {1};
  config.mlpRatio = 8;
  return config;
}

// A float tensor of `mib` MiB.
torch::Tensor tensorOf(int64_t mib) { return torch::empty({mib * kMiB / 4}); }

const void* address(const torch::Tensor& t) { return t.data_ptr(); }

}  // namespace

class TestBufferReuse : public QObject {
  Q_OBJECT

 private slots:
  void init() {
    if (!bufferReuseBuilt()) QSKIP("this build has no reusing allocator (ASan or LibTorch 2.x)");
  }

  void aFreedBufferComesBackWithinAScope() {
    const BufferReuseScope scope;
    const BufferReuseStats before = bufferReuseStats();
    const void* first = nullptr;
    {
      const torch::Tensor a = tensorOf(40);
      first = address(a);
    }
    QCOMPARE(bufferReuseStats().keptBytes, before.keptBytes + 40 * kMiB);
    const torch::Tensor b = tensorOf(40);
    QCOMPARE(address(b), first);
    QCOMPARE(bufferReuseStats().reused, before.reused + 1);
    QCOMPARE(bufferReuseStats().keptBytes, before.keptBytes);
  }

  void nearlyTheSameSizeFitsAndMuchSmallerDoesNot() {
    const BufferReuseScope scope;
    const void* kept = nullptr;
    {
      const torch::Tensor a = tensorOf(40);
      kept = address(a);
    }
    // 34 MiB would leave more than an eighth of the 40 unused: a buffer of its own.
    const torch::Tensor small = tensorOf(34);
    QVERIFY(address(small) != kept);
    const torch::Tensor near = tensorOf(36);
    QCOMPARE(address(near), kept);
  }

  void smallBuffersAreLeftToTheCLibrary() {
    const BufferReuseScope scope;
    const BufferReuseStats before = bufferReuseStats();
    { const torch::Tensor a = torch::empty({int64_t{kMinReusedBytes / 4 - 16}}); }
    QCOMPARE(bufferReuseStats().keptBytes, before.keptBytes);
    { const torch::Tensor b = tensorOf(2); }
    QCOMPARE(bufferReuseStats().keptBytes, before.keptBytes + 2 * kMiB);
  }

  void nothingIsKeptOutsideAScope() {
    const BufferReuseStats before = bufferReuseStats();
    { const torch::Tensor a = tensorOf(40); }
    QCOMPARE(bufferReuseStats().keptBytes, std::size_t{0});
    { const torch::Tensor b = tensorOf(40); }
    QCOMPARE(bufferReuseStats().reused, before.reused);
  }

  void keptBuffersAreFreedWhenTheLastScopeEnds() {
    {
      const BufferReuseScope outer;
      {
        const BufferReuseScope inner;
        { const torch::Tensor a = tensorOf(40); }
      }
      // The inner scope's end frees nothing: the outer pass goes on.
      QCOMPARE(bufferReuseStats().keptBytes, std::size_t{40 * kMiB});
    }
    QCOMPARE(bufferReuseStats().keptBytes, std::size_t{0});
  }

  void manyBuffersAreKept() {
    const BufferReuseScope scope;
    {
      std::vector<torch::Tensor> many;
      for (int i = 0; i < 12; ++i) many.push_back(tensorOf(48));
    }
    QCOMPARE(bufferReuseStats().keptBytes, std::size_t{12 * 48 * kMiB});
  }

  void keptMemoryIsBounded() {
    // Three buffers of 3 GiB, never written: address space only, no memory.
    const BufferReuseScope scope;
    const std::size_t third = std::size_t{3} << 30;
    {
      std::vector<torch::Tensor> huge;
      for (int i = 0; i < 3; ++i) huge.push_back(torch::empty({int64_t(third / 4)}));
    }
    QCOMPARE(bufferReuseStats().keptBytes, 2 * third);  // the third would pass kMaxKeptBytes
    QVERIFY(2 * third <= kMaxKeptBytes && 3 * third > kMaxKeptBytes);
  }

  void aFailedAllocationGivesTheKeptBuffersBack() {
    const BufferReuseScope scope;
    { const torch::Tensor a = tensorOf(40); }
    QCOMPARE(bufferReuseStats().keptBytes, std::size_t{40 * kMiB});
    // 64 TiB: more than any machine this runs on can map.
    bool threw = false;
    try {
      const torch::Tensor huge = torch::empty({int64_t{16} << 40});
    } catch (const c10::Error&) {
      threw = true;
    }
    QVERIFY(threw);
    QCOMPARE(bufferReuseStats().keptBytes, std::size_t{0});
  }

  void reusedMemoryHoldsTheNewTensorsValues() {
    const BufferReuseScope scope;
    { const torch::Tensor old = torch::full({40 * kMiB / 4}, 7.0f); }
    const torch::Tensor zeros = torch::zeros({40 * kMiB / 4});
    QCOMPARE(zeros.abs().max().item<float>(), 0.0f);
    const torch::Tensor sum = zeros + 1.0f;  // a second buffer of the same size, fresh
    QCOMPARE(sum.min().item<float>(), 1.0f);
  }

  void buffersFreedOnAnotherThreadComeBack() {
    const BufferReuseScope scope;
    torch::Tensor a = tensorOf(40);
    const void* first = address(a);
    std::thread([moved = std::move(a)]() mutable { moved = torch::Tensor(); }).join();
    QCOMPARE(address(tensorOf(40)), first);
  }

  void theEncoderGivesTheSameEmbeddingWithReuse() {
    const SamConfig config = smallEncoderConfig();
    ImageEncoder encoder(config, nullptr);
    encoder->eval();
    torch::InferenceMode inference;
    const torch::Tensor pictures = torch::randn({4, 3, config.imageSize, config.imageSize});
    const torch::Tensor plain = encoder->forward(pictures);

    const BufferReuseScope scope;
    const BufferReuseStats before = bufferReuseStats();
    encoder->forward(pictures);  // leaves its buffers, with its values, for the next pass
    const torch::Tensor reused = encoder->forward(pictures);
    QVERIFY(bufferReuseStats().reused > before.reused);
    QVERIFY(torch::equal(reused, plain));
  }

  void anInferenceEncodeReusesItsBlocksBuffers() {
    // The second block's activations take the first block's freed buffers; nothing stays kept
    // once the encode has returned.
    EngineOptions options;
    options.threads = 1;
    const auto model = SamModel::randomWeights(smallEncoderConfig(), options, 3).value();
    const BufferReuseStats before = bufferReuseStats();
    const torch::Tensor embedding = model->impl().encode(torch::randn({1, 3, 512, 512}), 1, {});
    QCOMPARE(embedding.size(2), int64_t{32});
    QVERIFY(bufferReuseStats().reused > before.reused);
    QCOMPARE(bufferReuseStats().keptBytes, std::size_t{0});
  }
};

QTEST_GUILESS_MAIN(TestBufferReuse)
#include "test_buffer_reuse.moc"
