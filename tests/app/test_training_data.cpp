// What the trainer reads from a project: the held-out split (stratified, at least one, never
// changed once assigned), labelled slices of volumes (three axes when near-isotropic) and
// pictures, one mask per label with its value, foreground weights, held-out largest slices.
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

#include "medsa/annotations/label_map_io.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_store.h"
#include "medsa/io/image_writer.h"
#include "project_training_data.h"

using namespace medsa;
using namespace medsa::annotations;

namespace {

/// A volume (a sphere, label 1, and a smaller one, label 2) or a picture (a disc, label 1).
struct Made {
  Image image;
  Image labels;
};

Made make(bool picture, int seed, double zSpacing) {
  const std::size_t depth = picture ? 1 : 16;
  Made m{Image::create({32, 32, depth, 1}, 1, PixelType::U8).value(), {}};
  m.image.geometry.spacing = {1, 1, zSpacing};
  m.labels = LabelMap::createFor(m.image)->image();
  for (std::size_t z = 0; z < depth; ++z)
    for (std::size_t y = 0; y < 32; ++y)
      for (std::size_t x = 0; x < 32; ++x) {
        const double dz = picture ? 0 : (z - 8.0);
        const double r = std::hypot(std::hypot(x - 12.0, y - 12.0), dz);
        const double r2 = std::hypot(std::hypot(x - 24.0, y - 24.0), dz);
        std::uint16_t label = r < 6 ? 1 : (!picture && r2 < 3 ? 2 : 0);
        m.image.setValue(x, y, z, 0, 0, label ? 200 + seed : 20 + seed);
        m.labels.data<std::uint16_t>()[m.labels.componentIndex(x, y, z)] = label;
      }
  return m;
}

void addCase(ProjectStore& store, const QString& folder, const QString& name, const Made& made) {
  const QString image = folder + QLatin1Char('/') + name + QStringLiteral(".nii.gz");
  const QString labels = folder + QLatin1Char('/') + name + QStringLiteral("_labels.nii.gz");
  QVERIFY(io::writeImage(made.image, image.toStdString()));
  QVERIFY(saveLabelMap(LabelMap::fromImage(made.labels).value(), {}, labels));
  QVERIFY(importIntoProject(store, image, {CaseStatus::Done, labels, false}));
}

}  // namespace

class TestTrainingData : public QObject {
  Q_OBJECT

 private slots:
  void splitsAndPictures() {
    QTemporaryDir dir;
    LabelSet set;
    set.add(QStringLiteral("big"));
    set.add(QStringLiteral("small"));
    auto store =
        std::move(ProjectStore::create(dir.filePath(QStringLiteral("p")), QStringLiteral("p"), set))
            .value();
    for (int i = 0; i < 6; ++i)
      addCase(*store, dir.path(), QStringLiteral("vol%1").arg(i), make(false, i, 1.2));
    addCase(*store, dir.path(), QStringLiteral("flat"), make(false, 9, 5.0));  // thick slices
    if (QTest::currentTestFailed()) return;
    // A case still in progress is not training data.
    addCase(*store, dir.path(), QStringLiteral("wip"), make(false, 11, 1.0));
    QVERIFY(store->setStatus(store->cases()->back().id, CaseStatus::InProgress));

    auto data = app::loadTrainingData(*store);
    QVERIFY2(data, data ? "" : data.error().describe().c_str());
    QCOMPARE(data->trainCases + data->heldOutCases, 7);
    QVERIFY(data->heldOutCases >= 2 && data->heldOutCases <= 3);  // about a third
    QCOMPARE(data->weights.size(), data->train.size());
    for (const LabeledPicture& p : data->train) {
      QVERIFY(p.isValid());
      QCOMPARE(p.labels.size(), p.masks.size());
    }
    // Held-out cases give the slice with the most of each label: both spheres' middle.
    const Made reference = make(false, 0, 1.2);
    std::size_t middle = 0;
    for (std::size_t y = 0; y < 32; ++y)
      for (std::size_t x = 0; x < 32; ++x)
        middle +=
            reference.labels.data<std::uint16_t>()[reference.labels.componentIndex(x, y, 8)] == 1;
    for (const LabeledPicture& p : data->heldOut) {
      QCOMPARE(p.labels, (std::vector<int>{1, 2}));
      QCOMPARE(static_cast<std::size_t>(std::count(p.masks[0].begin(), p.masks[0].end(), 1)),
               middle);
    }
    // Near-isotropic volumes train on three axes; the thick-sliced one on axial slices only.
    bool coronal = false, flatCoronal = false;
    for (const LabeledPicture& p : data->train) {
      const QString id = QString::fromStdString(p.id);
      coronal |= id.contains(QStringLiteral(":coronal:"));
      flatCoronal |= id.startsWith(QStringLiteral("flat:coronal"));
    }
    QVERIFY(coronal);
    QVERIFY(!flatCoronal);

    // The split never changes: a second read, with a new case, keeps every earlier one.
    std::map<qint64, QString> before;
    for (const CaseRecord& c : store->cases().value()) before[c.id] = c.split;
    addCase(*store, dir.path(), QStringLiteral("late"), make(false, 13, 1.0));
    QVERIFY(app::loadTrainingData(*store));
    for (const CaseRecord& c : store->cases().value())
      if (!before[c.id].isEmpty()) QCOMPARE(c.split, before[c.id]);
    QVERIFY(data->summary().find("heldout_cases") != nullptr);
  }

  void twoCasesHoldOneOut() {
    QTemporaryDir dir;
    auto store =
        std::move(ProjectStore::create(dir.filePath(QStringLiteral("p")), QStringLiteral("p"), {}))
            .value();
    addCase(*store, dir.path(), QStringLiteral("a"), make(true, 1, 1));
    addCase(*store, dir.path(), QStringLiteral("b"), make(true, 2, 1));
    auto data = app::loadTrainingData(*store);
    QVERIFY(data);
    QCOMPARE(data->heldOutCases, 1);
    QCOMPARE(data->trainCases, 1);
    QCOMPARE(data->train.front().masks.size(), std::size_t(1));
  }
};

QTEST_GUILESS_MAIN(TestTrainingData)
#include "test_training_data.moc"
