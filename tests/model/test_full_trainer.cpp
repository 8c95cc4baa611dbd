// Full training (pre-training from random weights) with the simulated interactive loop: the
// encoder's attention is differentiated correctly, the loss falls, every part learns, runs are
// reproducible and resumable, bad steps are skipped, and the written model loads by itself.
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <map>
#include <set>

#include "interactive_loop.h"
#include "medsa/core/synthetic_scene.h"
#include "medsa/model/full_trainer.h"
#include "medsa/model/model_evaluation.h"
#include "medsa/model/predictor.h"
#include "sam/relpos_attention.h"
#include "sam/sam.h"
#include "sam_model_impl.h"
#include "trainable_tiny.h"

using namespace medsa;
using namespace medsa::model;

namespace {

SamConfig tinyConfig() { return test::trainableTinyConfig(); }

std::shared_ptr<SamModel> tinyModel(std::uint64_t seed = 3) {
  EngineOptions options;
  options.threads = 2;
  return SamModel::randomWeights(tinyConfig(), options, seed).value();
}

std::vector<LabeledPicture> scenes(std::uint64_t first, int count) {
  return test::tinyScenes(1, first, count);
}

std::map<std::string, torch::Tensor> snapshot(SamModel& model) {
  std::map<std::string, torch::Tensor> copy;
  for (const auto& item : model.impl().sam->named_parameters())
    copy[item.key()] = item.value().detach().clone();
  return copy;
}

bool sameWeights(SamModel& a, SamModel& b, double tolerance) {
  const auto x = snapshot(a), y = snapshot(b);
  for (const auto& [name, tensor] : x) {
    if (!torch::allclose(tensor, y.at(name), 0, tolerance)) {
      qWarning("differs: %s", name.c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

class TestFullTrainer : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::manual_seed(0); }

  // Correction clicks on the low-res masks (cells of 4 x 4 frame pixels here): a miss gets a
  // positive click inside the object near the full-size answer's click, a leak a negative one
  // inside the leak, and clicks stay in the picture's part of the frame.
  void lowResCorrectionClicksLandInTheErrors() {
    const int size = 64, lowRes = 16;
    FrameObject object;
    object.width = 62;  // the picture's part: the last cell column is half outside it
    object.height = 48;
    object.mask.assign(static_cast<std::size_t>(object.width) * object.height, 0);
    for (int y = 8; y < 40; ++y)
      for (int x = 8; x < 40; ++x) object.mask[static_cast<std::size_t>(y) * object.width + x] = 1;
    std::vector<std::uint8_t> target(lowRes * lowRes, 0), answer(lowRes * lowRes, 0);
    for (int y = 2; y < 10; ++y)
      for (int x = 2; x < 10; ++x) target[static_cast<std::size_t>(y) * lowRes + x] = 1;
    Rng rng(1);
    // Nothing predicted: a positive click near the object's centre (23.5, 23.5).
    auto miss =
        lowResCorrectionClick(object, answer.data(), target.data(), lowRes, size, true, rng);
    QVERIFY(miss && miss->positive);
    QVERIFY2(std::abs(miss->x - 23.5) <= 2 && std::abs(miss->y - 23.5) <= 2,
             qPrintable(QString("%1 %2").arg(miss->x).arg(miss->y)));
    // The object found, plus a leak over the right edge: a negative click in the leak, inside
    // the picture.
    answer = target;
    for (int y = 2; y < 10; ++y)
      for (int x = 12; x < 16; ++x) answer[static_cast<std::size_t>(y) * lowRes + x] = 1;
    auto leak =
        lowResCorrectionClick(object, answer.data(), target.data(), lowRes, size, true, rng);
    QVERIFY(leak && !leak->positive);
    QVERIFY2(leak->x >= 48 && leak->x <= object.width - 1 && leak->y >= 8 && leak->y < 40,
             qPrintable(QString("%1 %2").arg(leak->x).arg(leak->y)));
    for (int i = 0; i < 20; ++i) {  // the random sampler too
      auto drawn =
          lowResCorrectionClick(object, answer.data(), target.data(), lowRes, size, false, rng);
      QVERIFY(drawn && !drawn->positive && drawn->x <= object.width - 1 && drawn->x >= 48);
    }
    // Nothing wrong: no click.
    QVERIFY(!lowResCorrectionClick(object, target.data(), target.data(), lowRes, size, true, rng));
    // A thin object (one pixel wide, x = 20) that pooling kept in one cell column: the positive
    // click lands on the object itself, not on the background at the cell's centre (21.5).
    std::fill(object.mask.begin(), object.mask.end(), 0);
    for (int y = 8; y < 40; ++y) object.mask[static_cast<std::size_t>(y) * object.width + 20] = 1;
    std::fill(target.begin(), target.end(), 0);
    for (int y = 2; y < 10; ++y) target[static_cast<std::size_t>(y) * lowRes + 5] = 1;
    std::fill(answer.begin(), answer.end(), 0);
    auto thin =
        lowResCorrectionClick(object, answer.data(), target.data(), lowRes, size, true, rng);
    QVERIFY(thin && thin->positive);
    QCOMPARE(thin->x, 20.0);
    QVERIFY(object.mask[static_cast<std::size_t>(thin->y) * object.width + 20] == 1);
  }

  void attentionGradientsMatchThePlainFormula() {
    const int64_t bh = 2, h = 3, w = 4, d = 5, n = h * w;
    const auto leaf = [](std::vector<int64_t> shape) {
      return torch::randn(shape, torch::kDouble).requires_grad_(true);
    };
    const torch::Tensor q = leaf({bh, n, d}), k = leaf({bh, n, d}), v = leaf({bh, n, d});
    const torch::Tensor relH = leaf({bh, h, w, h}), relW = leaf({bh, h, w, w});
    const double scale = 0.37;
    const torch::Tensor weights = torch::randn({bh, n, d}, torch::kDouble);

    const torch::Tensor fast =
        relPosAttention(q, k, v, relH, relW, scale, h, w, BiasStrategy::FusedCpuKernel);
    auto fastGrads = torch::autograd::grad({(fast * weights).sum()}, {q, k, v, relH, relW});

    const torch::Tensor bias = (relH.unsqueeze(-1) + relW.unsqueeze(-2)).reshape({bh, n, n});
    const torch::Tensor plain =
        ((q * scale).matmul(k.transpose(1, 2)) + bias).softmax(-1).matmul(v);
    auto plainGrads = torch::autograd::grad({(plain * weights).sum()}, {q, k, v, relH, relW});

    QVERIFY(torch::allclose(fast, plain, 1e-9, 1e-12));
    for (std::size_t i = 0; i < plainGrads.size(); ++i)
      QVERIFY2(torch::allclose(fastGrads[i], plainGrads[i], 1e-9, 1e-12),
               std::to_string(i).c_str());

    // Without gradients the fused inference kernel gives the same answer.
    torch::NoGradGuard noGrad;
    const torch::Tensor qf = q.to(torch::kFloat), kf = k.to(torch::kFloat),
                        vf = v.to(torch::kFloat);
    const torch::Tensor inference =
        relPosAttention(qf, kf, vf, relH.to(torch::kFloat), relW.to(torch::kFloat), scale, h, w,
                        BiasStrategy::FusedCpuKernel);
    QVERIFY(torch::allclose(inference.to(torch::kDouble), plain, 1e-4, 1e-5));
  }

  void wholeModelGradientsMatchDoublePrecision() {
    // Catches kernels whose backward is wrong in fp32 on this LibTorch (GELU after the decoder's
    // pixel shuffle was: compat::gelu) or that bypass autograd (the fused attention kernel).
    torch::manual_seed(1);
    Sam sam(tinyConfig());
    const int64_t grid = tinyConfig().tokenGrid(), low = tinyConfig().lowResSize();
    const torch::Tensor image = torch::randn({2, 3, 64, 64});
    const torch::Tensor points = torch::rand({2, 2, 2}) * 64;
    const torch::Tensor labels = torch::tensor({1, 0, 1, -1}, torch::kLong).view({2, 2});
    const torch::Tensor previous = torch::randn({2, 1, low, low});
    const torch::Tensor weights = torch::randn({2, 4, low, low});
    std::map<std::string, torch::Tensor> gradients[2];
    for (int pass = 0; pass < 2; ++pass) {
      const torch::ScalarType type = pass == 0 ? torch::kFloat : torch::kDouble;
      sam->to(type);
      const torch::Tensor embedding = sam->image_encoder->forward(image.to(type));
      QCOMPARE(embedding.size(2), grid);
      auto [sparse, dense] =
          sam->prompt_encoder->forward(points.to(type), labels, std::nullopt, previous.to(type));
      auto [logits, iou] =
          sam->mask_decoder->forward(embedding, sam->prompt_encoder->densePe(), sparse, dense);
      ((logits * weights.to(type)).sum() + iou.sum()).backward();
      for (auto& p : sam->named_parameters()) {
        if (!p.value().grad().defined()) continue;  // box corners: no box in this prompt
        gradients[pass][p.key()] = p.value().grad().to(torch::kDouble);
        p.value().mutable_grad() = torch::Tensor();
      }
    }
    QVERIFY(gradients[1].size() > 60);
    for (const auto& [name, exact] : gradients[1]) {
      // Attention is blind to a bias added to every key: that gradient is zero, fp32 noise.
      if (name.find("k_proj.bias") != std::string::npos) continue;
      const double scale = exact.abs().max().item<double>() + 1e-6;
      const double error = (gradients[0][name] - exact).abs().max().item<double>() / scale;
      QVERIFY2(error < 1e-3, qPrintable(QStringLiteral("%1: %2").arg(name.c_str()).arg(error)));
    }
  }

  // Untrained clicks (LoopOptions::extraClicks): 0..N more correction clicks, one count per
  // batch, come between the first prompt and the trained ones; the loss stays the mean of the
  // trained iterations (the same scale as without them) and the encoder still gets gradients.
  void untrainedClicksPrecedeTheTrainedOnes() {
    auto model = tinyModel();
    SamModel::Impl& m = model->impl();
    const std::vector<LabeledPicture> batch = scenes(0, 3);
    std::set<std::size_t> extras;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
      for (const int extraClicks : {0, 5}) {
        LoopOptions options;
        options.correctionClicks = 2;
        options.extraClicks = extraClicks;
        Rng rng(seed);
        Result<FrameBatch> framed = frameBatch(m, batch, options, rng, /*withInputs=*/true);
        QVERIFY(framed.ok());
        const torch::Tensor embeddings = m.sam->image_encoder->forward(torch::cat(framed->inputs));
        const LoopLoss loss = interactiveLoop(m, embeddings, framed->objects, options, rng);
        QVERIFY(loss.total.requires_grad() && std::isfinite(loss.total.item<double>()));
        QVERIFY(loss.total.item<double>() < 5);  // a mean over 3 iterations, not a sum
        std::set<std::size_t> added;
        for (const FrameObject& object : framed->objects)
          added.insert(object.clicks.size() - (object.box ? 0 : 1));
        QCOMPARE(added.size(), std::size_t(1));  // the same count for the whole batch
        const std::size_t corrections = *added.begin();
        if (extraClicks == 0) {
          QCOMPARE(corrections, std::size_t(2));
        } else {
          QVERIFY(corrections >= 2 && corrections <= 7);
          extras.insert(corrections - 2);
        }
        loss.total.backward();
        const torch::Tensor grad = m.sam->image_encoder->patch_embed->proj->weight.grad();
        QVERIFY(grad.defined() && grad.abs().sum().item<double>() > 0);
        m.sam->zero_grad();
      }
    }
    QVERIFY2(extras.size() >= 3, "the count of untrained clicks varies from batch to batch");
  }

  void lossFallsOnAFixedBatch() {
    auto model = tinyModel();
    FullTrainer trainer(model, {.learningRate = 3e-3, .warmupSteps = 1, .seed = 2});
    const std::vector<LabeledPicture> batch = scenes(0, 4);
    std::vector<double> losses;
    for (int i = 0; i < 40; ++i) {
      Result<FullStepStats> stats = trainer.step(batch, i / 40.0);
      QVERIFY2(stats.ok(), stats.ok() ? "" : stats.error().describe().c_str());
      QVERIFY(!stats->skipped);
      QVERIFY(stats->objects > 0);
      losses.push_back(stats->loss);
    }
    QCOMPARE(trainer.steps(), std::int64_t(40));
    const double first = (losses[0] + losses[1] + losses[2]) / 3;
    const double last = (losses[37] + losses[38] + losses[39]) / 3;
    QVERIFY2(last < 0.7 * first, qPrintable(QStringLiteral("%1 -> %2").arg(first).arg(last)));
  }

  void everyPartLearns() {
    auto model = tinyModel();
    const auto before = snapshot(*model);
    FullTrainer trainer(model, {.learningRate = 1e-3, .warmupSteps = 1, .seed = 4});
    QVERIFY(trainer.parameterCount() > 10000);
    for (int i = 0; i < 3; ++i) QVERIFY(trainer.step(scenes(10 * i, 4), 0.0).ok());
    int changed = 0;
    for (const auto& item : model->impl().sam->named_parameters()) {
      const bool moved = !torch::equal(item.value(), before.at(item.key()));
      changed += moved;
      // The encoder's attention, relative positions included, gets its gradients.
      if (item.key().find("image_encoder.blocks.") == 0 &&
          (item.key().find(".attn.") != std::string::npos))
        QVERIFY2(moved, item.key().c_str());
    }
    QVERIFY(changed >= static_cast<int>(before.size()) * 9 / 10);
  }

  void reproducibleAndResumable() {
    QTemporaryDir dir;
    const std::string state = (dir.path() + "/run.state").toStdString();
    const FullTrainOptions options{
        .warmupSteps = 2, .correctionClicks = 2, .extraClicks = 3, .seed = 5};
    auto reference = tinyModel();
    FullTrainer a(reference, options);
    for (int i = 0; i < 4; ++i) QVERIFY(a.step(scenes(4 * i, 3), i / 4.0).ok());

    auto first = tinyModel();
    FullTrainer b(first, options);
    for (int i = 0; i < 2; ++i) QVERIFY(b.step(scenes(4 * i, 3), i / 4.0).ok());
    QVERIFY(b.saveState(state, Json::Object{{"note", "half way"}}).ok());

    auto resumed = tinyModel(/*seed=*/99);  // other weights: the state must replace them all
    FullTrainer c(resumed, options);
    Result<Json> extra = c.loadState(state);
    QVERIFY2(extra.ok(), extra.ok() ? "" : extra.error().describe().c_str());
    QCOMPARE(extra->find("note")->asString(), std::string("half way"));
    QCOMPARE(c.steps(), std::int64_t(2));
    for (int i = 2; i < 4; ++i) QVERIFY(c.step(scenes(4 * i, 3), i / 4.0).ok());
    QVERIFY(sameWeights(*reference, *resumed, 1e-6));
  }

  void stateOfAnotherModelIsRefused() {
    QTemporaryDir dir;
    const std::string state = (dir.path() + "/tiny.state").toStdString();
    FullTrainer tiny(tinyModel(), {});
    QVERIFY(tiny.saveState(state, Json::Object{}).ok());
    SamConfig other = tinyConfig();
    other.depth = 3;
    other.globalAttentionBlocks = {2};
    FullTrainer wider(SamModel::randomWeights(other, {}, 0).value(), {});
    Result<Json> refused = wider.loadState(state);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().path, state);
    QVERIFY(refused.error().message.find("geometry") != std::string::npos);

    const std::string model = (dir.path() + "/model.safetensors").toStdString();
    QVERIFY(tinyModel()->saveModel(model, Precision::Fp16, Json::Object{}).ok());
    Result<Json> notState = tiny.loadState(model);
    QVERIFY(!notState.ok());
    QVERIFY(notState.error().message.find("training state") != std::string::npos);
  }

  void nonFiniteLossSkipsTheStep() {
    auto model = tinyModel();
    {
      torch::NoGradGuard noGrad;
      model->impl().sam->mask_decoder->iou_token->weight.fill_(NAN);
    }
    const auto before = snapshot(*model);
    FullTrainer trainer(model, {});
    Result<FullStepStats> stats = trainer.step(scenes(0, 2), 0.0);
    QVERIFY(stats.ok());
    QVERIFY(stats->skipped);
    QCOMPARE(trainer.steps(), std::int64_t(0));
    for (const auto& item : model->impl().sam->named_parameters()) {
      const torch::Tensor& old = before.at(item.key());
      QVERIFY2(torch::equal(item.value().nan_to_num(0), old.nan_to_num(0)), item.key().c_str());
    }
  }

  void savedModelLoadsWithItsOwnGeometry() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/small.safetensors").toStdString();
    auto model = tinyModel();
    QVERIFY(model->saveModel(path, Precision::Fp16, Json::Object{{"steps", 7}}).ok());
    // A 32-wide decoder cannot be inferred from shapes: the metadata names the geometry.
    Result<std::shared_ptr<SamModel>> loaded = SamModel::load(path, std::nullopt, {});
    QVERIFY2(loaded.ok(), loaded.ok() ? "" : loaded.error().describe().c_str());
    QVERIFY(loaded.value()->config() == tinyConfig());
    const std::vector<TensorInfo> stored = inspectCheckpoint(path).value();
    for (const TensorInfo& t : stored) {
      const bool exact = t.name.find("gaussian_matrix") != std::string::npos;
      QCOMPARE(QString::fromStdString(t.dtype),
               exact ? QStringLiteral("Float") : QStringLiteral("Half"));
    }
    // fp16 weights answer as the fp32 ones do.
    Predictor original(model), reread(loaded.value());
    const LabeledPicture picture = scenes(3, 1).front();
    QVERIFY(original.setImage(picture.image, {"a"}).ok());
    QVERIFY(reread.setImage(picture.image, {"a"}).ok());
    Prompt prompt;
    prompt.box = PromptBox{10, 12, 40, 44};
    const Prediction x = original.predict(prompt).value(), y = reread.predict(prompt).value();
    int agree = 0;
    for (std::size_t i = 0; i < x.masks.size(); ++i) agree += x.masks[i] == y.masks[i];
    QVERIFY(agree >= static_cast<int>(x.masks.size()) * 98 / 100);
  }

  void evaluationCoversEveryObject() {
    const std::vector<LabeledPicture> pictures = scenes(20, 3);
    int objects = 0;
    for (const auto& p : pictures) objects += static_cast<int>(p.masks.size());
    Result<InteractiveEvaluation> e = evaluateModel(tinyModel(), pictures, {.maxClicks = 5});
    QVERIFY2(e.ok(), e.ok() ? "" : e.error().describe().c_str());
    QCOMPARE(e->objects, objects);
    QVERIFY(e->diceBox >= 0 && e->diceBox <= 1 && e->diceClick >= 0 && e->diceClick <= 1);
    QVERIFY(e->noc90 >= 1 && e->noc90 <= 5);
  }
};

QTEST_APPLESS_MAIN(TestFullTrainer)
#include "test_full_trainer.moc"
