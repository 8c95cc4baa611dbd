// The adapter training step: the base stays bit-identical, adapters move, the loss falls on a
// small synthetic task, and gradient checkpointing / accumulation behave.
#include <torch/torch.h>

#include <QTest>

#include "medsa/model/adapter_trainer.h"
#include "parity_fixture.h"
#include "sam_model_impl.h"

using namespace medsa;
using namespace medsa::model;

namespace {

std::shared_ptr<SamModel> tinyWithAdapters() {
  EngineOptions options;
  options.adapters = AdapterConfig{};
  return test::loadTiny(options);
}

// A bright square on a textured background; the task is to segment the square from a box.
TrainingSample squareSample(int x0, int y0, int side) {
  TrainingSample sample;
  sample.image = RgbImage(64, 64);
  sample.mask.assign(64 * 64, 0);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      const bool inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
      std::uint8_t* p = sample.image.pixel(x, y);
      p[0] = p[1] = p[2] = static_cast<std::uint8_t>(inside ? 210 : 40 + ((x * 7 + y * 13) % 30));
      sample.mask[y * 64 + x] = inside;
    }
  }
  sample.prompt.box = PromptBox{x0 - 2.0, y0 - 2.0, x0 + side + 2.0, y0 + side + 2.0};
  return sample;
}

std::vector<TrainingSample> squares() {
  return {squareSample(8, 10, 20), squareSample(30, 28, 24), squareSample(20, 5, 16),
          squareSample(36, 6, 18)};
}

std::map<std::string, torch::Tensor> snapshot(SamModel& model) {
  std::map<std::string, torch::Tensor> copy;
  for (const auto& item : model.impl().sam->named_parameters())
    copy[item.key()] = item.value().detach().clone();
  return copy;
}

}  // namespace

class TestTrainer : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::manual_seed(3); }

  void baseStaysBitIdenticalAndEveryAdapterMoves() {
    auto model = tinyWithAdapters();
    const auto before = snapshot(*model);
    AdapterTrainer trainer(model, {.learningRate = 1e-3});
    for (int i = 0; i < 3; ++i) QVERIFY(trainer.step(squares()).ok());
    QCOMPARE(trainer.optimizerSteps(), 3);
    int adapters = 0;
    for (const auto& item : model->impl().sam->named_parameters()) {
      const torch::Tensor& old = before.at(item.key());
      if (isAdapterKey(item.key())) {
        ++adapters;
        QVERIFY2(!torch::equal(item.value(), old), item.key().c_str());
      } else {
        QVERIFY2(torch::equal(item.value(), old), item.key().c_str());
        QVERIFY2(!item.value().requires_grad(),
                 item.key().c_str());  // no gradient, no optimizer state
      }
    }
    QVERIFY(adapters > 20);
    std::int64_t adapterValues = 0;
    for (const auto& count : model->parameterCounts()) adapterValues += count.trainable;
    QCOMPARE(trainer.trainableParameters(), adapterValues);
  }

  void lossFallsByHalfOnASmallTask() {
    auto model = tinyWithAdapters();
    AdapterTrainer trainer(model, {.learningRate = 2e-3, .trainDecoder = true});
    const auto batch = squares();
    double first = 0, best = 1e9;
    int steps = 0;
    for (; steps < 120; ++steps) {
      const Result<StepStats> stats = trainer.step(batch);
      QVERIFY(stats.ok());
      if (steps == 0) first = stats->loss;
      best = std::min(best, stats->loss);
      if (best <= 0.5 * first) break;
    }
    qInfo("loss %.4f -> %.4f after %d steps", first, best, steps + 1);
    QVERIFY2(best <= 0.5 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(best)));
  }

  void gradientCheckpointingGivesTheSameGradients() {
    std::map<std::string, torch::Tensor> grads[2];
    for (int checkpointing = 0; checkpointing < 2; ++checkpointing) {
      torch::manual_seed(11);
      auto model = tinyWithAdapters();
      {
        torch::NoGradGuard noGrad;  // make the adapters non-trivial so every path has a gradient
        for (auto& item : model->impl().sam->named_parameters()) {
          if (isAdapterKey(item.key()) && item.key().find(".up.") != std::string::npos)
            item.value().normal_(0, 0.05);
        }
      }
      AdapterTrainer trainer(model,
                             {.accumulationSteps = 2, .gradientCheckpointing = checkpointing == 1});
      const Result<StepStats> stats =
          trainer.step({squares()[0]});  // first of two: no optimizer step yet
      QVERIFY2(stats.ok(), stats.ok() ? "" : stats.error().message.c_str());
      QVERIFY(!stats->optimizerStepped);
      for (const auto& item : model->impl().sam->named_parameters()) {
        if (item.value().grad().defined())
          grads[checkpointing][item.key()] = item.value().grad().clone();
      }
    }
    QCOMPARE(grads[0].size(), grads[1].size());
    for (const auto& [key, grad] : grads[0]) {
      QVERIFY2(torch::allclose(grad, grads[1].at(key), 1e-4, 1e-6), key.c_str());
    }
  }

  void accumulationStepsEveryNCalls() {
    AdapterTrainer trainer(tinyWithAdapters(), {.accumulationSteps = 3});
    for (int call = 1; call <= 6; ++call) {
      const Result<StepStats> stats = trainer.step({squares()[call % 4]});
      QVERIFY(stats.ok());
      QCOMPARE(stats->optimizerStepped, call % 3 == 0);
    }
    QCOMPARE(trainer.optimizerSteps(), 2);
  }

  void badSamplesAreErrors() {
    AdapterTrainer trainer(tinyWithAdapters(), {});
    TrainingSample noPrompt = squareSample(5, 5, 10);
    noPrompt.prompt = {};
    QVERIFY(!trainer.step({noPrompt}).ok());
    TrainingSample wrongMask = squareSample(5, 5, 10);
    wrongMask.mask.resize(10);
    QVERIFY(!trainer.step({wrongMask}).ok());
    QVERIFY(!trainer.step({}).ok());
  }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
