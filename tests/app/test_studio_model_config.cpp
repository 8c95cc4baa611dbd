// medsa-studio's geometry per checkpoint (app/studio/model_config.h): --model-config belongs to
// the checkpoint opened at start-up, and every model chosen later gets its own config file
// beside it, or none (inferred geometry).
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

#include "medsa/core/json.h"
#include "model_config.h"

using medsa::Json;
using medsa::app::ModelConfigs;
using medsa::model::SamConfig;

namespace {

/// The tiny geometry of the parity fixtures, with `depth` blocks so configs can be told apart.
SamConfig geometry(int depth) {
  SamConfig config;
  config.imageSize = 256;
  config.embedDim = 48;
  config.depth = depth;
  config.heads = 2;
  config.globalAttentionBlocks = {1};
  config.windowSize = 5;
  config.promptDim = 32;
  config.maskInChannels = 8;
  config.decoderMlpDim = 64;
  config.decoderHeads = 2;
  config.iouHeadHidden = 32;
  return config;
}

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

bool writeConfig(const QString& path, const SamConfig& config) {
  return writeFile(path, QByteArray::fromStdString(config.toJson().dump(2)));
}

/// The depth of the geometry a checkpoint gets, 0 when it is to be inferred, -1 on an error.
int depthFor(const ModelConfigs& configs, const QString& checkpoint) {
  auto config = configs.configFor(checkpoint);
  if (!config) return -1;
  return config.value() ? config.value()->depth : 0;
}

}  // namespace

class TestStudioModelConfig : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    for (const char* folder : {"start", "sidecar", "shared", "bare", "both"}) {
      QVERIFY(QDir(dir_.path()).mkdir(QString::fromLatin1(folder)));
    }
    // A checkpoint's content does not matter here: only which config file goes with it.
    for (const char* checkpoint : {"start/sam.pth", "sidecar/med.pth", "shared/a.safetensors",
                                   "bare/plain.pth", "both/model.pth"}) {
      QVERIFY(writeFile(path(checkpoint), "weights"));
    }
    QVERIFY(writeConfig(path("explicit.json"), geometry(3)));
    QVERIFY(writeConfig(path("start/sam_config.json"), geometry(4)));
    QVERIFY(writeConfig(path("sidecar/med_config.json"), geometry(5)));
    QVERIFY(writeConfig(path("shared/config.json"), geometry(6)));
    QVERIFY(writeConfig(path("both/model_config.json"), geometry(7)));
    QVERIFY(writeConfig(path("both/config.json"), geometry(8)));
  }

  void theExplicitConfigIsTheStartupCheckpointsOnly() {
    const ModelConfigs configs(path("start/sam.pth"), path("explicit.json"));
    QCOMPARE(depthFor(configs, path("start/sam.pth")), 3);  // before its own sidecar
    // Models chosen later: their own config files, or inferred; never --model-config.
    QCOMPARE(depthFor(configs, path("sidecar/med.pth")), 5);
    QCOMPARE(depthFor(configs, path("shared/a.safetensors")), 6);
    QCOMPARE(depthFor(configs, path("bare/plain.pth")), 0);
    QCOMPARE(configs.configPathFor(path("bare/plain.pth")), QString());
    // The whole geometry is the file's, not just the depth.
    auto config = configs.configFor(path("start/sam.pth"));
    QVERIFY(config && config.value());
    QVERIFY(*config.value() == geometry(3));
  }

  void anySpellingOfTheStartupCheckpointIsTheSameFile() {
    const ModelConfigs configs(path("start/sam.pth"), path("explicit.json"));
    QCOMPARE(depthFor(configs, dir_.path() + QStringLiteral("/start/../start/./sam.pth")), 3);
    QVERIFY(QFile::link(path("start/sam.pth"), path("linked.pth")));
    QCOMPARE(depthFor(configs, path("linked.pth")), 3);
    // Given relative at start-up, chosen later by its absolute path from a file dialog.
    const QString previous = QDir::currentPath();
    QVERIFY(QDir::setCurrent(dir_.path()));
    const ModelConfigs relative(QStringLiteral("start/sam.pth"), path("explicit.json"));
    QVERIFY(QDir::setCurrent(previous));
    QCOMPARE(depthFor(relative, path("start/sam.pth")), 3);
  }

  void withoutAnExplicitConfigEveryCheckpointHasItsOwn() {
    const ModelConfigs configs(path("start/sam.pth"), QString());
    QCOMPARE(depthFor(configs, path("start/sam.pth")), 4);
    QCOMPARE(depthFor(configs, path("sidecar/med.pth")), 5);
    QCOMPARE(depthFor(configs, path("bare/plain.pth")), 0);
    // "<name>_config.json" comes before the folder's "config.json".
    QCOMPARE(depthFor(configs, path("both/model.pth")), 7);
    // No start-up checkpoint: --model-config describes none.
    const ModelConfigs none(QString(), path("explicit.json"));
    QCOMPARE(depthFor(none, path("start/sam.pth")), 4);
  }

  void aBrokenExplicitConfigIsAnErrorForItsCheckpointOnly() {
    QVERIFY(writeFile(path("broken.json"), "{\"img_size\": 256,"));
    const ModelConfigs configs(path("start/sam.pth"), path("broken.json"));
    auto config = configs.configFor(path("start/sam.pth"));
    QVERIFY(!config);
    QCOMPARE(config.error().path, path("broken.json").toStdString());
    QCOMPARE(depthFor(configs, path("sidecar/med.pth")), 5);
    const ModelConfigs missing(path("start/sam.pth"), path("missing.json"));
    QCOMPARE(depthFor(missing, path("start/sam.pth")), -1);
  }

 private:
  QString path(const char* relative) const { return dir_.filePath(QString::fromLatin1(relative)); }

  QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(TestStudioModelConfig)
#include "test_studio_model_config.moc"
