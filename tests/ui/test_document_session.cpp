// DocumentSession without a window: the rules that keep a user's labels from being lost.
// Saves that fail (a folder that cannot be written, a full disk, a device in the way), edits made
// while a save runs, two instances sharing an autosave folder, crashed sessions and their
// recovery, and label files opened over unsaved work.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <csignal>
#include <memory>

#include "medsa/annotations/autosave_store.h"
#include "medsa/annotations/label_edit.h"
#include "medsa/annotations/label_map_io.h"
#include "medsa/io/image_writer.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "volume_fixture.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using medsa::SliceAxis;
using medsa::ui::Document;
using medsa::ui::DocumentSession;

namespace {

/// A document and its session on the sphere volume, autosaving into `folder`.
struct Open {
  explicit Open(const QString& folder, const QString& id = QStringLiteral("demo:phantom")) {
    session.setAutosaveFolder(folder);
    session.open(makeSphereVolume(), QString(), id);
  }
  Document document;
  DocumentSession session{&document};
};

/// Paints a square of `value` on axial slice `z`: one undo step.
void paint(Document& document, std::size_t z, quint16 value = 1) {
  medsa::annotations::LabelSlice slice = document.labels().slice(SliceAxis::Axial, z).value();
  std::vector<std::uint8_t> mask(slice.values.size(), 0);
  for (int y = 20; y < 30; ++y)
    for (int x = 20; x < 30; ++x) mask[static_cast<std::size_t>(y) * slice.width + x] = 1;
  medsa::annotations::LabelSet set = document.labelSet();
  if (!set.find(value)) {
    set.insert({value, QStringLiteral("organ %1").arg(value), Qt::red, true, false});
    document.setLabelSet(set);
  }
  QVERIFY(document.history()->apply(
      QStringLiteral("paint"), {medsa::annotations::paintChange(
                                   slice, SliceAxis::Axial, z, mask, value,
                                   medsa::annotations::PaintMode::Paint, document.labelSet())}));
}

bool autosaveAndWait(DocumentSession& session) {
  QSignalSpy done(&session, &DocumentSession::autosaved);
  session.autosaveNow();
  return done.wait(10000) && done.first().first().toBool();
}

/// Saves and waits; the outcome as the `done` callback reported it.
medsa::Status saveAndWait(DocumentSession& session, const QString& path) {
  std::optional<medsa::Status> outcome;
  session.save(path, [&outcome](const medsa::Status& status) { outcome = status; });
  if (!QTest::qWaitFor([&outcome] { return outcome.has_value(); }, 20000))
    return medsa::Error{medsa::ErrorCode::Internal, "timed out", {}};
  return *outcome;
}

std::vector<std::uint8_t> bytesOf(const medsa::Image& image) {
  return {image.bytes(), image.bytes() + image.byteCount()};
}

QStringList autosaveFiles(const QString& folder) {
  return QDir(folder).entryList({QStringLiteral("*.medsa-autosave")}, QDir::Files);
}

/// Makes writes beyond `bytes` fail (EFBIG) for this process while it lives: a disk that is
/// full, without root, a mount or a real full disk.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    std::signal(SIGXFSZ, SIG_IGN);  // the write fails instead of the process dying
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

}  // namespace

class TestDocumentSession : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void savedOnlyAfterTheWriteSucceeded() {
    QTemporaryDir dir;
    Open open(dir.filePath(QStringLiteral("autosave")));
    QVERIFY(!open.session.isModified());
    paint(open.document, 10);
    QVERIFY(open.session.isModified());
    const QString path = dir.filePath(QStringLiteral("labels.nii.gz"));
    QVERIFY(saveAndWait(open.session, path));
    QVERIFY(!open.session.isModified());
    QCOMPARE(open.session.labelsPath(), path);
    // An edit made while a save runs is not taken for saved when that save ends.
    QSignalSpy saved(&open.session, &DocumentSession::saved);
    paint(open.document, 11);
    open.session.save(path);
    paint(open.document, 12);
    QVERIFY(saved.wait(20000));
    QVERIFY(open.session.isModified());
  }

  void failedSaveKeepsLabelsUnsavedAndTheirAutosave_data() {
    QTest::addColumn<QString>("where");
    QTest::newRow("folder in /proc") << QStringLiteral("proc");
    QTest::newRow("read-only folder") << QStringLiteral("read-only");
    QTest::newRow("full disk") << QStringLiteral("full");
    QTest::newRow("a pipe in the way") << QStringLiteral("fifo");
  }

  void failedSaveKeepsLabelsUnsavedAndTheirAutosave() {
    QFETCH(QString, where);
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    QString path;
    QString reason;
    std::unique_ptr<FileSizeLimit> limit;
    {
      Open open(autosaves);
      paint(open.document, 10);
      QVERIFY(autosaveAndWait(open.session));
      QCOMPARE(autosaveFiles(autosaves).size(), 1);
      if (where == QStringLiteral("proc")) {
        path = QStringLiteral("/proc/medsa-labels.nii.gz");
        reason = QStringLiteral("cannot write in folder /proc");
      } else if (where == QStringLiteral("read-only")) {
        if (::geteuid() == 0) QSKIP("root writes into read-only folders; the /proc row covers it");
        const QString folder = dir.filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner));
        path = folder + QStringLiteral("/labels.nii.gz");
        reason = QStringLiteral("Permission denied");
      } else if (where == QStringLiteral("full")) {
        path = dir.filePath(QStringLiteral("labels.nii"));  // uncompressed: 256 KiB
        reason = QStringLiteral("labels.nii");
        limit = std::make_unique<FileSizeLimit>(16 * 1024);
      } else {
        path = dir.filePath(QStringLiteral("labels.nii.gz"));
        QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0644), 0);
        reason = QStringLiteral("not a regular file");
      }
      QSignalSpy failed(&open.session, &DocumentSession::saveFailed);
      const medsa::Status status = saveAndWait(open.session, path);
      limit.reset();
      QVERIFY(!status);
      QCOMPARE(failed.count(), 1);
      const QString message = QString::fromStdString(status.error().describe());
      QVERIFY2(message.contains(reason), qPrintable(message));
      QVERIFY(open.session.isModified());
      QVERIFY(open.session.labelsPath().isEmpty());
      // The window closes anyway (the user gave up): the unsaved labels stay in the autosave.
      open.session.finishCleanly();
      QCOMPARE(autosaveFiles(autosaves).size(), 1);
    }
    // And the next start offers them.
    Document document;
    DocumentSession next(&document);
    next.setAutosaveFolder(autosaves);
    QSignalSpy found(&next, &DocumentSession::orphansFound);
    QVERIFY(next.findOrphans());
    QVERIFY(found.wait(10000));
    QCOMPARE(found.first().first().toInt(), 1);
    QVERIFY(next.orphans().front().error.isEmpty());
  }

  void cleanFinishRemovesOnlyWhatIsSafe() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    Open saved(autosaves);
    paint(saved.document, 10);
    QVERIFY(autosaveAndWait(saved.session));
    QVERIFY(saveAndWait(saved.session, dir.filePath(QStringLiteral("a.nii.gz"))));
    saved.session.waitForWrites();
    Open discarded(autosaves);
    paint(discarded.document, 10);
    QVERIFY(autosaveAndWait(discarded.session));
    QCOMPARE(autosaveFiles(autosaves).size(), 1);  // the saved one's autosave went on saving
    discarded.session.discardChanges();
    discarded.session.waitForWrites();
    QCOMPARE(autosaveFiles(autosaves).size(), 0);
    saved.session.finishCleanly();
    discarded.session.finishCleanly();
    QCOMPARE(autosaveFiles(autosaves).size(), 0);
    QCOMPARE(QDir(autosaves).entryList(QDir::Files | QDir::Hidden).size(), 0);  // locks too
  }

  void twoInstancesNeverTouchEachOthersAutosave() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    auto first = std::make_unique<Open>(autosaves);
    auto second = std::make_unique<Open>(autosaves, QStringLiteral("demo:fundus"));
    paint(first->document, 5);
    paint(second->document, 6);
    QVERIFY(autosaveAndWait(first->session));
    QVERIFY(autosaveAndWait(second->session));
    QCOMPARE(autosaveFiles(autosaves).size(), 2);
    QVERIFY(first->session.autosaveFile() != second->session.autosaveFile());
    const QString secondFile = second->session.autosaveFile();
    // A third instance starting now finds nothing to recover: both owners are alive.
    {
      Document document;
      DocumentSession third(&document);
      third.setAutosaveFolder(autosaves);
      QSignalSpy found(&third, &DocumentSession::orphansFound);
      QVERIFY(third.findOrphans());
      QVERIFY(found.wait(10000));
      QCOMPARE(found.first().first().toInt(), 0);
    }
    // The first discards and closes cleanly: only its own file goes.
    first->session.discardChanges();
    first->session.finishCleanly();
    first.reset();
    QCOMPARE(autosaveFiles(autosaves), QStringList{QFileInfo(secondFile).fileName()});
    // The second crashes (no clean finish): its file is the one orphan the next start lists.
    second.reset();
    Document document;
    DocumentSession next(&document);
    next.setAutosaveFolder(autosaves);
    QSignalSpy found(&next, &DocumentSession::orphansFound);
    QVERIFY(next.findOrphans());
    QVERIFY(found.wait(10000));
    QCOMPARE(found.first().first().toInt(), 1);
    QCOMPARE(next.orphans().front().file, secondFile);
    QCOMPARE(next.orphans().front().imageId, QStringLiteral("demo:fundus"));
  }

  void recoveryListsEveryOrphanNewestFirst() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    for (const char* id : {"demo:a", "demo:b", "demo:c"}) {
      Open crashed(autosaves, QString::fromLatin1(id));
      paint(crashed.document, 3);
      QVERIFY(autosaveAndWait(crashed.session));
      QTest::qWait(1100);  // file times differ by at least a second on every file system
    }
    Document document;
    DocumentSession next(&document);
    next.setAutosaveFolder(autosaves);
    QSignalSpy found(&next, &DocumentSession::orphansFound);
    QVERIFY(next.findOrphans());
    QVERIFY(found.wait(10000));
    QCOMPARE(next.orphans().size(), std::size_t(3));
    QCOMPARE(next.orphans()[0].imageId, QStringLiteral("demo:c"));
    QCOMPARE(next.orphans()[2].imageId, QStringLiteral("demo:a"));
    QCOMPARE(next.orphans()[0].labelNames, QStringList{QStringLiteral("Label 1")});
  }

  void recoveredAutosaveIsDeletedOnlyOnceItsLabelsAreSafe() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    std::size_t painted = 0;
    QString orphanFile;
    {
      Open crashed(autosaves);
      paint(crashed.document, 7);
      paint(crashed.document, 8, 2);
      QVERIFY(autosaveAndWait(crashed.session));
      painted = crashed.document.labels().count(1) + crashed.document.labels().count(2);
      orphanFile = crashed.session.autosaveFile();
    }
    Document document;
    DocumentSession next(&document);
    next.setAutosaveFolder(autosaves);
    QSignalSpy found(&next, &DocumentSession::orphansFound);
    QSignalSpy asked(&next, &DocumentSession::openRequested);
    QSignalSpy recovered(&next, &DocumentSession::recovered);
    QSignalSpy autosaved(&next, &DocumentSession::autosaved);
    QVERIFY(next.findOrphans());
    QVERIFY(found.wait(10000));
    QVERIFY(next.recover(0));
    QCOMPARE(asked.count(), 1);
    QCOMPARE(asked.first().at(2).toString(), QStringLiteral("demo:phantom"));
    QVERIFY(QFileInfo::exists(orphanFile));  // still there while the image opens
    next.open(makeSphereVolume(), QString(), QStringLiteral("demo:phantom"));
    QVERIFY(recovered.count() == 1 || recovered.wait(10000));
    QCOMPARE(document.labels().count(1) + document.labels().count(2), painted);
    QVERIFY(next.isModified());
    QCOMPARE(document.history()->stack()->count(), 0);  // nothing to undo away by accident
    QVERIFY(autosaved.count() == 1 || autosaved.wait(10000));
    QVERIFY(QFileInfo::exists(next.autosaveFile()));
    QVERIFY(!QFileInfo::exists(orphanFile));
  }

  // The label volume is read while the image opens; on a busy machine the image can be shown
  // first and the user can paint before the recovered labels arrive. Neither is lost.
  void editsMadeBeforeTheRecoveredLabelsArriveAreOneUndoAway() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    std::vector<std::uint8_t> crashedLabels;
    QString orphanFile;
    {
      Open crashed(autosaves);
      paint(crashed.document, 7);
      QVERIFY(autosaveAndWait(crashed.session));
      crashedLabels = bytesOf(crashed.document.labels().image());
      orphanFile = crashed.session.autosaveFile();
    }
    Document document;
    DocumentSession next(&document);
    next.setAutosaveFolder(autosaves);
    QSignalSpy found(&next, &DocumentSession::orphansFound);
    QSignalSpy recovered(&next, &DocumentSession::recovered);
    QVERIFY(next.findOrphans());
    QVERIFY(found.wait(10000));
    QVERIFY(next.recover(0));
    // No event is processed between these: the read's result cannot have been delivered yet.
    next.open(makeSphereVolume(), QString(), QStringLiteral("demo:phantom"));
    QCOMPARE(recovered.count(), 0);
    paint(document, 3, 2);
    const std::size_t interim = document.labels().count(2);
    QVERIFY(interim > 0);
    medsa::annotations::LabelSet renamed = document.labelSet();
    renamed.find(1)->name = QStringLiteral("mine");
    document.setLabelSet(renamed);
    // An autosave of the edit alone starts while the recovered labels are still being read. The
    // orphan may go only once this instance's own autosave holds the recovered labels.
    int orphanGoneEarly = 0;
    connect(&next, &DocumentSession::autosaved, this, [&] {
      if (QFileInfo::exists(orphanFile)) return;
      const auto own = medsa::annotations::AutosaveStore::forFile(next.autosaveFile()).read();
      if (!own || bytesOf(own->labelImage) != crashedLabels) ++orphanGoneEarly;
    });
    next.autosaveNow();

    QVERIFY(recovered.wait(10000));
    QVERIFY(bytesOf(document.labels().image()) == crashedLabels);
    QVERIFY(next.isModified());
    QCOMPARE(document.history()->stack()->count(), 2);  // the edit, then the recovery
    QVERIFY(document.labelSet().find(1)->name != QStringLiteral("mine"));  // the autosave's
    document.history()->stack()->undo();
    QCOMPARE(document.labels().count(2), interim);
    QCOMPARE(document.labels().count(1), std::size_t{0});
    QCOMPARE(document.labelSet().find(1)->name, QStringLiteral("mine"));
    document.history()->stack()->redo();
    QCOMPARE(document.labels().count(2), std::size_t{0});
    QVERIFY(document.labels().count(1) > 0);
    QVERIFY(document.labelSet().find(2));  // the edit's label is still in the set
    QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(orphanFile), 10000);
    QCOMPARE(orphanGoneEarly, 0);
  }

  void failedOpenAfterRecoveryKeepsTheAutosave() {
    QTemporaryDir dir;
    const QString autosaves = dir.filePath(QStringLiteral("autosave"));
    QString orphanFile;
    {
      Open crashed(autosaves, QStringLiteral("/data/gone.nii.gz"));
      crashed.session.open(makeSphereVolume(), QStringLiteral("/data/gone.nii.gz"),
                           QStringLiteral("/data/gone.nii.gz"));
      paint(crashed.document, 7);
      QVERIFY(autosaveAndWait(crashed.session));
      orphanFile = crashed.session.autosaveFile();
    }
    QByteArray before;
    {
      QFile file(orphanFile);
      QVERIFY(file.open(QIODevice::ReadOnly));
      before = file.readAll();
    }
    Document document;
    DocumentSession next(&document);
    next.setAutosaveFolder(autosaves);
    QSignalSpy found(&next, &DocumentSession::orphansFound);
    QSignalSpy failed(&next, &DocumentSession::recoveryFailed);
    QVERIFY(next.findOrphans());
    QVERIFY(found.wait(10000));
    QVERIFY(next.recover(0));
    next.openFailed(
        medsa::Error{medsa::ErrorCode::FileNotFound, "no such file", "/data/gone.nii.gz"});
    QCOMPARE(failed.count(), 1);
    QVERIFY(QString::fromStdString(failed.first().first().value<medsa::Error>().message)
                .contains(QStringLiteral("kept")));
    // The user works on something else: their edits go to this instance's own file.
    next.open(makeSphereVolume(), QString(), QStringLiteral("demo:phantom"));
    paint(document, 3);
    QVERIFY(autosaveAndWait(next));
    QVERIFY(next.autosaveFile() != orphanFile);
    QFile file(orphanFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
    // And it is offered again.
    QSignalSpy again(&next, &DocumentSession::orphansFound);
    QVERIFY(next.findOrphans());
    QVERIFY(again.wait(10000));
    QCOMPARE(again.first().first().toInt(), 1);
  }

  void openedLabelsAreOneUndoStepAndSaved() {
    QTemporaryDir dir;
    Open open(dir.filePath(QStringLiteral("autosave")));
    paint(open.document, 10);
    const QString path = dir.filePath(QStringLiteral("labels.nii.gz"));
    QVERIFY(saveAndWait(open.session, path));
    const std::size_t onFile = open.document.labels().count(1);
    paint(open.document, 11);
    paint(open.document, 12, 2);
    QSignalSpy opened(&open.session, &DocumentSession::labelsOpened);
    open.session.openLabels(path);
    QVERIFY(opened.wait(20000));
    QCOMPARE(open.document.labels().count(1), onFile);
    QCOMPARE(open.document.labels().count(2), std::size_t(0));
    QVERIFY(!open.session.isModified());
    QCOMPARE(open.session.labelsPath(), path);
    // The edits it replaced are one Undo away.
    open.document.history()->stack()->undo();
    QVERIFY(open.document.labels().count(2) > 0);
    QVERIFY(open.session.isModified());
  }

  // A project case shows its image at once and reads its saved labels behind it. Edits made
  // meanwhile stay: the saved labels go underneath them, as one undo step, and the result is
  // unsaved (and autosaved), not taken for the saved version.
  void editsMadeWhileTheSavedLabelsAreReadStayOnTop() {
    QTemporaryDir dir;
    Open open(dir.filePath(QStringLiteral("autosave")), QStringLiteral("case-1"));
    paint(open.document, 10);
    paint(open.document, 11);
    const QString saved = dir.filePath(QStringLiteral("v1.nii.gz"));
    QVERIFY(saveAndWait(open.session, saved));
    const std::size_t square = open.document.labels().count(1) / 2;

    open.session.open(makeSphereVolume(), QString(), QStringLiteral("case-1"));
    QSignalSpy opened(&open.session, &DocumentSession::labelsOpened);
    open.session.openLabelsAsSaved(saved);
    // No event is processed in between: the read's result cannot have arrived yet.
    paint(open.document, 11, 2);
    const std::size_t edit = open.document.labels().count(2);
    medsa::annotations::LabelSet renamed = open.document.labelSet();
    renamed.insert({1, QStringLiteral("mine"), Qt::green, true, false});
    open.document.setLabelSet(renamed);
    // A save asked for now waits for the saved labels: it must not write a version without them.
    const QString next = dir.filePath(QStringLiteral("v2.nii.gz"));
    std::optional<medsa::Status> nextSaved;
    open.session.save(next, [&](const medsa::Status& status) { nextSaved = status; });
    QVERIFY(opened.wait(20000));
    QCOMPARE(open.document.labels().count(2), edit);    // the edit, on top
    QCOMPARE(open.document.labels().count(1), square);  // slice 10's saved square, underneath
    QCOMPARE(open.document.labelSet().find(1)->name, QStringLiteral("mine"));  // the user's name
    QVERIFY(QTest::qWaitFor([&] { return nextSaved.has_value(); }, 20000));
    QVERIFY(*nextSaved);
    auto version2 = medsa::annotations::loadLabelMap(next, *makeSphereVolume());
    QVERIFY(version2);
    QCOMPARE(version2->map.count(1), square);
    QCOMPARE(version2->map.count(2), edit);
    paint(open.document, 12, 2);  // unsaved again
    QVERIFY(open.session.isModified());
    QVERIFY(autosaveAndWait(open.session));
    QVERIFY(QFileInfo::exists(open.session.autosaveFile()));
    open.document.history()->stack()->undo();  // the last paint
    open.document.history()->stack()->undo();  // the saved labels
    QCOMPARE(open.document.labels().count(1), std::size_t(0));
    QCOMPARE(open.document.labels().count(2), edit);

    // Without edits the saved labels are simply the saved state.
    open.session.open(makeSphereVolume(), QString(), QStringLiteral("case-1"));
    open.session.openLabelsAsSaved(saved);
    QVERIFY(opened.wait(20000));
    QCOMPARE(open.document.labels().count(1), 2 * square);
    QVERIFY(!open.session.isModified());
  }

  // A save that ends after another image was opened wrote the first image's labels: it does
  // not make that file the new image's labels file, nor mark the new image's labels saved; a
  // save queued behind it for the first image does not start with the new image's labels.
  void savesEndingAfterAnotherImageOpenedLeaveItAlone() {
    QTemporaryDir dir;
    Open open(dir.filePath(QStringLiteral("autosave")));
    paint(open.document, 10);
    const QString first = dir.filePath(QStringLiteral("first.nii.gz"));
    const QString queued = dir.filePath(QStringLiteral("queued.nii.gz"));
    QSignalSpy saved(&open.session, &DocumentSession::saved);
    std::optional<medsa::Status> queuedOutcome;
    open.session.save(first);
    open.session.save(queued, [&](const medsa::Status& s) { queuedOutcome = s; });
    open.session.open(makeSphereVolume(), QString(), QStringLiteral("another"));
    paint(open.document, 5, 3);
    QVERIFY(saved.wait(20000));
    QVERIFY(QTest::qWaitFor([&] { return queuedOutcome.has_value(); }, 20000));
    QVERIFY(!*queuedOutcome);
    QCOMPARE(queuedOutcome->error().code, medsa::ErrorCode::Cancelled);
    QVERIFY(!QFileInfo::exists(queued));
    QVERIFY(open.session.labelsPath().isEmpty());
    QVERIFY(open.session.isModified());
    auto onDisk = medsa::annotations::loadLabelMap(first, *makeSphereVolume());
    QVERIFY(onDisk);
    QVERIFY(onDisk->map.count(1) > 0);
    QCOMPARE(onDisk->map.count(3), std::size_t(0));
  }

  // Labels opened from a detached header (.mhd) are never saved back to it (labels are kept in
  // one file): the next save asks for a file instead of failing every time.
  void labelsFromADetachedHeaderAreSavedElsewhere() {
    QTemporaryDir dir;
    Open open(dir.filePath(QStringLiteral("autosave")));
    paint(open.document, 10);
    const QString header = dir.filePath(QStringLiteral("labels.mhd"));
    QVERIFY(medsa::io::writeImage(open.document.labels().image(), header.toStdString()));
    QVERIFY(!medsa::annotations::saveLabelMap(open.document.labels(), open.document.labelSet(),
                                              header));
    QSignalSpy opened(&open.session, &DocumentSession::labelsOpened);
    open.session.openLabels(header);
    QVERIFY(opened.wait(20000));
    QVERIFY(open.document.labels().count(1) > 0);
    QVERIFY(open.session.labelsPath().isEmpty());
  }

  void labelsOnAnotherGridAreRefused() {
    QTemporaryDir dir;
    Open open(dir.filePath(QStringLiteral("autosave")));
    auto small = medsa::annotations::LabelMap::createFor(
        medsa::Image::create({8, 8, 2, 1}, 1, medsa::PixelType::U8).value());
    const QString path = dir.filePath(QStringLiteral("small.nii.gz"));
    QVERIFY(medsa::annotations::saveLabelMap(small.value(), {}, path));
    paint(open.document, 10);
    QSignalSpy failed(&open.session, &DocumentSession::labelsOpenFailed);
    open.session.openLabels(path);
    QVERIFY(failed.wait(20000));
    QVERIFY(QString::fromStdString(failed.first().first().value<medsa::Error>().describe())
                .contains(QStringLiteral("small.nii.gz")));
    QVERIFY(open.document.labels().count(1) > 0);
    QVERIFY(open.session.isModified());
  }
};

QTEST_GUILESS_MAIN(TestDocumentSession)
#include "test_document_session.moc"
