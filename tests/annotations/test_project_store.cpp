// The project store: create and reopen, migrations from every earlier schema version, refusals
// (a newer version, a damaged or foreign database), cases and their label versions, the
// interaction log, two writers at once, a writer killed mid-save, and import (files, folders of
// images, DICOM folders with several series, re-import, bad input).
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <cmath>
#include <thread>

#include "medsa/annotations/label_map_io.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_store.h"
#include "medsa/core/sha256.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/io/image_writer.h"
#include "project_schema.h"

using namespace medsa::annotations;

namespace {

LabelSet twoLabels() {
  LabelSet set;
  set.add(QStringLiteral("liver"));
  set.add(QStringLiteral("tumour"));
  // A coded label: DICOM SEG exports need the code and category to survive the store.
  set.find(1)->code = {QStringLiteral("SCT"), QStringLiteral("10200004"), QStringLiteral("Liver")};
  set.find(1)->category = {QStringLiteral("SCT"), QStringLiteral("123037004"),
                           QStringLiteral("Anatomical Structure")};
  return set;
}

medsa::Image sphere(std::size_t size = 24) {
  medsa::Image image =
      medsa::Image::create({size, size, size / 2, 1}, 1, medsa::PixelType::I16).value();
  for (std::size_t z = 0; z < size / 2; ++z)
    for (std::size_t y = 0; y < size; ++y)
      for (std::size_t x = 0; x < size; ++x)
        image.setValue(x, y, z, 0, 0,
                       std::hypot(x - size / 2.0, y - size / 2.0) < size / 4.0 ? 200 : -800);
  return image;
}

LabelMap paintedMap(const medsa::Image& image, quint16 value, std::size_t voxels) {
  medsa::Image labels = LabelMap::createFor(image)->image();
  for (std::size_t i = 0; i < voxels; ++i) labels.data<std::uint16_t>()[i * 3] = value;
  return LabelMap::fromImage(std::move(labels)).value();
}

NewCase aCase(const QString& name, const QString& hash) {
  NewCase c;
  c.name = name;
  c.imagePath = QStringLiteral("/data/") + name + QStringLiteral(".nii.gz");
  c.contentHash = hash;
  return c;
}

QString writeVolume(const QString& path, const medsa::Image& image) {
  const medsa::Status written = medsa::io::writeImage(image, path.toStdString());
  return written ? QString() : QString::fromStdString(written.error().describe());
}

}  // namespace

class TestProjectStore : public QObject {
  Q_OBJECT

 private slots:
  void createAndReopen() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("liver"));
    {
      auto store = ProjectStore::create(folder, QStringLiteral("Liver CT"), twoLabels());
      QVERIFY2(store, store ? "" : store.error().describe().c_str());
      QCOMPARE(store.value()->schemaVersion(), schema::kCurrentVersion);
    }
    QVERIFY(ProjectStore::exists(folder));
    for (const char* sub : {"labels", "images", "adapters"})
      QVERIFY(QFileInfo(QDir(folder).filePath(QString::fromLatin1(sub))).isDir());
    auto reopened = ProjectStore::open(folder);
    QVERIFY(reopened);
    QCOMPARE(reopened.value()->name(), QStringLiteral("Liver CT"));
    QCOMPARE(reopened.value()->labels().value(), twoLabels());
    // A second project in the same folder is refused.
    auto again = ProjectStore::create(folder, QStringLiteral("other"), {});
    QVERIFY(!again);
    QVERIFY(QString::fromStdString(again.error().describe()).contains(folder));
  }

  void migratesFromEveryEarlierVersion() {
    for (int from = 1; from < schema::kCurrentVersion; ++from) {
      QTemporaryDir dir;
      const QString path = dir.filePath(QString::fromLatin1(ProjectStore::kDatabaseName));
      {
        // A database exactly as version `from` made it, with a case in it.
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (int v = 0; v < from; ++v)
          for (const QString& statement : schema::migrationFrom(v)) QVERIFY(q.exec(statement));
        QVERIFY(
            q.exec(QStringLiteral("INSERT INTO meta VALUES ('schema_version', '%1')").arg(from)));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO meta VALUES ('name', 'old project')")));
        QVERIFY(q.exec(QStringLiteral(
            "INSERT INTO cases (name, image_path, content_hash, kind, status, position, created, "
            "updated) VALUES ('c1', '/data/c1.nii', 'abc', 'volume', 'done', 1, 'x', 'x')")));
        db.close();
      }
      QSqlDatabase::removeDatabase(QStringLiteral("old"));
      auto store = ProjectStore::open(dir.path());
      QVERIFY2(store, store ? "" : store.error().describe().c_str());
      QCOMPARE(store.value()->schemaVersion(), schema::kCurrentVersion);
      auto cases = store.value()->cases();
      QVERIFY(cases);
      QCOMPARE(cases->size(), std::size_t(1));
      QCOMPARE(cases->front().status, CaseStatus::Done);
      QCOMPARE(cases->front().clicks, qint64(0));  // a column version 2 added
      QVERIFY(store.value()->logInteractions(
          {{cases->front().id, 1, QStringLiteral("point"), {}, 0.9}}));
    }
  }

  void refusesNewerDamagedAndForeignDatabases_data() {
    QTest::addColumn<QByteArray>("setup");
    QTest::addColumn<QString>("reason");
    QTest::newRow("newer") << QByteArray("newer") << QStringLiteral("newer Med-SA Studio");
    QTest::newRow("damaged") << QByteArray("damaged") << QStringLiteral("not a Med-SA Studio");
    QTest::newRow("foreign") << QByteArray("foreign") << QStringLiteral("no meta table");
    QTest::newRow("missing") << QByteArray("missing") << QStringLiteral("no project here");
  }

  void refusesNewerDamagedAndForeignDatabases() {
    QFETCH(QByteArray, setup);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    const QString path = dir.filePath(QString::fromLatin1(ProjectStore::kDatabaseName));
    if (setup == "newer") {
      QVERIFY(ProjectStore::create(dir.path(), QStringLiteral("p"), {}));
      QSqlDatabase db =
          QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("edit"));
      db.setDatabaseName(path);
      QVERIFY(db.open());
      QVERIFY(QSqlQuery(db).exec(
          QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'schema_version'")));
      db.close();
      db = QSqlDatabase();
      QSqlDatabase::removeDatabase(QStringLiteral("edit"));
    } else if (setup == "damaged") {
      QFile file(path);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write(QByteArray(4096, 'x'));
    } else if (setup == "foreign") {
      QSqlDatabase db =
          QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("edit"));
      db.setDatabaseName(path);
      QVERIFY(db.open());
      QVERIFY(QSqlQuery(db).exec(QStringLiteral("CREATE TABLE photos (id INTEGER)")));
      db.close();
      db = QSqlDatabase();
      QSqlDatabase::removeDatabase(QStringLiteral("edit"));
    }
    auto store = ProjectStore::open(dir.path());
    QVERIFY(!store);
    const QString message = QString::fromStdString(store.error().describe());
    QVERIFY2(message.contains(reason), qPrintable(message));
    QVERIFY2(message.contains(dir.path()), qPrintable(message));
  }

  void casesStatusesAndEffort() {
    QTemporaryDir dir;
    auto store = std::move(ProjectStore::create(dir.path(), QStringLiteral("p"), {})).value();
    auto first = store->addCase(aCase(QStringLiteral("scan"), QStringLiteral("h1")));
    QVERIFY2(first, first ? "" : first.error().describe().c_str());
    QVERIFY(first->added);
    QCOMPARE(first->record.assignee, currentUser());
    auto same = store->addCase(aCase(QStringLiteral("scan copy"), QStringLiteral("h1")));
    QVERIFY(same && !same->added);  // the same content is one case
    QCOMPARE(same->record.id, first->record.id);
    auto other = store->addCase(aCase(QStringLiteral("scan"), QStringLiteral("h2")));
    QVERIFY(other && other->added);
    QCOMPARE(other->record.name, QStringLiteral("scan_2"));
    QVERIFY(store->setStatus(other->record.id, CaseStatus::Skipped));
    QVERIFY(store->addEffort(first->record.id, 12.5, 3, 7));
    QVERIFY(store->addEffort(first->record.id, 2.5, 1, 1));
    QVERIFY(store->setModel(first->record.id, QStringLiteral("starter"), QStringLiteral("v2")));
    auto cases = store->cases();
    QCOMPARE(cases->size(), std::size_t(2));
    QCOMPARE(cases->at(0).seconds, 15.0);
    QCOMPARE(cases->at(0).clicks, qint64(4));
    QCOMPARE(cases->at(0).interactions, qint64(8));
    QCOMPARE(cases->at(0).adapter, QStringLiteral("v2"));
    QCOMPARE(cases->at(1).status, CaseStatus::Skipped);
    QVERIFY(cases->at(0).position < cases->at(1).position);
    QVERIFY(!store->setStatus(999, CaseStatus::Done));  // no such case: said, not ignored
    for (CaseStatus s : {CaseStatus::New, CaseStatus::InProgress, CaseStatus::Done,
                         CaseStatus::Reviewed, CaseStatus::Skipped})
      QCOMPARE(caseStatusFromName(caseStatusName(s)), std::optional<CaseStatus>(s));
    QVERIFY(!caseStatusFromName(QStringLiteral("finished")));
  }

  void savingAgainKeepsEveryVersion() {
    QTemporaryDir dir;
    auto store =
        std::move(ProjectStore::create(dir.path(), QStringLiteral("p"), twoLabels())).value();
    const medsa::Image image = sphere();
    auto added = store->addCase(aCase(QStringLiteral("ct"), QStringLiteral("h")));
    const qint64 id = added->record.id;
    auto v1 = store->saveLabels(id, paintedMap(image, 1, 10), twoLabels(), QStringLiteral("ann"));
    QVERIFY2(v1, v1 ? "" : v1.error().describe().c_str());
    auto v2 = store->saveLabels(id, paintedMap(image, 2, 20), twoLabels(), QStringLiteral("ann"));
    QVERIFY(v2);
    QCOMPARE(v1->version, 1);
    QCOMPARE(v2->version, 2);
    QVERIFY(QFileInfo::exists(v1->path) && QFileInfo::exists(v2->path));
    QVERIFY(v1->path.startsWith(dir.path()));
    auto record = store->caseById(id);
    QCOMPARE(record->status, CaseStatus::InProgress);  // labels: work has begun
    QCOMPARE(record->latest->version, 2);
    QCOMPARE(record->latest->voxels.value(2), qint64(20));
    QCOMPARE(record->latest->sha256,
             QString::fromStdString(medsa::sha256File(v2->path.toStdString()).value()));
    // The old version is still what it was.
    auto old = loadLabelMap(v1->path, image);
    QVERIFY(old);
    QCOMPARE(old->map.count(1), std::size_t(10));
    QCOMPARE(store->labelVersions(id)->size(), std::size_t(2));
  }

  void splitsStayFixedAndAdapterVersionsHaveOneLive() {
    QTemporaryDir dir;
    auto store = std::move(ProjectStore::create(dir.path(), QStringLiteral("p"), {})).value();
    const qint64 a = store->addCase(aCase(QStringLiteral("a"), QStringLiteral("ha")))->record.id;
    const qint64 b = store->addCase(aCase(QStringLiteral("b"), QStringLiteral("hb")))->record.id;
    QVERIFY(store->assignSplits({{a, QStringLiteral("heldout")}, {b, QStringLiteral("train")}}));
    QVERIFY(store->assignSplits({{a, QStringLiteral("train")}}));  // a keeps its split
    QCOMPARE(store->caseById(a)->split, QStringLiteral("heldout"));
    QVERIFY(!store->assignSplits({{b, QStringLiteral("test")}}));
    // The first time a case is done is remembered.
    QVERIFY(!store->caseById(a)->doneAt.isValid());
    QVERIFY(store->setStatus(a, CaseStatus::Done));
    const QDateTime first = store->caseById(a)->doneAt;
    QVERIFY(first.isValid());
    QTest::qWait(5);
    QVERIFY(store->setStatus(a, CaseStatus::Reviewed));
    QCOMPARE(store->caseById(a)->doneAt, first);

    AdapterVersion v;
    v.path = dir.filePath(QStringLiteral("adapters/v1.safetensors"));
    v.baseModel = QStringLiteral("base");
    v.metrics = QJsonObject{{QStringLiteral("dice_click"), 0.7}};
    auto one = store->addAdapterVersion(v);
    auto two = store->addAdapterVersion(v);
    QVERIFY(one && two);
    QCOMPARE(one->version, 1);
    QCOMPARE(two->version, 2);
    QVERIFY(store->setLiveAdapter(1));
    QVERIFY(store->setLiveAdapter(2));
    auto versions = store->adapterVersions();
    QCOMPARE(versions->size(), std::size_t(2));
    QCOMPARE(versions->at(0).state, QStringLiteral("retired"));
    QCOMPARE(versions->at(1).state, QStringLiteral("live"));
    QCOMPARE(versions->at(1).metrics.value(QStringLiteral("dice_click")).toDouble(), 0.7);
    QVERIFY(!store->setLiveAdapter(9));  // no such version: nothing changes
    QCOMPARE(store->adapterVersions()->at(1).state, QStringLiteral("live"));
    QVERIFY(store->setLiveAdapter(0));  // back to the base model
    QCOMPARE(store->adapterVersions()->at(1).state, QStringLiteral("retired"));
  }

  void interactionsAndUserState() {
    QTemporaryDir dir;
    auto store = std::move(ProjectStore::create(dir.path(), QStringLiteral("p"), {})).value();
    const qint64 id = store->addCase(aCase(QStringLiteral("a"), QStringLiteral("h")))->record.id;
    QJsonObject point{{QStringLiteral("x"), 10.5}, {QStringLiteral("y"), 4}};
    QVERIFY(store->logInteractions({{id, 100, QStringLiteral("point"), point, 0.87},
                                    {id, 250, QStringLiteral("accept"), {}, std::nullopt}}));
    auto log = store->interactions(id);
    QCOMPARE(log->size(), std::size_t(2));
    QCOMPARE(log->at(0).detail, point);
    QCOMPARE(*log->at(0).iou, 0.87);
    QVERIFY(!log->at(1).iou);
    QVERIFY(
        store->setUserState(QStringLiteral("ann"), QStringLiteral("case"), QStringLiteral("3")));
    QVERIFY(
        store->setUserState(QStringLiteral("ann"), QStringLiteral("case"), QStringLiteral("4")));
    QCOMPARE(store->userState(QStringLiteral("ann"), QStringLiteral("case")).value(),
             QStringLiteral("4"));
    QCOMPARE(store->userState(QStringLiteral("bob"), QStringLiteral("case")).value(), QString());
  }

  void twoWritersAtOnceLoseNothing() {
    QTemporaryDir dir;
    QVERIFY(ProjectStore::create(dir.path(), QStringLiteral("p"), twoLabels()));
    const medsa::Image image = sphere(12);
    qint64 shared = 0;
    {
      auto store = std::move(ProjectStore::open(dir.path())).value();
      shared = store->addCase(aCase(QStringLiteral("shared"), QStringLiteral("s")))->record.id;
    }
    std::atomic<int> failures{0};
    auto writer = [&](int who) {
      auto store = ProjectStore::open(dir.path());  // its own connection, in its own thread
      if (!store) {
        ++failures;
        return;
      }
      for (int i = 0; i < 15; ++i) {
        if (!store.value()->addCase(aCase(QStringLiteral("w%1_%2").arg(who).arg(i),
                                          QStringLiteral("h%1_%2").arg(who).arg(i))))
          ++failures;
        if (!store.value()->saveLabels(shared, paintedMap(image, 1, 5), twoLabels(),
                                       QStringLiteral("w%1").arg(who)))
          ++failures;
      }
    };
    std::thread a(writer, 1), b(writer, 2);
    a.join();
    b.join();
    QCOMPARE(failures.load(), 0);
    auto store = std::move(ProjectStore::open(dir.path())).value();
    QCOMPARE(store->cases()->size(), std::size_t(31));
    auto versions = store->labelVersions(shared);
    QCOMPARE(versions->size(), std::size_t(30));
    for (int v = 0; v < 30; ++v) QCOMPARE(versions->at(static_cast<std::size_t>(v)).version, v + 1);
  }

  void aWriterKilledMidSaveLeavesAConsistentProject() {
    QTemporaryDir dir;
    QVERIFY(ProjectStore::create(dir.path(), QStringLiteral("p"), twoLabels()));
    for (int round = 0; round < 3; ++round) {
      QProcess child;
      child.start(QStringLiteral(MEDSA_PROJECT_CHILD), {dir.path()});
      QVERIFY(child.waitForStarted());
      QByteArray out;
      while (out.count('\n') < 3 && child.waitForReadyRead(20000))
        out += child.readAllStandardOutput();
      QTest::qWait(17 + round * 23);
      child.kill();
      QVERIFY(child.waitForFinished());
      auto store = ProjectStore::open(dir.path());
      QVERIFY2(store, store ? "" : store.error().describe().c_str());
      // Every recorded version's file exists and is the file that was recorded.
      for (const CaseRecord& c : store.value()->cases().value()) {
        for (const LabelVersion& v : store.value()->labelVersions(c.id).value()) {
          auto hash = medsa::sha256File(v.path.toStdString());
          QVERIFY2(hash, qPrintable(v.path));
          QCOMPARE(QString::fromStdString(hash.value()), v.sha256);
        }
      }
    }
  }

  void importsFilesFoldersAndDicomSeriesOnce() {
    QTemporaryDir dir;
    auto store = std::move(ProjectStore::create(dir.filePath(QStringLiteral("project")),
                                                QStringLiteral("p"), twoLabels()))
                     .value();
    const QString images = dir.filePath(QStringLiteral("images"));
    QVERIFY(QDir().mkpath(images));
    medsa::Image a = sphere(16), b = sphere(20);
    QCOMPARE(writeVolume(images + QStringLiteral("/case2.nii.gz"), a), QString());
    QCOMPARE(writeVolume(images + QStringLiteral("/case10.nii.gz"), b), QString());
    QFile notes(images + QStringLiteral("/notes.txt"));
    QVERIFY(notes.open(QIODevice::WriteOnly));
    auto first = importIntoProject(*store, images);
    QVERIFY2(first, first ? "" : first.error().describe().c_str());
    QCOMPARE(first->size(), std::size_t(2));
    QVERIFY(first->at(0).added && first->at(1).added);
    QVERIFY(!first->at(0).record.picture);
    // Again: nothing new.
    auto again = importIntoProject(*store, images);
    QVERIFY(again);
    QVERIFY(!again->at(0).added && !again->at(1).added);
    QCOMPARE(store->cases()->size(), std::size_t(2));

    // A DICOM folder with two series: two cases.
    const QString dicom = dir.filePath(QStringLiteral("dicom"));
    medsa::io::DicomSeriesWriteOptions ct;
    ct.fileNamePrefix = "ct";
    ct.seriesDescription = "Chest";
    QVERIFY(medsa::io::writeDicomSeries(sphere(16), dicom.toStdString(), ct));
    medsa::io::DicomSeriesWriteOptions mr = ct;
    mr.fileNamePrefix = "mr";
    mr.modality = "MR";
    mr.seriesDescription = "Chest";
    QVERIFY(medsa::io::writeDicomSeries(sphere(20), dicom.toStdString(), mr));
    auto series = importIntoProject(*store, dicom, {CaseStatus::InProgress, {}, false});
    QVERIFY2(series, series ? "" : series.error().describe().c_str());
    QCOMPARE(series->size(), std::size_t(2));
    QVERIFY(series->at(0).record.series != series->at(1).record.series);
    QCOMPARE(series->at(0).record.status, CaseStatus::InProgress);
    QCOMPARE(store->cases()->size(), std::size_t(4));

    // A file that is not an image, and labels on another grid: refused, with the file named.
    auto notImage = importIntoProject(*store, images + QStringLiteral("/notes.txt"));
    QVERIFY(!notImage);
    QVERIFY(
        QString::fromStdString(notImage.error().describe()).contains(QStringLiteral("notes.txt")));
    const QString wrongGrid = dir.filePath(QStringLiteral("wrong_labels.nii.gz"));
    QVERIFY(saveLabelMap(paintedMap(b, 1, 4), twoLabels(), wrongGrid));
    auto mismatched = importIntoProject(*store, images + QStringLiteral("/case2.nii.gz"),
                                        {std::nullopt, wrongGrid, false});
    QVERIFY(!mismatched);
    QVERIFY(QString::fromStdString(mismatched.error().describe())
                .contains(QStringLiteral("wrong_labels")));
    // Labels on the right grid become the case's first version; --status applies.
    const QString rightGrid = dir.filePath(QStringLiteral("right_labels.nii.gz"));
    QVERIFY(saveLabelMap(paintedMap(a, 2, 9), twoLabels(), rightGrid));
    auto labelled = importIntoProject(*store, images + QStringLiteral("/case2.nii.gz"),
                                      {CaseStatus::Done, rightGrid, false});
    QVERIFY2(labelled, labelled ? "" : labelled.error().describe().c_str());
    QCOMPARE(labelled->front().record.status, CaseStatus::Done);
    QCOMPARE(labelled->front().record.latest->voxels.value(2), qint64(9));
    // A case another annotator holds keeps its labels and its status: the imported labels are
    // kept aside as a conflict version, and the import says so.
    const qint64 held = labelled->front().record.id;
    QVERIFY(store->setStatus(held, CaseStatus::InProgress));
    QVERIFY(store->takeCase(held, QStringLiteral("someone-else"), 600));
    const QString other = dir.filePath(QStringLiteral("other_labels.nii.gz"));
    QVERIFY(saveLabelMap(paintedMap(a, 1, 5), twoLabels(), other));
    auto refused = importIntoProject(*store, images + QStringLiteral("/case2.nii.gz"),
                                     {CaseStatus::Done, other, false});
    QVERIFY(!refused);
    QVERIFY2(
        QString::fromStdString(refused.error().describe()).contains(QStringLiteral("conflict")),
        refused.error().describe().c_str());
    QCOMPARE(store->caseById(held)->status, CaseStatus::InProgress);
    QCOMPARE(store->caseById(held)->latest->voxels.value(2), qint64(9));
  }

  void copiedInImagesMoveWithTheProjectAndMovedImagesAreRelinked() {
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("project"));
    auto store = std::move(ProjectStore::create(folder, QStringLiteral("p"), {})).value();
    const QString original = dir.filePath(QStringLiteral("scan.nii.gz"));
    QCOMPARE(writeVolume(original, sphere()), QString());
    auto copied = importIntoProject(*store, original, {std::nullopt, {}, true});
    QVERIFY2(copied, copied ? "" : copied.error().describe().c_str());
    QVERIFY(copied->front().record.imagePath.startsWith(folder + QStringLiteral("/images/")));
    QVERIFY(QFileInfo::exists(copied->front().record.imagePath));

    // An image moved away: the case notices (its file is missing) and can be relinked to it.
    const QString elsewhere = dir.filePath(QStringLiteral("other.nii.gz"));
    QCOMPARE(writeVolume(elsewhere, sphere(20)), QString());
    auto outside = importIntoProject(*store, elsewhere);
    const qint64 id = outside->front().record.id;
    const QString moved = dir.filePath(QStringLiteral("moved.nii.gz"));
    QVERIFY(QFile::rename(elsewhere, moved));
    QVERIFY(!QFileInfo::exists(store->caseById(id)->imagePath));
    const QString hash = QString::fromStdString(medsa::sha256File(moved.toStdString()).value());
    QVERIFY(!store->relink(
        id, original, QString::fromStdString(medsa::sha256File(original.toStdString()).value())));
    QVERIFY(store->relink(id, moved, hash));
    QCOMPARE(store->caseById(id)->imagePath, moved);
  }
};

QTEST_GUILESS_MAIN(TestProjectStore)
#include "test_project_store.moc"
