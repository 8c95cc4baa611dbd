#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

#include "../ui/fake_engine.h"
#include "../ui/volume_fixture.h"
#include "medsa/annotations/autosave_folder.h"
#include "medsa/annotations/autosave_store.h"
#include "medsa/annotations/label_edit.h"
#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_map_io.h"
#include "medsa/annotations/label_set.h"
#include "medsa/annotations/mask_ops.h"
#include "medsa/annotations/propagation.h"
#include "medsa/core/window_level.h"

namespace {

// An oblique-free but flipped and permuted grid, so slices really differ from storage order.
medsa::Image flippedVolume() {
  medsa::Image image = medsa::Image::create({5, 4, 3, 1}, 1, medsa::PixelType::U8).value();
  image.geometry.direction = {-1, 0, 0, 0, 0, 1, 0, 1, 0};  // x -> R, y -> S, z -> P
  return image;
}

}  // namespace

using namespace medsa;
using namespace medsa::annotations;
using medsa::SliceAxis;

class TestAnnotations : public QObject {
  Q_OBJECT

 private slots:
  void addUsesSmallestFreeValueAndDistinctColours() {
    LabelSet set;
    QCOMPARE(set.add(QStringLiteral("liver")), quint16(1));
    QCOMPARE(set.add(QStringLiteral("spleen")), quint16(2));
    QCOMPARE(set.add(QStringLiteral("kidney")), quint16(3));
    QVERIFY(set.remove(2));
    QCOMPARE(set.add(QStringLiteral("pancreas")), quint16(2));  // fills the gap
    QCOMPARE(set.find(2)->name, QStringLiteral("pancreas"));
    QVERIFY(set.find(1)->colour != set.find(2)->colour);
    QVERIFY(set.find(2)->colour != set.find(3)->colour);
  }

  void paletteStaysDistinctBeyondItsFirstColours() {
    QSet<QRgb> colours;
    for (quint16 value = 1; value <= 40; ++value) colours.insert(defaultLabelColour(value).rgb());
    QVERIFY2(colours.size() >= 38, qPrintable(QString::number(colours.size())));
  }

  void backgroundIsNeverALabel() {
    LabelSet set;
    QVERIFY(!set.insert(Label{0, QStringLiteral("background"), Qt::black}));
    QVERIFY(set.isEmpty());
  }

  // Sets are copied for undo steps and autosaves; an edit through a copy's find() must not
  // reach the set it was copied from (they share their list until one of them writes).
  void editingACopyLeavesTheOriginal() {
    LabelSet original;
    original.add(QStringLiteral("liver"));
    const LabelSet snapshot = original;
    LabelSet copy = original;
    copy.find(1)->name = QStringLiteral("spleen");
    copy.find(1)->colour = Qt::green;
    QCOMPARE(original.find(1)->name, QStringLiteral("liver"));
    QCOMPARE(snapshot.find(1)->name, QStringLiteral("liver"));
    QVERIFY(original == snapshot);
    QCOMPARE(copy.find(1)->name, QStringLiteral("spleen"));
  }

  void lockIsReported() {
    LabelSet set;
    set.insert(Label{5, QStringLiteral("tumour"), Qt::red, true, true});
    QVERIFY(set.isLocked(5));
    QVERIFY(!set.isLocked(4));  // absent labels are not locked
  }

  void jsonRoundTrip() {
    LabelSet set;
    set.add(QStringLiteral("optic disc"));
    set.insert(Label{7, QStringLiteral("cup \u00e9"), QColor(10, 20, 30, 128), false, true});
    const Result<LabelSet> back = LabelSet::fromJson(set.toJson());
    QVERIFY(back.ok());
    QCOMPARE(back.value(), set);
  }

  // Plain escaped strings: Qt 6.4's moc mis-parses raw string literals and drops the class.
  void malformedJsonIsAnError_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("no labels") << QByteArray("{}");
    QTest::newRow("labels not array") << QByteArray("{\"labels\": 3}");
    QTest::newRow("entry not object") << QByteArray("{\"labels\": [1]}");
    QTest::newRow("value zero") << QByteArray(
        "{\"labels\": [{\"value\": 0, \"colour\": \"#ff0000\"}]}");
    QTest::newRow("value too big")
        << QByteArray("{\"labels\": [{\"value\": 70000, \"colour\": \"#ff0000\"}]}");
    QTest::newRow("value fractional")
        << QByteArray("{\"labels\": [{\"value\": 1.5, \"colour\": \"#ff0000\"}]}");
    QTest::newRow("duplicate") << QByteArray(
        "{\"labels\": [{\"value\": 1, \"colour\": \"#ff0000\"},"
        " {\"value\": 1, \"colour\": \"#00ff00\"}]}");
    QTest::newRow("bad colour") << QByteArray(
        "{\"labels\": [{\"value\": 1, \"colour\": \"reddish\"}]}");
  }

  void malformedJsonIsAnError() {
    QFETCH(QByteArray, json);
    const Result<LabelSet> result = LabelSet::fromJson(QJsonDocument::fromJson(json).object());
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::CorruptData);
    QVERIFY(result.error().message.starts_with("label set: "));
  }

  void labelSlicesRoundTripInEveryPlane() {
    LabelMap map = LabelMap::createFor(flippedVolume()).value();
    for (SliceAxis axis : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal}) {
      for (std::size_t index = 0; index < sliceCount(map.image(), axis); ++index) {
        LabelSlice slice = map.slice(axis, index).value();
        for (std::size_t i = 0; i < slice.values.size(); ++i) slice.values[i] = quint16(i + 1);
        QVERIFY(map.setSlice(axis, index, slice));
        QCOMPARE(map.slice(axis, index)->values, slice.values);
        // Same voxels as extractSlice on the volume: the overlay sits on the image.
        const medsa::Image reference = extractSlice(map.image(), axis, index).value();
        for (std::size_t i = 0; i < slice.values.size(); ++i) {
          QCOMPARE(reference.data<std::uint16_t>()[i], slice.values[i]);
        }
      }
    }
    QVERIFY(!map.setSlice(SliceAxis::Axial, 99, LabelSlice{}));
  }

  void editsStoreOnlyTheChangeAndRespectLocks() {
    LabelMap map =
        LabelMap::createFor(makeSphereVolume()->isEmpty() ? flippedVolume() : *makeSphereVolume())
            .value();
    LabelSet set;
    set.add(QStringLiteral("a"));
    set.add(QStringLiteral("b"));
    set.find(2)->locked = true;
    EditHistory history(&map);
    LabelSlice slice = map.slice(SliceAxis::Axial, 5).value();
    Mask square(slice.values.size(), 0);
    for (int y = 10; y < 20; ++y)
      for (int x = 10; x < 20; ++x) square[std::size_t(y) * 64 + x] = 1;
    // Label 2 (locked) in the top-left quarter of the square.
    Mask corner(slice.values.size(), 0);
    for (int y = 10; y < 15; ++y)
      for (int x = 10; x < 15; ++x) corner[std::size_t(y) * 64 + x] = 1;
    set.find(2)->locked = false;
    QVERIFY(history.apply(QStringLiteral("b"), {paintChange(slice, SliceAxis::Axial, 5, corner, 2,
                                                            PaintMode::Paint, set)}));
    set.find(2)->locked = true;
    slice = map.slice(SliceAxis::Axial, 5).value();
    SliceChange change = paintChange(slice, SliceAxis::Axial, 5, square, 1, PaintMode::Paint, set);
    QCOMPARE(change.pixels.size(), std::size_t(75));  // 100 minus the 25 locked ones
    QVERIFY(history.apply(QStringLiteral("a"), {change}));
    QCOMPARE(map.count(1), std::size_t(75));
    QCOMPARE(map.count(2), std::size_t(25));
    // Locked label as target: nothing; erase of everything: the locked stay.
    QVERIFY(paintChange(slice, SliceAxis::Axial, 5, square, 2, PaintMode::Paint, set).isEmpty());
    slice = map.slice(SliceAxis::Axial, 5).value();
    QVERIFY(history.apply(QStringLiteral("erase"), {paintChange(slice, SliceAxis::Axial, 5, square,
                                                                0, PaintMode::Erase, set)}));
    QCOMPARE(map.count(1), std::size_t(0));
    QCOMPARE(map.count(2), std::size_t(25));
    history.stack()->undo();
    QCOMPARE(map.count(1), std::size_t(75));
    history.stack()->undo();
    QCOMPARE(map.count(1), std::size_t(0));
    // An empty change pushes nothing.
    QVERIFY(!history.apply(QStringLiteral("nothing"), {SliceChange{}}));
  }

  void replaceMakesTheLabelExactlyTheMask() {
    LabelMap map = LabelMap::createFor(*makeSphereVolume()).value();
    LabelSet set;
    set.add(QStringLiteral("a"));
    set.add(QStringLiteral("b"));
    EditHistory history(&map);
    auto rect = [&](int x0, int x1) {
      Mask mask(64 * 64, 0);
      for (int y = 10; y < 20; ++y)
        for (int x = x0; x < x1; ++x) mask[std::size_t(y) * 64 + x] = 1;
      return mask;
    };
    auto paint = [&](const Mask& mask, std::uint16_t value, PaintMode mode) {
      const LabelSlice slice = map.slice(SliceAxis::Axial, 5).value();
      history.apply(QStringLiteral("edit"),
                    {paintChange(slice, SliceAxis::Axial, 5, mask, value, mode, set)});
    };
    paint(rect(10, 30), 1, PaintMode::Paint);  // the old result: 200 pixels of label 1
    paint(rect(40, 45), 2, PaintMode::Paint);  // another label, 50 pixels, locked below
    set.find(2)->locked = true;
    paint(rect(25, 42), 1, PaintMode::Replace);
    // Label 1 is now the new rectangle minus the locked label-2 pixels (x 40, 41).
    QCOMPARE(map.count(1), std::size_t(10 * 15));
    QCOMPARE(map.count(2), std::size_t(50));
    QCOMPARE(map.at(12, 12, 5), std::uint16_t(0));  // old pixel outside the new mask: cleared
    QCOMPARE(map.at(26, 12, 5), std::uint16_t(1));
    // Another slice is untouched by a replace on slice 5; one undo restores the old result.
    history.stack()->undo();
    QCOMPARE(map.count(1), std::size_t(200));
    // A locked target changes nothing.
    set.find(1)->locked = true;
    const LabelSlice slice = map.slice(SliceAxis::Axial, 5).value();
    QVERIFY(
        paintChange(slice, SliceAxis::Axial, 5, rect(0, 5), 1, PaintMode::Replace, set).isEmpty());
  }

  void rerunRedoesOnlyBeyondTheCorrection() {
    const PropagationExtent earlier{16, 8, 24};
    auto ways = [&](std::size_t start) {
      const PropagationDirections d = rerunDirections(start, earlier);
      return std::make_pair(d.forward, d.backward);
    };
    QCOMPARE(ways(20), std::make_pair(true, false));  // corrected above the seed: go up only
    QCOMPARE(ways(24), std::make_pair(true, false));
    QCOMPARE(ways(10), std::make_pair(false, true));
    QCOMPARE(ways(8), std::make_pair(false, true));
    QCOMPARE(ways(16), std::make_pair(true, true));  // the seed again: a fresh run
    QCOMPARE(ways(30), std::make_pair(true, true));  // outside the run: another object
    QCOMPARE(ways(2), std::make_pair(true, true));
  }

  void historyStaysWithinItsMemoryBudget() {
    LabelMap map = LabelMap::createFor(*makeSphereVolume()).value();
    LabelSet set;
    set.add(QStringLiteral("a"));
    EditHistory history(&map);
    const std::size_t perSlice = 64 * 64 * 8;  // a full-slice change, 8 bytes per pixel
    history.setBudgetBytes(perSlice * 5 + 100);
    Mask all(64 * 64, 1);
    for (std::size_t z = 0; z < 12; ++z) {
      LabelSlice slice = map.slice(SliceAxis::Axial, z).value();
      QVERIFY(
          history.apply(QStringLiteral("fill %1").arg(z),
                        {paintChange(slice, SliceAxis::Axial, z, all, 1, PaintMode::Paint, set)}));
      QVERIFY(history.usedBytes() <= history.budgetBytes());
    }
    QCOMPARE(history.usedBytes(), perSlice * 5);
    QCOMPARE(history.stack()->count(), 12);
    // Undo everything: the last five steps come back off, the dropped seven change nothing.
    while (history.stack()->canUndo()) history.stack()->undo();
    QCOMPARE(map.count(1), std::size_t(64 * 64 * 7));
    QVERIFY(history.stack()->text(0).contains(QStringLiteral("memory limit")));
    while (history.stack()->canRedo()) history.stack()->redo();
    QCOMPARE(map.count(1), std::size_t(64 * 64 * 12));
  }

  void holesIslandsAndStrokes() {
    Mask ring(20 * 20, 0);
    for (int y = 0; y < 20; ++y)
      for (int x = 0; x < 20; ++x) {
        const double d = std::hypot(x - 10.0, y - 10.0);
        ring[std::size_t(y) * 20 + x] = (d >= 5 && d <= 7) ? 1 : 0;
      }
    const Mask holes = holesOf(ring, 20, 20);
    QVERIFY(area(holes) > 60 && area(holes) < 90);
    QCOMPARE(holes[10 * 20 + 10], std::uint8_t(1));
    QCOMPARE(holes[0], std::uint8_t(0));
    Mask spots(20 * 20, 0);
    spots[0] = spots[1] = 1;                                       // 2-pixel island
    for (int i = 0; i < 30; ++i) spots[std::size_t(200 + i)] = 1;  // 30-pixel run
    const Mask islands = smallIslandsOf(spots, 20, 20, 10);
    QCOMPARE(area(islands), std::size_t(2));
    Mask stroke(50 * 50, 0);
    paintSegment(stroke, 50, 50, 5, 25, 45, 25, 3);
    // No gaps along the line.
    for (int x = 5; x < 45; ++x) QVERIFY(stroke[25 * 50 + x]);
    QCOMPARE(maskIou(stroke, stroke), 1.0);
  }

  void propagationStopsWhereTheObjectEnds() {
    auto volume = makeSphereVolume();
    FakeEngine engine;
    PropagationRequest request;
    request.image = volume;
    request.imageId = "sphere";
    request.axis = SliceAxis::Axial;
    request.startSlice = 16;
    request.window = medsa::WindowLevel{127.5, 256, false};
    request.startMask.assign(64 * 64, 0);
    for (int y = 0; y < 64; ++y)
      for (int x = 0; x < 64; ++x)
        request.startMask[std::size_t(y) * 64 + x] = std::hypot(x + 0.5 - 32, y + 0.5 - 32) < 10;
    auto result = propagate(engine, request);
    QVERIFY(result);
    QSet<std::size_t> slices;
    for (const PropagatedSlice& s : result->slices) slices.insert(s.index);
    QVERIFY(slices.contains(15) && slices.contains(17) && slices.contains(10) &&
            slices.contains(22));
    QVERIFY(!slices.contains(16) && !slices.contains(0) && !slices.contains(31));
    QCOMPARE(result->stopForward.kind, medsa::annotations::PropagationStop::Vanished);
    // The box of the previous slice and its low-res logits went into each prompt.
    QVERIFY(engine.lastPrompt.box.has_value());
    QVERIFY(engine.lastPrompt.previous.has_value());
    // Cancelled: an error, not a partial result.
    medsa::CancellationToken cancel;
    cancel.cancel();
    auto cancelled = propagate(engine, request, nullptr, cancel);
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().code, medsa::ErrorCode::Cancelled);
  }

  void autosaveRoundTripAndDamage() {
    QTemporaryDir dir;
    const AutosaveStore store =
        AutosaveStore::forFile(dir.filePath(QStringLiteral("a.medsa-autosave")));
    QVERIFY(!store.exists());
    AutosaveSnapshot snapshot;
    snapshot.imagePath = QStringLiteral("/data/ct.nii.gz");
    snapshot.labels.add(QStringLiteral("liver"));
    snapshot.labelImage = medsa::Image::create({7, 5, 3, 1}, 1, medsa::PixelType::U16).value();
    snapshot.labelImage.geometry.spacing = {0.5, 0.5, 2};
    snapshot.labelImage.data<std::uint16_t>()[17] = 1;
    snapshot.savedAt = QDateTime::currentDateTimeUtc();
    QVERIFY(store.write(snapshot));
    auto read = store.read();
    QVERIFY(read);
    QCOMPARE(read->imagePath, snapshot.imagePath);
    QCOMPARE(read->labels, snapshot.labels);
    QCOMPARE(read->labelImage.geometry, snapshot.labelImage.geometry);
    QCOMPARE(read->labelImage.data<std::uint16_t>()[17], std::uint16_t(1));
    // The header alone lists it without reading the labels.
    auto header = store.readHeader();
    QVERIFY(header);
    QCOMPARE(header->imagePath, snapshot.imagePath);
    QCOMPARE(header->labels, snapshot.labels);
    QVERIFY(header->labelImage.isEmpty());
    // A cut-short file is refused with the path and the reason.
    QFile file(store.filePath());
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.resize(file.size() - 3));
    file.close();
    auto damaged = store.read();
    QVERIFY(!damaged);
    QCOMPARE(QString::fromStdString(damaged.error().path), store.filePath());
    QVERIFY(QString::fromStdString(damaged.error().message).contains(QStringLiteral("checksum")));
  }

  void autosaveSurvivesAKilledProcess() {
    QTemporaryDir dir;
    QProcess child;
    child.start(QStringLiteral(MEDSA_AUTOSAVE_CHILD), {dir.path()});
    QVERIFY(child.waitForStarted());
    // Let it write a few times, then kill it (SIGKILL) whenever it happens to be.
    QByteArray out;
    while (out.count('\n') < 4 && child.waitForReadyRead(10000))
      out += child.readAllStandardOutput();
    QTest::qWait(37);
    child.kill();
    QVERIFY(child.waitForFinished());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    // The killed child's lock is stale: its file is an orphan, claimed here exactly once.
    std::vector<medsa::annotations::OrphanedAutosave> orphans =
        medsa::annotations::AutosaveFolder(dir.path()).claimOrphans();
    QCOMPARE(orphans.size(), std::size_t(1));
    QVERIFY(medsa::annotations::AutosaveFolder(dir.path()).claimOrphans().empty());
    auto recovered = orphans.front().claim->store().read();
    QVERIFY2(recovered, recovered ? "" : recovered.error().describe().c_str());
    QCOMPARE(recovered->imageId, QStringLiteral("child"));
    const std::uint16_t n = recovered->labelImage.data<std::uint16_t>()[0];
    QVERIFY(n >= 4);  // at least the writes it announced
    // All of one write, none of another.
    const auto* data = recovered->labelImage.data<std::uint16_t>();
    for (std::size_t i = 0; i < recovered->labelImage.voxelCount(); i += 7) QCOMPARE(data[i], n);
  }

  void autosaveFolderKeepsInstancesApart() {
    QTemporaryDir dir;
    const medsa::annotations::AutosaveFolder folder(dir.path());
    AutosaveSnapshot snapshot;
    snapshot.labels.add(QStringLiteral("liver"));
    snapshot.labelImage = medsa::Image::create({4, 4, 1, 1}, 1, medsa::PixelType::U16).value();
    // Two live instances: two files, and neither is an orphan while its owner holds the lock.
    auto first = folder.claimNew();
    auto second = folder.claimNew();
    QVERIFY(first && second);
    QVERIFY(first.value()->filePath() != second.value()->filePath());
    snapshot.imageId = QStringLiteral("first");
    QVERIFY(first.value()->store().write(snapshot));
    snapshot.imageId = QStringLiteral("second");
    QVERIFY(second.value()->store().write(snapshot));
    QVERIFY(folder.claimOrphans().empty());
    // The first instance goes away without a clean exit: its file stays, as an orphan.
    const QString firstFile = first.value()->filePath();
    first.value().reset();
    std::vector<medsa::annotations::OrphanedAutosave> orphans = folder.claimOrphans();
    QCOMPARE(orphans.size(), std::size_t(1));
    QCOMPARE(orphans.front().claim->filePath(), firstFile);
    QCOMPARE(orphans.front().claim->store().readHeader()->imageId, QStringLiteral("first"));
    // While claimed for recovery, nobody else gets it.
    QVERIFY(folder.claimOrphans().empty());
    // Recovered and done with: it goes; the live instance's file is untouched.
    orphans.front().claim->removeFile();
    orphans.clear();
    QVERIFY(!QFileInfo::exists(firstFile));
    QVERIFY(second.value()->store().exists());
    QVERIFY(folder.claimOrphans().empty());
    // An autosave of an older version (no lock beside it) is an orphan too.
    snapshot.imageId = QStringLiteral("legacy");
    QVERIFY(AutosaveStore::forFile(dir.filePath(QStringLiteral("session.medsa-autosave")))
                .write(snapshot));
    orphans = folder.claimOrphans();
    QCOMPARE(orphans.size(), std::size_t(1));
    QCOMPARE(orphans.front().claim->store().readHeader()->imageId, QStringLiteral("legacy"));
  }

  void labelMapFilesRoundTrip() {
    QTemporaryDir dir;
    auto volume = makeSphereVolume();
    volume->geometry.spacing = {0.8, 0.8, 2.0};
    volume->geometry.origin = {-10, 20, 5};
    LabelMap map = LabelMap::createFor(*volume).value();
    LabelSlice slice = map.slice(SliceAxis::Coronal, 30).value();
    for (std::size_t i = 0; i < slice.values.size(); i += 3) slice.values[i] = 2;
    QVERIFY(map.setSlice(SliceAxis::Coronal, 30, slice));
    LabelSet set;
    set.add(QStringLiteral("liver"));
    set.add(QStringLiteral("tumour"));
    for (const char* name : {"seg.nii.gz", "seg.nrrd"}) {
      const QString path = dir.filePath(QString::fromLatin1(name));
      QVERIFY(saveLabelMap(map, set, path));
      auto loaded = loadLabelMap(path, *volume);
      QVERIFY2(loaded, loaded ? "" : loaded.error().describe().c_str());
      QCOMPARE(loaded->labels, set);
      QCOMPARE(loaded->map.slice(SliceAxis::Coronal, 30)->values, slice.values);
    }
    // A map on another grid is refused, naming the file.
    auto other = makeSphereVolume();
    other->geometry.origin = {50, 50, 50};
    other->geometry.spacing = {0.8, 0.8, 2.0};
    auto refused = loadLabelMap(dir.filePath(QStringLiteral("seg.nii.gz")), *other);
    QVERIFY(!refused);
    QVERIFY(QString::fromStdString(refused.error().message).contains(QStringLiteral("aligned")));
    // 2D: PNG.
    medsa::Image photo = medsa::Image::create({9, 6, 1, 1}, 3, medsa::PixelType::U8).value();
    LabelMap flat = LabelMap::createFor(photo).value();
    LabelSlice s = flat.slice(SliceAxis::Axial, 0).value();
    s.values[10] = 1;
    QVERIFY(flat.setSlice(SliceAxis::Axial, 0, s));
    const QString png = dir.filePath(QStringLiteral("mask.png"));
    QVERIFY(saveLabelMap(flat, set, png));
    auto pngLoaded = loadLabelMap(png, photo);
    QVERIFY(pngLoaded);
    QCOMPARE(pngLoaded->map.slice(SliceAxis::Axial, 0)->values, s.values);
    QVERIFY(!saveLabelMap(map, set, dir.filePath(QStringLiteral("volume.png"))));
    // Detached headers (header + data file) cannot be replaced atomically: refused, by name.
    for (const char* name : {"labels.mhd", "labels.NHDR"}) {
      const QString detached = dir.filePath(QString::fromLatin1(name));
      const medsa::Status refused = saveLabelMap(map, set, detached);
      QVERIFY(!refused);
      QVERIFY(QString::fromStdString(refused.error().describe()).contains(QLatin1String(name)));
      QVERIFY(!QFileInfo::exists(detached));
    }
  }
};

QTEST_APPLESS_MAIN(TestAnnotations)
#include "test_annotations.moc"
