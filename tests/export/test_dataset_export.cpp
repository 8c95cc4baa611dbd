// exportDataset(): every format read back (our readers here; nibabel, pydicom, an independent
// PNG/NRRD/RLE reader and dciodvfy in tests/scripts/check_exports.py), atomicity (a failure, a
// cancellation and a SIGKILL leave nothing at OUT; stale staging folders are cleaned up, live
// ones are not) and bad input (errors name the file and the reason).
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include "dciodvfy.h"
#include "export_fixture.h"
#include "export_staging.h"
#include "medsa/annotations/dataset_export.h"
#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_map_io.h"
#include "medsa/core/coco_rle.h"
#include "medsa/io/dicom_seg.h"

using namespace medsa;
using namespace medsa::annotations;

namespace {

QByteArray describe(const Status& status) {
  return status.ok() ? QByteArray("ok") : QByteArray::fromStdString(status.error().describe());
}

Image mustRead(const QString& path) {
  Result<Image> image = io::readImage(QFile::encodeName(path).toStdString());
  if (!image) qFatal("%s", image.error().describe().c_str());
  return std::move(image).value();
}

QJsonObject mustReadJson(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) qFatal("cannot open %s", qPrintable(path));
  return QJsonDocument::fromJson(file.readAll()).object();
}

/// Staging folders and locks left in `parent`.
QStringList leftovers(const QString& parent) {
  QStringList found;
  for (const QString& name : QDir(parent).entryList(QDir::AllEntries | QDir::Hidden | QDir::System |
                                                    QDir::NoDotAndDotDot)) {
    if (exporting::isStagingName(name)) found << name;
  }
  return found;
}

/// Whether `image` holds truth's values (through `map`, when given) voxel for voxel.
bool sameLabels(const Image& image, const Image& truth, const std::vector<int>& map = {}) {
  if (image.size(0) != truth.size(0) || image.size(1) != truth.size(1) ||
      image.size(2) != truth.size(2)) {
    return false;
  }
  for (std::size_t z = 0; z < truth.size(2); ++z) {
    for (std::size_t y = 0; y < truth.size(1); ++y) {
      for (std::size_t x = 0; x < truth.size(0); ++x) {
        const int want = int(truth.value(x, y, z));
        if (int(image.value(x, y, z)) != (map.empty() ? want : map[std::size_t(want)])) {
          return false;
        }
      }
    }
  }
  return true;
}

/// Stops the export at the n-th report.
class StopAfter : public ProgressSink {
 public:
  explicit StopAfter(int n) : left_(n) {}
  bool report(double, std::string_view) override { return --left_ > 0; }

 private:
  int left_;
};

}  // namespace

class TestDatasetExport : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir data_;
  test::ExportFixture fixture_;
  ExportImageReader reader_ = imageReaderFromIo();

  ExportRequest request(ExportFormat format, const std::vector<ExportCase>& cases,
                        const QString& out) const {
    ExportRequest r;
    r.cases = cases;
    r.labels = fixture_.labels;
    r.out = out;
    r.format = format;
    r.datasetId = 42;
    r.datasetName = QStringLiteral("Synthetic");
    return r;
  }

  std::vector<ExportCase> all(std::initializer_list<const std::vector<ExportCase>*> groups) const {
    std::vector<ExportCase> cases;
    for (const auto* group : groups) cases.insert(cases.end(), group->begin(), group->end());
    return cases;
  }

 private slots:
  void initTestCase() {
    QVERIFY(data_.isValid());
    fixture_ = test::makeExportFixture(data_.path());
  }

  void formatNamesRoundTrip() {
    for (ExportFormat f : {ExportFormat::Nifti, ExportFormat::Nrrd, ExportFormat::Png,
                           ExportFormat::Coco, ExportFormat::NnUnet, ExportFormat::DicomSeg}) {
      QCOMPARE(exportFormatFromName(exportFormatName(f)), std::optional<ExportFormat>(f));
    }
    QCOMPARE(exportFormatName(ExportFormat::DicomSeg), QStringLiteral("dicom-seg"));
    QVERIFY(!exportFormatFromName(QStringLiteral("nii")));
  }

  void labelMapsKeepValuesGridAndLabelSet_data() {
    QTest::addColumn<int>("format");
    QTest::addColumn<QString>("extension");
    QTest::newRow("nifti") << int(ExportFormat::Nifti) << QStringLiteral(".nii.gz");
    QTest::newRow("nrrd") << int(ExportFormat::Nrrd) << QStringLiteral(".nrrd");
  }

  void labelMapsKeepValuesGridAndLabelSet() {
    QFETCH(int, format);
    QFETCH(QString, extension);
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("out"));
    const auto cases = all({&fixture_.volumes, &fixture_.dicom});
    const Status status = exportDataset(request(ExportFormat(format), cases, out), reader_);
    QVERIFY2(status.ok(), describe(status));
    for (const ExportCase& item : cases) {
      const QString path = QDir(out).filePath(item.id + extension);
      const Image back = mustRead(path);
      const Image& truth = fixture_.truth.at(item.id);
      QVERIFY2(sameLabels(back, truth), qPrintable(item.id));
      for (int i = 0; i < 3; ++i) {
        QVERIFY(std::abs(back.geometry.origin[i] - truth.geometry.origin[i]) < 1e-3);
        QVERIFY(std::abs(back.geometry.spacing[i] - truth.geometry.spacing[i]) < 1e-4);
      }
      // The label set beside it: the request's, codes included.
      Result<LabelSet> set = LabelSet::fromJson(mustReadJson(labelSetPathFor(path)));
      QVERIFY(set.ok());
      QCOMPARE(set.value(), fixture_.labels);
      // And the app opens it again on its image.
      QVERIFY(loadLabelMap(path, mustRead(item.imagePath)).ok());
    }
    QCOMPARE(QDir(out).entryList(QDir::Files).size(), int(cases.size()) * 2);
    QVERIFY(leftovers(dir.path()).isEmpty());
  }

  void pngHoldsPicturesOnly() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("png"));
    const Status status =
        exportDataset(request(ExportFormat::Png, fixture_.pictures, out), reader_);
    QVERIFY2(status.ok(), describe(status));
    for (const ExportCase& item : fixture_.pictures) {
      const Image back = mustRead(QDir(out).filePath(item.id + QStringLiteral(".png")));
      QCOMPARE(back.pixelType(), PixelType::U8);
      QVERIFY(sameLabels(back, fixture_.truth.at(item.id)));
      QVERIFY(QFileInfo::exists(QDir(out).filePath(item.id + QStringLiteral(".labels.json"))));
    }

    const QString refused = dir.filePath(QStringLiteral("refused"));
    const Status volume = exportDataset(
        request(ExportFormat::Png, all({&fixture_.pictures, &fixture_.volumes}), refused), reader_);
    QVERIFY(!volume.ok());
    QVERIFY2(volume.error().message.find("case vol_a is a volume") != std::string::npos,
             describe(volume));
    QCOMPARE(volume.error().path, fixture_.volumes[0].imagePath.toStdString());
    QVERIFY(!QFileInfo::exists(refused));
    QVERIFY(leftovers(dir.path()).isEmpty());
  }

  void cocoRleDecodesToTheLabelMaps() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("coco"));
    const auto cases = all({&fixture_.pictures, &fixture_.volumes});
    const Status status = exportDataset(request(ExportFormat::Coco, cases, out), reader_);
    QVERIFY2(status.ok(), describe(status));
    const QJsonObject coco = mustReadJson(QDir(out).filePath(QStringLiteral("annotations.json")));

    QJsonArray categories = coco.value(QStringLiteral("categories")).toArray();
    QCOMPARE(categories.size(), 3);
    QCOMPARE(categories[2].toObject().value(QStringLiteral("id")).toInt(), 7);
    QCOMPARE(categories[2].toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("tumour"));
    QCOMPARE(categories[0].toObject().value(QStringLiteral("supercategory")).toString(),
             QStringLiteral("Anatomical Structure"));

    // Every image: a file under OUT, and per label exactly the pixels of its label slice.
    std::map<int, QJsonObject> images;
    for (const QJsonValue& value : coco.value(QStringLiteral("images")).toArray()) {
      const QJsonObject image = value.toObject();
      images[image.value(QStringLiteral("id")).toInt()] = image;
    }
    std::map<int, std::map<int, std::vector<std::uint8_t>>> masks;  // image -> category -> mask
    for (const QJsonValue& value : coco.value(QStringLiteral("annotations")).toArray()) {
      const QJsonObject a = value.toObject();
      QCOMPARE(a.value(QStringLiteral("iscrowd")).toInt(), 0);
      const QJsonObject segmentation = a.value(QStringLiteral("segmentation")).toObject();
      CocoRle rle;
      rle.height = std::size_t(segmentation.value(QStringLiteral("size")).toArray()[0].toInt());
      rle.width = std::size_t(segmentation.value(QStringLiteral("size")).toArray()[1].toInt());
      Result<std::vector<std::uint32_t>> counts = cocoRleCountsFromString(
          segmentation.value(QStringLiteral("counts")).toString().toStdString());
      QVERIFY(counts.ok());
      rle.counts = counts.value();
      QCOMPARE(a.value(QStringLiteral("area")).toInteger(), qint64(cocoRleArea(rle)));
      const auto box = cocoRleBox(rle);
      const QJsonArray bbox = a.value(QStringLiteral("bbox")).toArray();
      for (int i = 0; i < 4; ++i) QCOMPARE(bbox[i].toInteger(), qint64(box[std::size_t(i)]));
      Result<std::vector<std::uint8_t>> mask = decodeCocoRle(rle);
      QVERIFY(mask.ok());
      masks[a.value(QStringLiteral("image_id")).toInt()]
           [a.value(QStringLiteral("category_id")).toInt()] = mask.value();
    }
    int volumeSlices = 0;
    for (const auto& [id, image] : images) {
      const QString file = image.value(QStringLiteral("file_name")).toString();
      QVERIFY2(file.startsWith(QStringLiteral("images/")), qPrintable(file));
      const Image picture = mustRead(QDir(out).filePath(file));
      const std::size_t w = std::size_t(image.value(QStringLiteral("width")).toInt());
      const std::size_t h = std::size_t(image.value(QStringLiteral("height")).toInt());
      QCOMPARE(picture.size(0), w);
      QCOMPARE(picture.size(1), h);
      const QString caseId = image.value(QStringLiteral("medsa_case")).toString();
      const Image& truth = fixture_.truth.at(caseId);
      std::vector<std::uint16_t> expected(truth.data<std::uint16_t>(),
                                          truth.data<std::uint16_t>() + w * h);
      if (image.contains(QStringLiteral("medsa_slice"))) {
        ++volumeSlices;
        const QJsonObject slice = image.value(QStringLiteral("medsa_slice")).toObject();
        QCOMPARE(slice.value(QStringLiteral("axis")).toString(), QStringLiteral("axial"));
        const LabelMap map = LabelMap::fromImage(truth).value();
        expected =
            map.slice(SliceAxis::Axial, std::size_t(slice.value(QStringLiteral("index")).toInt()))
                .value()
                .values;
        QVERIFY(slice.value(QStringLiteral("index")).toInt() > 0);  // slice 0 has no labels
      } else {
        // Pictures are copied byte for byte.
        QFile a(QDir(out).filePath(file)), b(data_.filePath(caseId + QStringLiteral(".png")));
        QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
        QCOMPARE(a.readAll(), b.readAll());
      }
      for (int value : {1, 3, 7}) {
        std::vector<std::uint8_t> want(w * h);
        bool any = false;
        for (std::size_t i = 0; i < w * h; ++i) {
          want[i] = expected[i] == value ? 1 : 0;
          any = any || want[i];
        }
        QCOMPARE(masks[id].count(value), std::size_t(any));
        if (any) QCOMPARE(masks[id][value], want);
      }
    }
    // vol_a has 4 labelled slices of 5, vol_b 3 of 4.
    QCOMPARE(volumeSlices, 7);
  }

  void cocoWritesTurnedPicturesAsTheyWereLabelled() {
    // An EXIF orientation 6 JPEG: the reader turns it, so the labels are on the turned grid.
    QTemporaryDir dir;
    const QString jpeg = QStringLiteral(MEDSA_TEST_DATA_DIR "/io/exif/orientation6.jpg");
    const Image turned = mustRead(jpeg);
    Image labels = Image::create({turned.size(0), turned.size(1), 1, 1}, 1, PixelType::U8).value();
    labels.setValue(0, 0, 0, 0, 0, 3);
    const QString labelsPath = dir.filePath(QStringLiteral("turned_labels.png"));
    QVERIFY(io::writeImage(labels, QFile::encodeName(labelsPath).toStdString()).ok());
    const QString out = dir.filePath(QStringLiteral("coco"));
    const Status status = exportDataset(
        request(ExportFormat::Coco, {{QStringLiteral("turned"), jpeg, {}, labelsPath}}, out),
        reader_);
    QVERIFY2(status.ok(), describe(status));
    const QJsonObject image = mustReadJson(QDir(out).filePath(QStringLiteral("annotations.json")))
                                  .value(QStringLiteral("images"))
                                  .toArray()[0]
                                  .toObject();
    QCOMPARE(image.value(QStringLiteral("file_name")).toString(),
             QStringLiteral("images/turned.png"));
    const Image written = mustRead(QDir(out).filePath(QStringLiteral("images/turned.png")));
    QCOMPARE(written.size(), turned.size());
    QCOMPARE(
        QByteArray(reinterpret_cast<const char*>(written.bytes()), qsizetype(written.byteCount())),
        QByteArray(reinterpret_cast<const char*>(turned.bytes()), qsizetype(turned.byteCount())));
  }

  void nnUnetVolumes() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("raw"));
    const auto cases = all({&fixture_.volumes, &fixture_.dicom});
    const Status status = exportDataset(request(ExportFormat::NnUnet, cases, out), reader_);
    QVERIFY2(status.ok(), describe(status));
    const QDir root(QDir(out).filePath(QStringLiteral("Dataset042_Synthetic")));
    const QJsonObject json = mustReadJson(root.filePath(QStringLiteral("dataset.json")));
    QCOMPARE(json.value(QStringLiteral("numTraining")).toInt(), 3);
    QCOMPARE(json.value(QStringLiteral("file_ending")).toString(), QStringLiteral(".nii.gz"));
    // NIfTI volumes carry no modality and the DICOM one is CT: mixed, so z-score.
    QCOMPARE(json.value(QStringLiteral("channel_names")).toObject(),
             (QJsonObject{{QStringLiteral("0"), QStringLiteral("zscore")}}));
    QCOMPARE(json.value(QStringLiteral("labels")).toObject(),
             (QJsonObject{{QStringLiteral("background"), 0},
                          {QStringLiteral("liver"), 1},
                          {QStringLiteral("spleen"), 2},
                          {QStringLiteral("tumour"), 3}}));
    QCOMPARE(json.value(QStringLiteral("medsa_source_label_values")).toObject(),
             (QJsonObject{{QStringLiteral("liver"), 1},
                          {QStringLiteral("spleen"), 3},
                          {QStringLiteral("tumour"), 7}}));
    std::vector<int> remap(8, -1);
    remap[0] = 0, remap[1] = 1, remap[3] = 2, remap[7] = 3;
    for (const ExportCase& item : cases) {
      const Image image = mustRead(
          root.filePath(QStringLiteral("imagesTr/") + item.id + QStringLiteral("_0000.nii.gz")));
      const Image label = mustRead(
          root.filePath(QStringLiteral("labelsTr/") + item.id + QStringLiteral(".nii.gz")));
      QCOMPARE(label.pixelType(), PixelType::U8);
      QVERIFY2(sameLabels(label, fixture_.truth.at(item.id), remap), qPrintable(item.id));
      QCOMPARE(image.size(), label.size());
      QCOMPARE(image.geometry, label.geometry);  // the same grid, bit for bit
      const Image source = mustRead(item.imagePath);
      QCOMPARE(image.pixelType(), source.pixelType());
    }
    QCOMPARE(QDir(root.filePath(QStringLiteral("imagesTr"))).entryList(QDir::Files).size(), 3);
  }

  void nnUnetPicturesAreRgbWhenAnyIs() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("raw"));
    const Status status =
        exportDataset(request(ExportFormat::NnUnet, fixture_.pictures, out), reader_);
    QVERIFY2(status.ok(), describe(status));
    const QDir root(QDir(out).filePath(QStringLiteral("Dataset042_Synthetic")));
    const QJsonObject json = mustReadJson(root.filePath(QStringLiteral("dataset.json")));
    QCOMPARE(json.value(QStringLiteral("file_ending")).toString(), QStringLiteral(".png"));
    QCOMPARE(json.value(QStringLiteral("overwrite_image_reader_writer")).toString(),
             QStringLiteral("NaturalImage2DIO"));
    QCOMPARE(json.value(QStringLiteral("channel_names")).toObject().size(), 3);
    std::vector<int> remap{0, 1, -1, 2, -1, -1, -1, 3};
    for (const ExportCase& item : fixture_.pictures) {
      const Image image = mustRead(
          root.filePath(QStringLiteral("imagesTr/") + item.id + QStringLiteral("_0000.png")));
      QCOMPARE(image.components(), 3);
      const Image source = mustRead(item.imagePath);
      for (int c = 0; c < 3; ++c) {  // grey pictures become R = G = B
        QCOMPARE(image.value(5, 4, 0, 0, c),
                 source.value(5, 4, 0, 0, source.components() == 3 ? c : 0));
      }
      const Image label =
          mustRead(root.filePath(QStringLiteral("labelsTr/") + item.id + QStringLiteral(".png")));
      QCOMPARE(label.components(), 1);
      QVERIFY(sameLabels(label, fixture_.truth.at(item.id), remap));
    }
  }

  void nnUnetRefusesMixingPicturesAndVolumes_data() {
    QTest::addColumn<bool>("picturesFirst");
    QTest::newRow("volume first") << false;
    QTest::newRow("picture first") << true;
  }

  void nnUnetRefusesMixingPicturesAndVolumes() {
    QFETCH(bool, picturesFirst);
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("raw"));
    const auto cases = picturesFirst ? all({&fixture_.pictures, &fixture_.volumes})
                                     : all({&fixture_.volumes, &fixture_.pictures});
    const Status status = exportDataset(request(ExportFormat::NnUnet, cases, out), reader_);
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.find("nnU-Net needs one kind of case per dataset") !=
                 std::string::npos,
             describe(status));
    QVERIFY(status.error().message.find(picturesFirst
                                            ? "case vol_a is a volume"
                                            : "case pic_rgb is a 2D picture") != std::string::npos);
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(leftovers(dir.path()).isEmpty());
  }

  void nnUnetRefusesWhatItCannotName() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("raw"));
    ExportRequest r = request(ExportFormat::NnUnet, fixture_.volumes, out);
    r.datasetId = 1000;
    QVERIFY(exportDataset(r, reader_).error().message.find("1..999") != std::string::npos);
    r.datasetId = 5;
    r.datasetName = QStringLiteral("my dataset");
    QVERIFY(!exportDataset(r, reader_).ok());
    r.datasetName = QStringLiteral("Ok");
    r.labels.insert(Label{9, QStringLiteral("background"), Qt::gray});
    QVERIFY(exportDataset(r, reader_).error().message.find("'background'") != std::string::npos);
    QVERIFY(!QFileInfo::exists(out));
  }

  void dicomSegReadsBackToTheLabelMap() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("seg"));
    const Status status =
        exportDataset(request(ExportFormat::DicomSeg, fixture_.dicom, out), reader_);
    QVERIFY2(status.ok(), describe(status));
    const ExportCase& item = fixture_.dicom[0];
    const QString path = QDir(out).filePath(item.id + QStringLiteral(".dcm"));
    const Image source = mustRead(item.imagePath);
    Result<io::DicomSegObject> seg =
        io::readDicomSeg(QFile::encodeName(path).toStdString(), source);
    QVERIFY2(seg.ok(), seg.ok() ? "" : seg.error().describe().c_str());
    QCOMPARE(seg->segments.size(), std::size_t(3));  // every label, in the set's order
    QCOMPARE(seg->segments[0].label, std::string("liver"));
    QCOMPARE(seg->segments[0].type, (io::DicomCode{"10200004", "SCT", "Liver"}));
    QCOMPARE(seg->segments[1].type, io::genericTissueCode());
    QCOMPARE(seg->segments[2].label, std::string("tumour"));
    QCOMPARE(seg->referencedSeriesUid, item.series.toStdString());
    QVERIFY(sameLabels(seg->labels, fixture_.truth.at(item.id), {0, 1, -1, 2, -1, -1, -1, 3}));

    test::DciodvfyReport report;
    MEDSA_DCIODVFY(path, report);
    QVERIFY2(report.errors.isEmpty(), qPrintable(report.output));
  }

  void dicomSegRefusesOtherCases() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("seg"));
    const Status status = exportDataset(
        request(ExportFormat::DicomSeg, all({&fixture_.dicom, &fixture_.volumes}), out), reader_);
    QVERIFY(!status.ok());
    QVERIFY2(
        status.error().message.find("needs DICOM cases; case vol_a is NIfTI") != std::string::npos,
        describe(status));
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(leftovers(dir.path()).isEmpty());
  }

  void badInputNamesTheFileAndLeavesNothing() {
    QTemporaryDir dir;
    // A label map on another grid: vol_b's labels for vol_a's image.
    ExportCase otherGrid = fixture_.volumes[0];
    otherGrid.labelsPath = fixture_.volumes[1].labelsPath;
    // An unreadable DICOM: a folder whose only "DICOM" file is cut short.
    const QString broken = dir.filePath(QStringLiteral("broken_dicom"));
    QVERIFY(QDir().mkpath(broken));
    QVERIFY(QFile::copy(QStringLiteral(MEDSA_TEST_DATA_DIR "/io/MR_truncated.dcm"),
                        broken + QStringLiteral("/slice.dcm")));
    // A label value the set does not name.
    Image stray = fixture_.truth.at(QStringLiteral("pic_grey"));
    stray.setValue(0, 0, 0, 0, 0, 5);
    const QString strayPath = dir.filePath(QStringLiteral("stray.nii.gz"));
    QVERIFY(io::writeImage(stray, QFile::encodeName(strayPath).toStdString()).ok());
    ExportCase strayCase = fixture_.pictures[1];
    strayCase.labelsPath = strayPath;

    struct Bad {
      ExportCase item;
      QString path;
      const char* reason;
    };
    const Bad bad[] = {{{QStringLiteral("gone"),
                         dir.filePath(QStringLiteral("missing.nii.gz")),
                         {},
                         fixture_.volumes[0].labelsPath},
                        dir.filePath(QStringLiteral("missing.nii.gz")),
                        "no such file"},
                       {otherGrid, otherGrid.labelsPath, "differs from the open image"},
                       {{QStringLiteral("broken"), broken, {}, fixture_.volumes[0].labelsPath},
                        broken,
                        "pixel data ends"},
                       {strayCase, strayPath, "label value 5 is not in the exported label set"},
                       {{QStringLiteral("nolabels"), fixture_.volumes[0].imagePath, {}, {}},
                        fixture_.volumes[0].imagePath,
                        "has no label map"}};
    for (const Bad& b : bad) {
      const QString out = dir.filePath(QStringLiteral("out_") + b.item.id);
      // The bad case comes second: the first one is already written when it fails.
      const Status status =
          exportDataset(request(ExportFormat::Nifti, {fixture_.pictures[0], b.item}, out), reader_);
      QVERIFY2(!status.ok(), qPrintable(b.item.id));
      QVERIFY2(QString::fromStdString(status.error().path).startsWith(b.path), describe(status));
      QVERIFY2(status.error().message.find(b.reason) != std::string::npos, describe(status));
      QVERIFY(!status.error().message.empty());
      qInfo("%s", status.error().describe().c_str());
      QVERIFY(!QFileInfo::exists(out));
      QVERIFY(leftovers(dir.path()).isEmpty());
    }
  }

  void requestsAreCheckedBeforeAnythingIsWritten() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("out"));
    ExportRequest r = request(ExportFormat::Nifti, fixture_.volumes, out);
    r.cases[1].id = QStringLiteral("VOL_A");  // same file name on a case-insensitive disk
    QVERIFY(exportDataset(r, reader_).error().message.find("appears twice") != std::string::npos);
    r.cases[1].id = QStringLiteral("../escape");
    QVERIFY(exportDataset(r, reader_).error().message.find("is not a file name") !=
            std::string::npos);
    r = request(ExportFormat::Coco, fixture_.volumes, out);
    r.labels.insert(Label{9, QStringLiteral("liver"), Qt::gray});
    QVERIFY(exportDataset(r, reader_).error().message.find("unique") != std::string::npos);
    r = request(ExportFormat::Nifti, {}, out);
    QVERIFY(!exportDataset(r, reader_).ok());
    QVERIFY(!QFileInfo::exists(out));
  }

  void outputMustBeNewOrEmpty() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("full"));
    QVERIFY(QDir().mkpath(out));
    QFile keep(out + QStringLiteral("/keep.txt"));
    QVERIFY(keep.open(QIODevice::WriteOnly) && keep.write("mine") == 4);
    keep.close();
    const Status full = exportDataset(request(ExportFormat::Nifti, fixture_.volumes, out), reader_);
    QVERIFY(!full.ok());
    QVERIFY(full.error().message.find("not empty") != std::string::npos);
    QCOMPARE(QDir(out).entryList(QDir::Files), QStringList{QStringLiteral("keep.txt")});

    const QString empty = dir.filePath(QStringLiteral("empty"));
    QVERIFY(QDir().mkpath(empty));
    const Status into =
        exportDataset(request(ExportFormat::Nifti, fixture_.volumes, empty), reader_);
    QVERIFY2(into.ok(), describe(into));
    QVERIFY(QFileInfo::exists(empty + QStringLiteral("/vol_a.nii.gz")));

    const QString nested = dir.filePath(QStringLiteral("a/b/out"));
    QVERIFY(exportDataset(request(ExportFormat::Nifti, fixture_.volumes, nested), reader_).ok());
    QVERIFY(QFileInfo::exists(nested + QStringLiteral("/vol_b.nii.gz")));
  }

  void cancellationLeavesNothing() {
    QTemporaryDir dir;
    const QString out = dir.filePath(QStringLiteral("out"));
    StopAfter stop(2);  // the second report: after the first case is written
    const Status stopped =
        exportDataset(request(ExportFormat::Nifti, fixture_.volumes, out), reader_, &stop);
    QVERIFY(!stopped.ok());
    QCOMPARE(stopped.error().code, ErrorCode::Cancelled);
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(leftovers(dir.path()).isEmpty());

    CancellationToken token;
    token.cancel();
    const Status early =
        exportDataset(request(ExportFormat::Coco, fixture_.pictures, out), reader_, nullptr, token);
    QCOMPARE(early.error().code, ErrorCode::Cancelled);
    QVERIFY(!QFileInfo::exists(out));
  }

  void killedExportLeavesNoDatasetAndIsCleanedUp() {
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    QVERIFY(QDir().mkpath(data));
    const QString parent = dir.filePath(QStringLiteral("exports"));
    const QString out = parent + QStringLiteral("/dataset");
    const QString marker = dir.filePath(QStringLiteral("first-case-written"));
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    child.start(QStringLiteral(MEDSA_EXPORT_CHILD), {data, out, marker});
    QVERIFY(child.waitForStarted());
    // A deadline against a hung child, not a timing assertion.
    QVERIFY(QTest::qWaitFor([&] { return QFileInfo::exists(marker); }, 120000));
    child.kill();  // SIGKILL
    QVERIFY(child.waitForFinished());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);

    QVERIFY(!QFileInfo::exists(out));
    const QStringList left = leftovers(parent);
    QCOMPARE(left.size(), 2);  // the folder and its lock, recognisable by name
    QString folder;
    for (const QString& name : left) {
      if (!name.endsWith(QStringLiteral(".lock"))) folder = name;
    }
    QVERIFY2(folder.startsWith(QStringLiteral(".dataset.medsa-export-")), qPrintable(folder));
    QVERIFY(
        QFileInfo::exists(parent + QLatin1Char('/') + folder + QStringLiteral("/vol_a.nii.gz")));

    // The next export into the same parent removes it, and its own output is complete.
    const QString next = parent + QStringLiteral("/other");
    QVERIFY(exportDataset(request(ExportFormat::Nrrd, fixture_.volumes, next), reader_).ok());
    QVERIFY(leftovers(parent).isEmpty());
    QVERIFY(exportDataset(request(ExportFormat::Nifti, fixture_.volumes, out), reader_).ok());
    QCOMPARE(QDir(out).entryList(QDir::Files).size(), 4);
  }

  void liveExportsAreNotCleanedUp() {
    QTemporaryDir dir;
    Result<std::unique_ptr<exporting::ExportStaging>> live =
        exporting::ExportStaging::begin(dir.filePath(QStringLiteral("running")));
    QVERIFY(live.ok());
    const QString folder = live.value()->folder();
    QVERIFY(exportDataset(request(ExportFormat::Nifti, fixture_.volumes,
                                  dir.filePath(QStringLiteral("other"))),
                          reader_)
                .ok());
    QVERIFY(QFileInfo(folder).isDir());  // its owner is alive
    live.value().reset();
    QVERIFY(!QFileInfo::exists(folder));
    QVERIFY(leftovers(dir.path()).isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestDatasetExport)
#include "test_dataset_export.moc"
