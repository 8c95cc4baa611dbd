// Embeddings kept on disk (a project's embeddings/ folder): a picture encoded once is found again
// by a new predictor and by the trainer's decoder plan; the key follows the encoder (adapters in
// it change it, decoder adapters do not); a damaged file is computed again; the folder stays
// under its byte budget; temporary files of writes that died are swept, those of live writes
// are not.
#include <torch/torch.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

#include "embedding_store.h"
#include "medsa/core/synthetic_scene.h"
#include "medsa/model/adapter_training.h"
#include "medsa/model/predictor.h"
#include "preprocess.h"
#include "trainable_tiny.h"

using namespace medsa;
using namespace medsa::model;

namespace {

std::shared_ptr<SamModel> tinyModel(const QString& checkpoint,
                                    std::optional<AdapterConfig> adapters = std::nullopt) {
  EngineOptions options;
  options.threads = 2;
  if (!QFile::exists(checkpoint)) {
    auto random = SamModel::randomWeights(test::trainableTinyConfig(), options, 3);
    if (!random.ok() ||
        !random.value()->saveModel(checkpoint.toStdString(), Precision::Fp32, Json::Object{}))
      return nullptr;
  }
  options.adapters = adapters;
  auto loaded = SamModel::load(checkpoint.toStdString(), std::nullopt, options);
  return loaded.ok() ? loaded.value() : nullptr;
}

QStringList storedFiles(const QString& folder) {
  return QDir(folder).entryList({QStringLiteral("*.embedding.safetensors")}, QDir::Files);
}

Prompt centreClick(const RgbImage& image) {
  Prompt prompt;
  prompt.points.push_back({image.width / 2.0, image.height / 2.0, true});
  return prompt;
}

}  // namespace

class TestEmbeddingStore : public QObject {
  Q_OBJECT

 private slots:
  void aNewPredictorFindsTheStoredEmbedding() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("embeddings"));
    auto model = tinyModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(model);
    const RgbImage picture = test::tinyScenes(11, 0, 1).front().image;

    Predictor first(model);
    first.setEmbeddingFolder(folder.toStdString());
    QVERIFY(first.setImage(picture, ImageKey{"a"}).ok());
    QVERIFY(!first.lastSetImageWasCached());
    QCOMPARE(first.storeStats().writes, std::size_t(1));
    QCOMPARE(storedFiles(folder).size(), 1);
    auto expected = first.predict(centreClick(picture));
    QVERIFY(expected.ok());

    // Another session: an empty memory cache and another image id; the pixels decide.
    Predictor second(model);
    second.setEmbeddingFolder(folder.toStdString());
    QVERIFY(second.setImage(picture, ImageKey{"renamed"}).ok());
    QVERIFY(second.lastSetImageWasCached());
    QCOMPARE(second.storeStats().hits, std::size_t(1));
    QCOMPARE(second.storeStats().writes, std::size_t(0));
    auto got = second.predict(centreClick(picture));
    QVERIFY(got.ok());
    // Stored in fp16: the masks agree (logits within fp16 rounding).
    std::size_t same = 0;
    for (std::size_t i = 0; i < got->masks.size(); ++i) same += got->masks[i] == expected->masks[i];
    QVERIFY2(same >= got->masks.size() * 999 / 1000, qPrintable(QString::number(same)));

    // Another picture is not taken for this one.
    RgbImage other = picture;
    other.pixels[0] ^= 1;
    QVERIFY(second.setImage(other, ImageKey{"other"}).ok());
    QVERIFY(!second.lastSetImageWasCached());
    // Written on a worker: a folder given up meanwhile still gets the write in flight whole.
    second.setEmbeddingFolder({});
    second.finishStoreWrites();
    QCOMPARE(storedFiles(folder).size(), 2);

    // Without a folder nothing is read or written.
    Predictor none(model);
    QVERIFY(none.setImage(picture, ImageKey{"a"}).ok());
    QVERIFY(!none.lastSetImageWasCached());
  }

  void theKeyFollowsTheEncoder() {
    QTemporaryDir dir;
    const QString checkpoint = dir.filePath(QStringLiteral("base.safetensors"));
    auto base = tinyModel(checkpoint);
    QVERIFY(base);
    AdapterConfig decoderOnly;
    decoderOnly.encoder = false;
    AdapterConfig withEncoder;
    auto decoderAdapted = tinyModel(checkpoint, decoderOnly);
    auto encoderAdapted = tinyModel(checkpoint, withEncoder);
    QVERIFY(decoderAdapted && encoderAdapted);
    const RgbImage picture = test::tinyScenes(12, 0, 1).front().image;
    const std::string key = EmbeddingStore::keyOf(base->impl(), picture);
    QCOMPARE(key.size(), std::size_t(64));
    // Decoder adapters leave the embedding as the base makes it: the trainer's decoder plan and
    // an app running such an adapter share the stored embeddings.
    QCOMPARE(EmbeddingStore::keyOf(decoderAdapted->impl(), picture), key);
    QVERIFY(EmbeddingStore::keyOf(encoderAdapted->impl(), picture) != key);
    // Another base checkpoint (same file name, other weights and size) is another encoder.
    EngineOptions options;
    auto other = SamModel::randomWeights(test::trainableTinyConfig(), options, 4);
    QVERIFY(other.ok());
    QVERIFY(EmbeddingStore::keyOf(other.value()->impl(), picture) != key);
    // Random weights of the same seed but another geometry (vit_b and vit_l share the
    // embedding's shape) are another encoder too.
    SamConfig deeper = test::trainableTinyConfig();
    deeper.depth = 3;
    auto seeded = SamModel::randomWeights(test::trainableTinyConfig(), options, 9);
    auto seededDeeper = SamModel::randomWeights(deeper, options, 9);
    QVERIFY(seeded.ok() && seededDeeper.ok());
    QVERIFY(EmbeddingStore::keyOf(seeded.value()->impl(), picture) !=
            EmbeddingStore::keyOf(seededDeeper.value()->impl(), picture));
    // SD-Trans depth adapters: an embedding depends on its chunk, so none is stored.
    AdapterConfig depth;
    depth.depth = true;
    auto volumetric = tinyModel(checkpoint, depth);
    QVERIFY(volumetric);
    QVERIFY(EmbeddingStore::keyOf(volumetric->impl(), picture).empty());
  }

  void aDamagedFileIsComputedAgain() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("embeddings"));
    auto model = tinyModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(model);
    const RgbImage picture = test::tinyScenes(13, 0, 1).front().image;
    {
      Predictor predictor(model);
      predictor.setEmbeddingFolder(folder.toStdString());
      QVERIFY(predictor.setImage(picture, ImageKey{"a"}).ok());
    }
    const QString file = QDir(folder).filePath(storedFiles(folder).front());
    for (const qint64 keep : {qint64(40), qint64(0)}) {
      QVERIFY(QFile::resize(file, keep));  // a torn file, then an empty one
      Predictor predictor(model);
      predictor.setEmbeddingFolder(folder.toStdString());
      QVERIFY(predictor.setImage(picture, ImageKey{"a"}).ok());
      QVERIFY(!predictor.lastSetImageWasCached());
      QCOMPARE(predictor.storeStats().writes, std::size_t(1));
      QVERIFY(QFile(file).size() > 1000);  // written anew
    }
  }

  void theTrainerReusesWhatTheEngineStored() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("embeddings"));
    auto model = tinyModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(model);
    const std::vector<LabeledPicture> pictures = test::tinyScenes(14, 0, 3);
    Predictor annotator(model);
    annotator.setEmbeddingFolder(folder.toStdString());
    for (std::size_t i = 0; i < pictures.size(); ++i)
      QVERIFY(annotator.setImage(pictures[i].image, ImageKey{std::to_string(i)}).ok());
    annotator.finishStoreWrites();
    QCOMPARE(storedFiles(folder).size(), 3);

    AdapterTrainingOptions options;
    options.plan = TrainingPlan::DecoderOnEmbeddings;
    options.steps = 1;
    options.embeddingVariants = 1;  // one augmented copy per picture besides the original
    options.embeddingFolder = folder.toStdString();
    options.seed = 2;
    // The second run resumes the first's state (as after Stop or a kill): resuming loads
    // trained decoder weights, which must not make the encoder's embeddings look different.
    options.statePath = dir.filePath(QStringLiteral("run.state")).toStdString();
    for (const int round : {1, 2}) {
      auto run = AdapterTrainingRun::create(model, pictures, {}, options);
      QVERIFY(run.ok());
      auto result = run.value()->run();
      QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
      QCOMPARE(result->resumedFrom, std::int64_t(round == 1 ? 0 : 1));
      // First run: the originals come from the annotator's engine, the augmented copies are
      // computed (and stored); the next run computes nothing.
      QCOMPARE(result->embeddingsReused, round == 1 ? 3 : 6);
      QCOMPARE(result->embeddingsComputed, round == 1 ? 3 : 0);
      QCOMPARE(result->toJson().find("embeddings_reused")->asInteger(),
               std::optional<std::int64_t>(result->embeddingsReused));
    }
    QCOMPARE(storedFiles(folder).size(), 6);
  }

  void theFolderStaysUnderItsBudget() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("embeddings"));
    auto model = tinyModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(model);
    const torch::Tensor embedding = torch::randn(model->impl().densePe.sizes());
    const std::uint64_t fileBytes = 2 * embedding.numel() + 400;  // fp16 + header, about
    EmbeddingStore store(folder.toStdString(), fileBytes * 10);
    for (int i = 0; i < 40; ++i) {
      RgbImage picture(8, 8);
      picture.pixels[0] = static_cast<std::uint8_t>(i);
      QVERIFY(store.insert(EmbeddingStore::keyOf(model->impl(), picture), embedding).ok());
    }
    QVERIFY(store.evictions() > 0);
    qint64 total = 0;
    for (const QFileInfo& file : QDir(folder).entryInfoList(QDir::Files)) total += file.size();
    // Checked every 16 writes: at most 16 files past the budget.
    QVERIFY2(total <= static_cast<qint64>(fileBytes * (10 + 16)),
             qPrintable(QString::number(total)));
    // A found embedding is what was stored (fp16).
    RgbImage last(8, 8);
    last.pixels[0] = 39;
    auto found = store.find(EmbeddingStore::keyOf(model->impl(), last), model->impl());
    QVERIFY(found);
    QVERIFY(torch::allclose(*found, embedding.to(torch::kHalf).to(torch::kFloat)));
    // A stored embedding that is not finite is not used (and goes).
    RgbImage poisoned(8, 8);
    poisoned.pixels[0] = 200;
    const std::string key = EmbeddingStore::keyOf(model->impl(), poisoned);
    QVERIFY(store.insert(key, torch::full(embedding.sizes(), std::nan(""))).ok());
    QVERIFY(!store.find(key, model->impl()));
  }

  void temporariesOfDeadWritesAreSwept() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("embeddings"));
    QVERIFY(QDir().mkpath(folder));
    auto model = tinyModel(dir.filePath(QStringLiteral("base.safetensors")));
    QVERIFY(model);
    // As writeFileAtomically names them: a write killed an hour ago, and one in progress.
    const auto makeFile = [&](const QString& name, int ageSeconds) {
      QFile file(QDir(folder).filePath(name));
      if (!file.open(QIODevice::WriteOnly) || file.write("partial") != 7) return false;
      file.close();
      const QDateTime when = QDateTime::currentDateTime().addSecs(-ageSeconds);
      return file.open(QIODevice::ReadWrite) &&
             file.setFileTime(when, QFileDevice::FileModificationTime);
    };
    const QString dead = QStringLiteral(".abc.embedding.safetensors.tmp-4242-0000beef");
    const QString live = QStringLiteral(".def.embedding.safetensors.tmp-4243-0000cafe");
    const QString other = QStringLiteral(".notes.tmp-1-2");  // not the store's: left alone
    QVERIFY(makeFile(dead, 3600));
    QVERIFY(makeFile(live, 5));
    QVERIFY(makeFile(other, 3600));
    EmbeddingStore store(folder.toStdString());
    RgbImage picture(8, 8);
    QVERIFY(store
                .insert(EmbeddingStore::keyOf(model->impl(), picture),
                        torch::randn(model->impl().densePe.sizes()))
                .ok());
    QVERIFY(!QFile::exists(QDir(folder).filePath(dead)));
    QVERIFY(QFile::exists(QDir(folder).filePath(live)));
    QVERIFY(QFile::exists(QDir(folder).filePath(other)));
    QCOMPARE(store.staleTemporariesRemoved(), std::size_t(1));
    QCOMPARE(storedFiles(folder).size(), 1);
  }
};

QTEST_GUILESS_MAIN(TestEmbeddingStore)
#include "test_embedding_store.moc"
