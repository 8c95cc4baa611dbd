// The background trainer's run (AdapterTrainingRun): both plans train and help on held-out
// pictures, the plan follows the measured cost, a stopped run resumes where it stopped (and only
// a state made for it), the adapter file reproduces the trained model on the base checkpoint
// and is refused on another, weights that turn non-finite are restored, and bad input is refused
// with a reason.
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>

#include "medsa/core/synthetic_scene.h"
#include "medsa/model/adapter_training.h"
#include "medsa/model/model_evaluation.h"
#include "medsa/model/predictor.h"
#include "trainable_tiny.h"

using namespace medsa;
using namespace medsa::model;

namespace {

SamConfig tinyConfig() { return test::trainableTinyConfig(); }

// The random model written to `path` and loaded back: adapters need a checkpoint file.
std::shared_ptr<SamModel> baseModel(const QString& path, std::uint64_t seed = 3) {
  EngineOptions options;
  options.threads = 2;
  auto random = SamModel::randomWeights(tinyConfig(), options, seed);
  if (!random.ok()) return nullptr;
  if (!random.value()->saveModel(path.toStdString(), Precision::Fp32, Json::Object{})) return {};
  auto loaded = SamModel::load(path.toStdString(), std::nullopt, options);
  return loaded.ok() ? loaded.value() : nullptr;
}

std::vector<LabeledPicture> scenes(std::uint64_t seed, int count) {
  return test::tinyScenes(seed, 0, count);
}

// The shipped starter model: the base the app trains on when nothing better is installed.
std::shared_ptr<SamModel> starterModel() {
  EngineOptions options;
  options.threads = 2;
  auto loaded = SamModel::load(MEDSA_TEST_DATA_DIR "/../../models/starter.safetensors",
                               std::nullopt, options);
  return loaded.ok() ? loaded.value() : nullptr;
}

// A domain of one style and one kind of shape, as one project's pictures are.
std::vector<LabeledPicture> domain(std::uint64_t seed, int count) {
  SceneOptions options;
  options.size = 256;
  options.mix = SceneMix::heldOut();
  options.mix.shapes.fill(0);
  options.mix.shapes[static_cast<int>(ShapeKind::Ring)] = 1;
  options.mix.styles.fill(0);
  options.mix.styles[static_cast<int>(SceneStyle::Ultrasound)] = 1;
  return generateSceneSet(seed, 0, count, options);
}

AdapterTrainingOptions quickOptions(TrainingPlan plan, std::int64_t steps) {
  AdapterTrainingOptions options;
  options.plan = plan;
  options.steps = steps;
  options.learningRate = 3e-3;
  options.seed = 5;
  return options;
}

// Stops the run after `stopAt` steps; records notes.
class StopAfter : public TrainingMonitor {
 public:
  explicit StopAfter(std::int64_t stopAt) : stopAt_(stopAt) {}
  bool proceed(const TrainingProgress& progress) override {
    ++asked;
    return progress.step < stopAt_;
  }
  void stepDone(const TrainingProgress& progress) override { lastStep = progress.step; }
  void note(std::string_view message) override { notes.emplace_back(message); }
  int asked = 0;
  std::int64_t lastStep = 0;
  std::vector<std::string> notes;

 private:
  std::int64_t stopAt_;
};

double score(const std::shared_ptr<SamModel>& model, const std::vector<LabeledPicture>& pictures) {
  auto evaluated = evaluateModel(model, pictures);
  return evaluated.ok() ? (evaluated->diceBox + evaluated->diceClick) / 2 : -1;
}

}  // namespace

class TestAdapterTraining : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::manual_seed(0); }

  void bothPlansRunOnTheirOwnCopy() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    const std::vector<LabeledPicture> train = scenes(1, 6), heldOut = scenes(77, 4);
    const double before = score(base, heldOut);
    for (TrainingPlan plan : {TrainingPlan::EncoderAndDecoder, TrainingPlan::DecoderOnEmbeddings}) {
      StopAfter watch(1000);
      auto run = AdapterTrainingRun::create(base, train, {}, quickOptions(plan, 6));
      QVERIFY2(run.ok(), run.ok() ? "" : run.error().describe().c_str());
      auto result = run.value()->run(&watch);
      QVERIFY2(result.ok(), result.ok() ? "" : result.error().describe().c_str());
      QCOMPARE(result->steps, std::int64_t(6));
      QCOMPARE(watch.lastStep, std::int64_t(6));
      QCOMPARE(result->losses.size(), std::size_t(6));
      QCOMPARE(result->plan.plan, plan);
      QVERIFY(result->plan.forced);
      QVERIFY(result->trainableParameters > 0);
      // The original and two augmented copies per picture, each encoded once.
      QCOMPARE(result->embeddingsComputed, plan == TrainingPlan::DecoderOnEmbeddings ? 6 * 3 : 0);
      QVERIFY(run.value()->model() != base);
    }
    // The base model itself was never changed.
    QCOMPARE(score(base, heldOut), before);
  }

  void adaptsTheStarterModelToADomain() {
    // The product's claim: trained on a project's pictures (here rings in ultrasound, where the
    // starter is weakest), the adapters do better on held-out pictures of the same kind: they
    // remove at least a tenth of what the base model gets wrong (1 - score). A relative bar,
    // because each better starter model leaves less to gain.
    const auto base = starterModel();
    if (!base) QSKIP("models/starter.safetensors is not in this tree");
    const std::vector<LabeledPicture> train = domain(11, 24), heldOut = domain(12, 12);
    const double before = score(base, heldOut);
    for (TrainingPlan plan : {TrainingPlan::DecoderOnEmbeddings, TrainingPlan::EncoderAndDecoder}) {
      const bool encoder = plan == TrainingPlan::EncoderAndDecoder;
      AdapterTrainingOptions options = quickOptions(plan, encoder ? 60 : 100);
      options.learningRate = 1e-3;
      auto run = AdapterTrainingRun::create(base, train, {}, options);
      QVERIFY(run.ok());
      auto result = run.value()->run();
      QVERIFY2(result.ok(), result.ok() ? "" : result.error().describe().c_str());
      const double after = score(run.value()->model(), heldOut);
      qInfo("starter %s: held-out score %.3f -> %.3f, loss %.3f -> %.3f, %.1f s",
            std::string(trainingPlanName(plan)).c_str(), before, after, result->firstLoss,
            result->lastLoss, result->seconds);
      // Measured with the fifth run's starter, scored with zoom-in as the gate scores: 0.815 ->
      // 0.843 (decoder side, 100 steps) and -> 0.852 (with the encoder, 60 steps).
      QVERIFY2(1 - after < 0.9 * (1 - before),
               qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
    }
  }

  void planFollowsTheMeasuredCost() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    AdapterTrainingOptions options;
    options.steps = 1;
    options.maxEncoderStepSeconds = 1e9;  // any cost is affordable
    auto cheap = AdapterTrainingRun::create(base, scenes(1, 4), {}, options);
    QVERIFY(cheap.ok());
    auto choice = cheap.value()->choosePlan();
    QVERIFY(choice.ok());
    QCOMPARE(choice->plan, TrainingPlan::EncoderAndDecoder);
    QVERIFY(choice->encoderStepSeconds > 0);
    QVERIFY(!choice->forced);
    options.maxEncoderStepSeconds = 0;  // nothing is
    auto dear = AdapterTrainingRun::create(base, scenes(1, 4), {}, options);
    QVERIFY(dear.ok());
    choice = dear.value()->choosePlan();
    QVERIFY(choice.ok());
    QCOMPARE(choice->plan, TrainingPlan::DecoderOnEmbeddings);
    QVERIFY(QString::fromStdString(choice->description).contains(QStringLiteral("embeddings")));
  }

  void aStoppedRunResumesFromItsState() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    AdapterTrainingOptions options = quickOptions(TrainingPlan::EncoderAndDecoder, 12);
    options.statePath = dir.filePath(QStringLiteral("run.state")).toStdString();
    const std::vector<LabeledPicture> train = scenes(1, 8);

    // Uninterrupted reference.
    AdapterTrainingOptions whole = options;
    whole.statePath.clear();
    auto reference = AdapterTrainingRun::create(base, train, {}, whole);
    QVERIFY(reference.value()->run().ok());

    StopAfter stop(5);
    auto first = AdapterTrainingRun::create(base, train, {}, options);
    auto stopped = first.value()->run(&stop);
    QVERIFY(stopped.ok());
    QVERIFY(stopped->stopped);
    QCOMPARE(stopped->steps, std::int64_t(5));
    QVERIFY(QFileInfo::exists(QString::fromStdString(options.statePath)));

    StopAfter never(1000);
    auto second = AdapterTrainingRun::create(base, train, {}, options);
    auto resumed = second.value()->run(&never);
    QVERIFY(resumed.ok());
    QCOMPARE(resumed->resumedFrom, std::int64_t(5));
    QCOMPARE(resumed->steps, std::int64_t(12));
    QVERIFY(!resumed->stopped);
    QVERIFY(std::find(never.notes.begin(), never.notes.end(), "resumed at step 5") !=
            never.notes.end());
    // Same samples and prompts per step; only AdamW's moments started again, so close to the
    // uninterrupted run but not equal.
    const double a = score(reference.value()->model(), train);
    const double b = score(second.value()->model(), train);
    QVERIFY2(std::abs(a - b) < 0.1, qPrintable(QStringLiteral("%1 vs %2").arg(a).arg(b)));

    // A state of another seed is not taken: the run starts afresh and says why.
    AdapterTrainingOptions other = options;
    other.seed = 6;
    StopAfter watch(1000);
    auto third = AdapterTrainingRun::create(base, train, {}, other);
    auto fresh = third.value()->run(&watch);
    QVERIFY(fresh.ok());
    QCOMPARE(fresh->resumedFrom, std::int64_t(0));
    QVERIFY(!watch.notes.empty());
    QVERIFY(QString::fromStdString(watch.notes.front()).contains(QStringLiteral("another")));

    QVERIFY(third.value()->discardState());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(options.statePath)));
  }

  void theAdapterFileReproducesTheTrainedModelOnItsBaseOnly() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    const std::vector<LabeledPicture> train = scenes(1, 8);
    auto run = AdapterTrainingRun::create(base, train, {},
                                          quickOptions(TrainingPlan::EncoderAndDecoder, 10));
    QVERIFY(run.value()->run().ok());
    const std::string file = dir.filePath(QStringLiteral("v1.safetensors")).toStdString();
    QVERIFY(run.value()->exportAdapters(file, Json::Object{{"note", "test"}}));
    auto info = inspectAdapterFile(file);
    QVERIFY(info.ok());
    QVERIFY(info->includesDecoder);
    QVERIFY(info->adapters.encoder);
    QCOMPARE(info->training.find("plan")->find("plan")->asString(), std::string("encoder+decoder"));

    auto swapped = base->withAdapterFile(file);
    QVERIFY2(swapped.ok(), swapped.ok() ? "" : swapped.error().describe().c_str());
    QCOMPARE(swapped.value()->adapterFile(), file);
    QCOMPARE(score(swapped.value(), train), score(run.value()->model(), train));
    auto plain = swapped.value()->baseOnly();
    QVERIFY(plain.ok());
    QCOMPARE(score(plain.value(), train), score(base, train));

    // Another base checkpoint (other weights, same geometry) refuses the file, naming it.
    const auto other = baseModel(dir.filePath(QStringLiteral("other.safetensors")), 4);
    QVERIFY(other);
    auto refused = other->withAdapterFile(file);
    QVERIFY(!refused.ok());
    QVERIFY(
        QString::fromStdString(refused.error().message).contains(QStringLiteral("another base")));
    QCOMPARE(refused.error().path, file);
  }

  void weightsThatTurnNonFiniteAreRestored() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    AdapterTrainingOptions options = quickOptions(TrainingPlan::EncoderAndDecoder, 25);
    options.poisonWeightsAfterSteps = {13, 21};
    StopAfter watch(1000);
    auto run = AdapterTrainingRun::create(base, scenes(1, 6), {}, options);
    auto result = run.value()->run(&watch);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().describe().c_str());
    QCOMPARE(result->steps, std::int64_t(25));
    QCOMPARE(result->restores, 2);
    // Back to the weights kept at step 10 and step 20, and every later loss is finite.
    QVERIFY(std::find(watch.notes.begin(), watch.notes.end(),
                      "step 13: the weights were not finite; back to those of step 10") !=
            watch.notes.end());
    QVERIFY(std::find(watch.notes.begin(), watch.notes.end(),
                      "step 21: the weights were not finite; back to those of step 20") !=
            watch.notes.end());
    for (double loss : result->losses) QVERIFY(std::isfinite(loss));
    // The exported adapters are finite: they load and segment.
    const std::string file = dir.filePath(QStringLiteral("v.safetensors")).toStdString();
    QVERIFY(run.value()->exportAdapters(file, Json::Object{}));
    auto loaded = base->withAdapterFile(file);
    QVERIFY(loaded.ok());
    QVERIFY(score(loaded.value(), scenes(1, 2)) >= 0);
  }

  void runningOutOfMemoryHalvesTheBatch() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    AdapterTrainingOptions options = quickOptions(TrainingPlan::EncoderAndDecoder, 6);
    options.batchPictures = 4;
    options.outOfMemoryAtSteps = {2, 4};
    StopAfter watch(1000);
    auto run = AdapterTrainingRun::create(base, scenes(1, 6), {}, options);
    auto result = run.value()->run(&watch);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().describe().c_str());
    // Every step was taken: the first that ran out again with gradient checkpointing, the
    // second with half the pictures.
    QCOMPARE(result->steps, std::int64_t(6));
    QVERIFY(result->gradientCheckpointing);
    QCOMPARE(result->batchReductions, 1);
    QCOMPARE(result->batchPictures, 2);
    QCOMPARE(static_cast<int>(result->losses.size()), 6);
    QVERIFY(std::find(watch.notes.begin(), watch.notes.end(),
                      "step 3 ran out of memory: encoder blocks are recomputed in the backward "
                      "pass from now on (gradient checkpointing)") != watch.notes.end());
    QVERIFY(std::find(watch.notes.begin(), watch.notes.end(),
                      "step 5 ran out of memory: 2 pictures per step from now on") !=
            watch.notes.end());
    // The decoder plan has no encoder activations to drop: straight to half the pictures.
    AdapterTrainingOptions decoder = quickOptions(TrainingPlan::DecoderOnEmbeddings, 3);
    decoder.batchPictures = 4;
    decoder.outOfMemoryAtSteps = {1};
    auto onEmbeddings = AdapterTrainingRun::create(base, scenes(1, 6), {}, decoder);
    auto halved = onEmbeddings.value()->run();
    QVERIFY(halved.ok());
    QVERIFY(!halved->gradientCheckpointing);
    QCOMPARE(halved->batchPictures, 2);
    // With one picture per step there is nothing left to lower: a clear error, no weights.
    options.batchPictures = 1;
    options.plan = TrainingPlan::DecoderOnEmbeddings;
    options.outOfMemoryAtSteps = {0};
    auto single = AdapterTrainingRun::create(base, scenes(1, 6), {}, options);
    auto failed = single.value()->run();
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().code, ErrorCode::Unavailable);
    QVERIFY(failed.error().message.find("out of memory with one picture per step") !=
            std::string::npos);
  }

  // The measured-and-dropped lever stays usable: bf16 autocast trains with finite losses and
  // leaves the thread's autocast state as it found it.
  void bf16AutocastTrainsAndLeavesTheThreadAsItWas() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    AdapterTrainingOptions options = quickOptions(TrainingPlan::EncoderAndDecoder, 2);
    options.bf16Autocast = true;
    auto run = AdapterTrainingRun::create(base, scenes(1, 4), {}, options);
    auto result = run.value()->run();
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().describe().c_str());
    QCOMPARE(static_cast<int>(result->losses.size()), 2);
    for (double loss : result->losses) QVERIFY(std::isfinite(loss));
    QVERIFY(!at::autocast::is_cpu_enabled());
  }

  void badInputIsRefusedWithAReason() {
    QTemporaryDir dir;
    const auto base = baseModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(base);
    AdapterTrainingOptions options;
    options.steps = 5;
    QVERIFY(!AdapterTrainingRun::create(base, {}, {}, options).ok());
    QVERIFY(!AdapterTrainingRun::create(nullptr, scenes(1, 2), {}, options).ok());
    QVERIFY(!AdapterTrainingRun::create(base, scenes(1, 2), {1.0}, options).ok());
    QVERIFY(!AdapterTrainingRun::create(base, scenes(1, 2), {0.0, 0.0}, options).ok());
    AdapterTrainingOptions noBudget;
    auto refused = AdapterTrainingRun::create(base, scenes(1, 2), {}, noBudget);
    QVERIFY(!refused.ok());
    QVERIFY(QString::fromStdString(refused.error().message).contains(QStringLiteral("steps")));
    std::vector<LabeledPicture> broken = scenes(1, 2);
    broken[1].masks[0].resize(3);
    refused = AdapterTrainingRun::create(base, broken, {}, options);
    QVERIFY(!refused.ok());
    QVERIFY(QString::fromStdString(refused.error().message).contains(QStringLiteral("picture 1")));
    QVERIFY(!parseTrainingPlan("fastest").ok());
    QCOMPARE(parseTrainingPlan("decoder-on-embeddings").value(), TrainingPlan::DecoderOnEmbeddings);
    // A state file that is not one is ignored with a note, never trusted.
    options.statePath = dir.filePath(QStringLiteral("junk.state")).toStdString();
    options.plan = TrainingPlan::EncoderAndDecoder;
    QFile junk(QString::fromStdString(options.statePath));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a safetensors file");
    junk.close();
    StopAfter watch(1000);
    auto run = AdapterTrainingRun::create(base, scenes(1, 4), {}, options);
    auto result = run.value()->run(&watch);
    QVERIFY(result.ok());
    QCOMPARE(result->resumedFrom, std::int64_t(0));
    QVERIFY(!watch.notes.empty());
  }
};

QTEST_GUILESS_MAIN(TestAdapterTraining)
#include "test_adapter_training.moc"
