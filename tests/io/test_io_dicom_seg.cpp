// DICOM SEG writing and reading (medsa_io, DCMTK dcmseg). Series are written with medsa_io's own
// DICOM series writer, label volumes are synthetic; each SEG is read back by our reader, by our
// general DICOM reader (GDCM: an unpacking of the bits that shares no code with the SEG reader)
// and judged by dciodvfy. Frame sizes that do not fill whole bytes are the DCMTK 3.6.7 pitfall.
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include "../export/dciodvfy.h"
#include "io_test_support.h"
#include "medsa/io/dicom.h"
#include "medsa/io/dicom_seg.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/io/image_reader.h"

using namespace medsa;

namespace {

struct Series {
  Image image;  ///< as readImage reads it
  std::string folder;
  std::string uid;
};

/// A CT-like series of width x height x depth written to `folder`, read back.
Series writeSeries(const QString& folder, std::size_t width, std::size_t height, std::size_t depth,
                   const std::array<double, 9>& direction) {
  Image volume = Image::create({width, height, depth, 1}, 1, PixelType::I16).value();
  for (std::size_t i = 0; i < volume.voxelCount(); ++i) {
    volume.data<std::int16_t>()[i] = static_cast<std::int16_t>(i % 200);
  }
  volume.geometry.spacing = {0.7, 0.8, 2.5};
  volume.geometry.origin = {-10.5, 20.25, 100};
  volume.geometry.direction = direction;
  if (!io::writeDicomSeries(volume, folder.toStdString()).ok()) qFatal("series not written");
  Result<Image> read = io::readImage(folder.toStdString());
  if (!read) qFatal("%s", read.error().describe().c_str());
  Series series{std::move(read).value(), folder.toStdString(), {}};
  series.uid = series.image.metadata.seriesInstanceUid;
  return series;
}

/// Labels 1 (a box on the first slices), 5 (a diagonal on the last slice); nothing of 9.
Image labelsFor(const Image& image) {
  Image labels =
      Image::create({image.size(0), image.size(1), image.size(2), 1}, 1, PixelType::U16).value();
  labels.geometry = image.geometry;
  for (std::size_t z = 0; z + 1 < image.size(2); ++z) {
    for (std::size_t y = 2; y < image.size(1) - 3; ++y) {
      for (std::size_t x = 1; x < image.size(0) / 2; ++x) labels.setValue(x, y, z, 0, 0, 1);
    }
  }
  for (std::size_t i = 0; i < std::min(image.size(0), image.size(1)); ++i) {
    labels.setValue(i, i, image.size(2) - 1, 0, 0, 5);
  }
  labels.setValue(image.size(0) - 1, image.size(1) - 1, image.size(2) - 1, 0, 0, 5);
  return labels;
}

std::vector<io::DicomSegSegment> segmentsOf() {
  io::DicomSegSegment liver{1, "liver", {200, 100, 50}};
  liver.type = {"10200004", "SCT", "Liver"};
  liver.category = {"123037004", "SCT", "Anatomical Structure"};
  io::DicomSegSegment lesion{5, "lesion \xc3\xa9", {0, 255, 0}};  // "lesion é": UTF-8 label
  io::DicomSegSegment empty{9, "empty", {10, 20, 250}};
  return {liver, lesion, empty};
}

}  // namespace

class TestIoDicomSeg : public QObject {
  Q_OBJECT

 private slots:
  void roundTripsOnEveryFrameSize_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<bool>("oblique");
    // Frames that do not fill whole bytes start inside the previous frame's last byte. DCMTK
    // 3.6.7's own packing loses the bits of a frame that then spill into one byte more than the
    // frame alone needs: 21 x 15 = 315 pixels (3 bits past a byte), third frame at bit 6.
    QTest::newRow("21x15 frames DCMTK 3.6.7 mis-packs") << 21 << 15 << false;
    // 23 x 38 = 874 pixels (dcmqi's test size): 2 bits past a byte, which 3.6.7 gets right.
    QTest::newRow("23x38 frames not byte-aligned") << 23 << 38 << false;
    QTest::newRow("24x16 byte-aligned frames") << 24 << 16 << false;
    QTest::newRow("13x7 coronal oblique") << 13 << 7 << true;
  }

  void roundTripsOnEveryFrameSize() {
    QFETCH(int, width);
    QFETCH(int, height);
    QFETCH(bool, oblique);
    QTemporaryDir dir;
    const double c = std::cos(0.2), s = std::sin(0.2);
    const std::array<double, 9> direction =
        oblique ? std::array<double, 9>{c, 0, -s, s, 0, c, 0, -1, 0}  // y runs inferior
                : std::array<double, 9>{1, 0, 0, 0, 1, 0, 0, 0, 1};
    const Series series = writeSeries(dir.filePath(QStringLiteral("series")), std::size_t(width),
                                      std::size_t(height), 3, direction);
    const Image labels = labelsFor(series.image);
    const std::string path = dir.filePath(QStringLiteral("seg.dcm")).toStdString();
    const Status written = io::writeDicomSeg(labels, series.folder, series.uid, segmentsOf(), path);
    QVERIFY2(written.ok(), written.ok() ? "" : written.error().describe().c_str());

    // 1. Our SEG reader: same voxels (segment numbers 1, 2 stand for labels 1, 5), same metadata.
    Result<io::DicomSegObject> back = io::readDicomSeg(path, series.image);
    QVERIFY2(back.ok(), test::describe(back));
    QCOMPARE(back->segments.size(), std::size_t(3));
    const std::uint16_t valueOf[] = {0, 1, 5, 9};
    for (std::size_t i = 0; i < labels.voxelCount(); ++i) {
      QCOMPARE(valueOf[back->labels.data<std::uint16_t>()[i]], labels.data<std::uint16_t>()[i]);
    }
    QCOMPARE(back->segments[0].label, std::string("liver"));
    QCOMPARE(back->segments[0].type, (io::DicomCode{"10200004", "SCT", "Liver"}));
    QCOMPARE(back->segments[0].category.meaning, std::string("Anatomical Structure"));
    QCOMPARE(back->segments[1].label, std::string("lesion \xc3\xa9"));
    QCOMPARE(back->segments[2].type, io::genericTissueCode());
    for (std::size_t k = 0; k < 3; ++k) {  // sRGB -> CIELab -> sRGB within rounding
      for (std::size_t ch = 0; ch < 3; ++ch) {
        QVERIFY(std::abs(back->segments[k].rgb[ch] - segmentsOf()[k].rgb[ch]) <= 1);
      }
    }
    QCOMPARE(back->referencedSeriesUid, series.uid);
    QVERIFY(!back->frameOfReferenceUid.empty());
    QVERIFY(back->seriesInstanceUid != series.uid);

    // 2. The references name source instances, each once, and only those that frames use: the
    // liver's two slices and the lesion's last one (the empty segment's frame reuses slice 0).
    Result<io::DicomScan> scan = io::scanDicomFolder(series.folder);
    QVERIFY(scan.ok());
    std::set<std::string> referenced(back->referencedInstances.begin(),
                                     back->referencedInstances.end());
    QCOMPARE(referenced.size(), back->referencedInstances.size());
    QCOMPARE(referenced.size(), std::size_t(3));

    // 3. GDCM's general reader unpacks the same bits (code shared with nothing above). It sorts
    // frames by position and drops repeats, so this SEG leaves out the empty segment: frames are
    // liver z0, liver z1, lesion z2, one per position. Bits must run on across frames.
    const std::string twoPath = dir.filePath(QStringLiteral("two.dcm")).toStdString();
    auto two = segmentsOf();
    two.pop_back();
    QVERIFY(io::writeDicomSeg(labels, series.folder, series.uid, two, twoPath).ok());
    Result<Image> raw = io::readDicomFile(twoPath);
    QVERIFY2(raw.ok(), test::describe(raw));
    QCOMPARE(raw->size(2), std::size_t(3));
    const std::uint16_t expected[] = {1, 1, 5};
    for (std::size_t z = 0; z < 3; ++z) {
      for (std::size_t y = 0; y < labels.size(1); ++y) {
        for (std::size_t x = 0; x < labels.size(0); ++x) {
          QCOMPARE(raw->value(x, y, z) != 0, labels.value(x, y, z) == expected[z]);
        }
      }
    }

    test::DciodvfyReport report;
    MEDSA_DCIODVFY(QString::fromStdString(path), report);
    QVERIFY2(report.errors.isEmpty(), qPrintable(report.output));
    qInfo("dciodvfy:\n%s", qPrintable(report.output));
  }

  // A project case of one DICOM file: its SEG references that file alone, even where the folder
  // around it holds the rest of its series and a damaged file with the same UID (which broke
  // the export when the whole series was looked up).
  void aFileAloneIsItsOwnSource() {
    QTemporaryDir dir;
    const Series series =
        writeSeries(dir.filePath(QStringLiteral("series")), 8, 8, 3, {1, 0, 0, 0, 1, 0, 0, 0, 1});
    QStringList files =
        QDir(QString::fromStdString(series.folder)).entryList(QDir::Files, QDir::Name);
    QCOMPARE(files.size(), 3);
    const QString file = QDir(QString::fromStdString(series.folder)).filePath(files[1]);
    QFile whole(QDir(QString::fromStdString(series.folder)).filePath(files[0]));
    QVERIFY(whole.open(QIODevice::ReadOnly));
    const QByteArray bytes = whole.readAll();
    QFile damaged(QDir(QString::fromStdString(series.folder)).filePath(QStringLiteral("zz.dcm")));
    QVERIFY(damaged.open(QIODevice::WriteOnly));
    damaged.write(bytes.left(bytes.size() - 40));  // the pixels cut short
    damaged.close();

    Result<Image> picture = io::readImage(file.toStdString());
    QVERIFY2(picture.ok(), test::describe(picture));
    QCOMPARE(picture->size(2), std::size_t(1));
    const Image labels = labelsFor(picture.value());
    const std::string path = dir.filePath(QStringLiteral("seg.dcm")).toStdString();
    const Status written =
        io::writeDicomSeg(labels, file.toStdString(), series.uid, segmentsOf(), path);
    QVERIFY2(written.ok(), written.ok() ? "" : written.error().describe().c_str());
    Result<io::DicomSegObject> back = io::readDicomSeg(path, picture.value());
    QVERIFY2(back.ok(), test::describe(back));
    QCOMPARE(back->referencedInstances.size(), std::size_t(1));
    QCOMPARE(back->referencedSeriesUid, series.uid);
    const std::uint16_t valueOf[] = {0, 1, 5, 9};
    for (std::size_t i = 0; i < labels.voxelCount(); ++i)
      QCOMPARE(valueOf[back->labels.data<std::uint16_t>()[i]], labels.data<std::uint16_t>()[i]);

    // A file of another size than the labels is refused, naming it.
    Image wide = Image::create({9, 8, 1, 1}, 1, PixelType::U16).value();
    wide.geometry = labels.geometry;
    const Status wrongSize =
        io::writeDicomSeg(wide, file.toStdString(), series.uid, segmentsOf(), path + "2");
    QVERIFY(!wrongSize.ok());
    QCOMPARE(QString::fromStdString(wrongSize.error().path), file);
  }

  void refusesWhatItCannotWrite() {
    QTemporaryDir dir;
    const Series series =
        writeSeries(dir.filePath(QStringLiteral("series")), 8, 8, 2, {1, 0, 0, 0, 1, 0, 0, 0, 1});
    const Image labels = labelsFor(series.image);
    const std::string path = dir.filePath(QStringLiteral("seg.dcm")).toStdString();

    const Status unknownSeries =
        io::writeDicomSeg(labels, series.folder, "1.2.3.4", segmentsOf(), path);
    QVERIFY(!unknownSeries.ok());
    QCOMPARE(unknownSeries.error().path, series.folder);
    QVERIFY(unknownSeries.error().message.find("SeriesInstanceUID 1.2.3.4") != std::string::npos);

    Image shifted = labels;
    shifted.geometry.origin[2] += 100;  // every labelled slice off the series
    const Status offGrid =
        io::writeDicomSeg(shifted, series.folder, series.uid, segmentsOf(), path);
    QVERIFY(!offGrid.ok());
    QVERIFY2(offGrid.error().message.find("no file of the source series lies on it") !=
                 std::string::npos,
             offGrid.error().message.c_str());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(path)));

    const Status noSegments = io::writeDicomSeg(labels, series.folder, series.uid, {}, path);
    QVERIFY(!noSegments.ok());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(path)));
  }

  void readerRefusesOtherObjectsAndGrids() {
    QTemporaryDir dir;
    const Series series =
        writeSeries(dir.filePath(QStringLiteral("series")), 8, 8, 2, {1, 0, 0, 0, 1, 0, 0, 0, 1});
    const std::string path = dir.filePath(QStringLiteral("seg.dcm")).toStdString();
    QVERIFY(
        io::writeDicomSeg(labelsFor(series.image), series.folder, series.uid, segmentsOf(), path)
            .ok());

    Result<io::DicomSegObject> notSeg =
        io::readDicomSeg(test::ioData("CT_small.dcm"), series.image);
    QVERIFY(!notSeg.ok());
    QVERIFY(notSeg.error().message.find("not a Segmentation") != std::string::npos);

    Image other = series.image;
    other.geometry.origin[2] += 1.25;  // half a slice: frames fall between slices
    Result<io::DicomSegObject> between = io::readDicomSeg(path, other);
    QVERIFY(!between.ok());
    QCOMPARE(between.error().path, path);
    QVERIFY(between.error().message.find("does not lie on a slice") != std::string::npos);

    Image small = Image::create({4, 8, 2, 1}, 1, PixelType::I16).value();
    small.geometry = series.image.geometry;
    QVERIFY(!io::readDicomSeg(path, small).ok());
    QVERIFY(!io::readDicomSeg(path + ".missing", series.image).ok());
  }
};

QTEST_APPLESS_MAIN(TestIoDicomSeg)
#include "test_io_dicom_seg.moc"
