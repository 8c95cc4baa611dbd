// Models loaded from one checkpoint file share its tensors (checkpoint/shared_base.h): a second
// load takes the first one's tensors (same storage) and gives the same model a fresh read of the
// file gives, with or without an adapter file; training never changes a tensor another model
// uses (the trained copy becomes its own), and a model trained alone is forgotten by the
// registry, so that a later load reads the file; a file replaced in place is read again.
// Torch before Qt: Qt's `slots` macro breaks Torch's headers.
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QTest>

#include <map>

#include "medsa/model/adapter_trainer.h"
#include "medsa/model/full_trainer.h"
#include "medsa/model/sam_model.h"
#include "sam_model_impl.h"
#include "trainable_tiny.h"

using namespace medsa;
using namespace medsa::model;

namespace {

EngineOptions cpuOptions() {
  EngineOptions options;
  options.threads = 2;
  return options;
}

// A random tiny model written to `path` (atomically: a new file each time).
bool writeModel(const QString& path, std::uint64_t seed) {
  auto random = SamModel::randomWeights(test::trainableTinyConfig(), cpuOptions(), seed);
  return random.ok() &&
         random.value()->saveModel(path.toStdString(), Precision::Fp32, Json::Object{}).ok();
}

std::shared_ptr<SamModel> load(const QString& path, const std::string& adapterFile = {}) {
  EngineOptions options = cpuOptions();
  options.adapterFile = adapterFile;
  auto loaded = SamModel::load(path.toStdString(), std::nullopt, options);
  if (!loaded.ok()) qWarning("%s", loaded.error().describe().c_str());
  return loaded.ok() ? loaded.value() : nullptr;
}

// A model to train adapters on: the base with fresh (zero) adapters.
std::shared_ptr<SamModel> loadTrainee(const QString& path) {
  EngineOptions options = cpuOptions();
  options.adapters = AdapterConfig{};
  auto loaded = SamModel::load(path.toStdString(), std::nullopt, options);
  return loaded.ok() ? loaded.value() : nullptr;
}

std::map<std::string, torch::Tensor> tensorsOf(const SamModel& model) {
  std::map<std::string, torch::Tensor> out;
  for (auto& [name, tensor] : namedTensors(*model.impl().sam)) out.emplace(name, tensor);
  return out;
}

// Keys whose tensors the two models hold in the same storage.
std::vector<std::string> sharedKeys(const SamModel& a, const SamModel& b) {
  const auto ta = tensorsOf(a), tb = tensorsOf(b);
  std::vector<std::string> keys;
  for (const auto& [name, tensor] : ta) {
    auto it = tb.find(name);
    if (it != tb.end() && it->second.storage().data() == tensor.storage().data())
      keys.push_back(name);
  }
  return keys;
}

std::map<std::string, torch::Tensor> snapshot(const SamModel& model) {
  std::map<std::string, torch::Tensor> out;
  for (auto& [name, tensor] : tensorsOf(model)) out.emplace(name, tensor.detach().clone());
  return out;
}

bool equalTo(const SamModel& model, const std::map<std::string, torch::Tensor>& values) {
  const auto now = tensorsOf(model);
  if (now.size() != values.size()) return false;
  for (const auto& [name, tensor] : values)
    if (!torch::equal(now.at(name), tensor)) return false;
  return true;
}

bool isDecoderWeight(const std::string& key) {
  return key.rfind("mask_decoder.", 0) == 0 && !isAdapterKey(key);
}

// One tiny square to train on (the trainer's own test shapes).
std::vector<TrainingSample> squareBatch() {
  TrainingSample sample;
  sample.image = RgbImage(64, 64);
  sample.mask.assign(64 * 64, 0);
  for (int y = 20; y < 40; ++y) {
    for (int x = 20; x < 40; ++x) {
      std::uint8_t* p = sample.image.pixel(x, y);
      p[0] = p[1] = p[2] = 200;
      sample.mask[y * 64 + x] = 1;
    }
  }
  sample.prompt.points.push_back({30, 30, true});
  return {sample};
}

// Three steps on the adapters and the mask decoder's own weights; whether each succeeded.
bool trainAdaptersAndDecoder(const std::shared_ptr<SamModel>& model) {
  AdapterTrainer trainer(model, TrainOptions{.learningRate = 1e-2, .trainDecoder = true});
  for (int i = 0; i < 3; ++i)
    if (!trainer.step(squareBatch()).ok()) return false;
  return true;
}

}  // namespace

class TestSharedBase : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { torch::set_num_threads(2); }

  void aSecondLoadSharesEveryTensorOfTheFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("base.safetensors"));
    QVERIFY(writeModel(path, 3));
    const auto first = load(path);
    const auto second = load(path);
    QVERIFY(first && second);
    QCOMPARE(sharedKeys(*first, *second).size(), tensorsOf(*first).size());
    QCOMPARE(second->version(), first->version());
    // The geometry asked for explicitly (as the trainer asks for its base's) when it is the
    // file's own.
    auto explicitGeometry =
        SamModel::load(path.toStdString(), test::trainableTinyConfig(), cpuOptions());
    QVERIFY(explicitGeometry.ok());
    QCOMPARE(sharedKeys(*first, *explicitGeometry.value()).size(), tensorsOf(*first).size());
  }

  // With an adapter file: the base's tensors are shared, the file's own (adapters, fine-tuned
  // decoder) are not, and the model equals one loaded while nothing is shared.
  void anAdapterFileOnASharedBaseGivesWhatAFreshReadGives() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("base.safetensors"));
    QVERIFY(writeModel(path, 3));
    const std::string adapterFile = dir.filePath(QStringLiteral("v1.safetensors")).toStdString();
    std::map<std::string, torch::Tensor> expected;
    {
      const auto trainee = loadTrainee(path);
      QVERIFY(trainee);
      QVERIFY(trainAdaptersAndDecoder(trainee));
      QVERIFY(trainee->saveAdapters(adapterFile, Json::Object{}, true).ok());
      // The trainee, trained while no other model used the file, was forgotten by the
      // registry: this load reads the file (and registers nothing, its decoder being the
      // adapter file's).
      const auto fresh = load(path, adapterFile);
      QVERIFY(fresh);
      QVERIFY(!fresh->impl().sharedBase);
      expected = snapshot(*fresh);
    }
    const auto base = load(path);
    QVERIFY(base && base->impl().sharedBase);
    const auto adapted = load(path, adapterFile);
    QVERIFY(adapted);
    QVERIFY(equalTo(*adapted, expected));
    const auto shared = sharedKeys(*base, *adapted);
    QVERIFY(!shared.empty());
    for (const std::string& key : shared) {
      QVERIFY2(!isAdapterKey(key) && !isDecoderWeight(key), key.c_str());
    }
    // Every encoder weight of the base is shared.
    for (const auto& [name, tensor] : tensorsOf(*base)) {
      if (name.rfind("image_encoder.", 0) == 0)
        QVERIFY2(std::find(shared.begin(), shared.end(), name) != shared.end(), name.c_str());
    }
  }

  // Whichever of the two was loaded first (and so gave the registry its tensors).
  void trainingNeverChangesAnotherModelsWeights_data() {
    QTest::addColumn<bool>("traineeFirst");
    QTest::newRow("the engine loaded first") << false;
    QTest::newRow("the trainee loaded first") << true;
  }
  void trainingNeverChangesAnotherModelsWeights() {
    QFETCH(bool, traineeFirst);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("base.safetensors"));
    QVERIFY(writeModel(path, 5));
    std::shared_ptr<SamModel> trainee;
    if (traineeFirst) trainee = loadTrainee(path);
    const auto engine = load(path);
    QVERIFY(engine);
    if (!traineeFirst) trainee = loadTrainee(path);
    QVERIFY(trainee);
    const auto before = snapshot(*engine);
    QVERIFY(!sharedKeys(*engine, *trainee).empty());
    QVERIFY(trainAdaptersAndDecoder(trainee));
    QVERIFY(equalTo(*engine, before));
    // The trainee's decoder changed and is its own; its encoder is still the engine's.
    bool changed = false;
    const auto trained = tensorsOf(*trainee);
    for (const auto& [name, tensor] : before)
      if (isDecoderWeight(name) && !torch::equal(trained.at(name), tensor)) changed = true;
    QVERIFY(changed);
    for (const std::string& key : sharedKeys(*engine, *trainee))
      QVERIFY2(!isDecoderWeight(key), key.c_str());
    // A later load gets the file's weights, not the trained ones.
    const auto later = load(path);
    QVERIFY(later);
    QVERIFY(equalTo(*later, before));
  }

  void aModelTrainedAloneKeepsItsTensorsAndIsForgotten() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("base.safetensors"));
    QVERIFY(writeModel(path, 7));
    const auto model = load(path);
    QVERIFY(model && model->impl().sharedBase);
    const auto fromFile = snapshot(*model);
    const void* encoderWeight =
        tensorsOf(*model).at("image_encoder.patch_embed.proj.weight").storage().data();
    {
      FullTrainer trainer(model, FullTrainOptions{.warmupSteps = 1, .seed = 5});
      QVERIFY(trainer.step(test::tinyScenes(2, 0, 1), 0.5).ok());
    }
    QVERIFY(!model->impl().sharedBase);
    // Trained in place: no copy of the whole model was made.
    QCOMPARE(tensorsOf(*model).at("image_encoder.patch_embed.proj.weight").storage().data(),
             encoderWeight);
    QVERIFY(!equalTo(*model, fromFile));
    const auto later = load(path);
    QVERIFY(later);
    QVERIFY(sharedKeys(*model, *later).empty());
    QVERIFY(equalTo(*later, fromFile));
  }

  void aFileReplacedInPlaceIsReadAgain() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("base.safetensors"));
    QVERIFY(writeModel(path, 3));
    const auto old = load(path);
    QVERIFY(old);
    QVERIFY(writeModel(path, 4));
    const auto replaced = load(path);
    QVERIFY(replaced);
    QVERIFY(sharedKeys(*old, *replaced).empty());
    QVERIFY(!equalTo(*replaced, snapshot(*old)));
  }
};

QTEST_APPLESS_MAIN(TestSharedBase)
#include "test_shared_base.moc"
