// Bad input is normal input: empty, missing, misnamed, truncated and corrupt files must give an
// Error naming the file and the reason, never a crash, a hang or an image of garbage.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <set>

#include "io_test_support.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"

using namespace medsa;
using medsa::test::ioData;

namespace {

QByteArray fileBytes(const std::string& path) {
  QFile file(QString::fromStdString(path));
  if (!file.open(QIODevice::ReadOnly)) qFatal("cannot read %s", path.c_str());
  return file.readAll();
}

void writeBytes(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
    qFatal("cannot write %s", qPrintable(path));
  }
}

/// Reads `path` and checks that it fails with one of `codes`, naming the file.
void expectError(const QString& path, std::set<ErrorCode> codes) {
  const Result<Image> read = io::readImage(path.toStdString());
  QVERIFY2(!read.ok(), qPrintable(path + QStringLiteral(" was read")));
  QVERIFY2(codes.count(read.error().code) == 1,
           qPrintable(QStringLiteral("%1: %2 (%3)")
                          .arg(path, QString::fromStdString(read.error().message),
                               QString::fromLatin1(errorCodeName(read.error().code).data()))));
  QVERIFY(!read.error().message.empty());
  // The error names the file (or, for a pair, its data file next to it).
  QVERIFY2(QString::fromStdString(read.error().path)
               .startsWith(path.left(path.lastIndexOf(QLatin1Char('.')))),
           read.error().path.c_str());
}

}  // namespace

class TestIoErrors : public QObject {
  Q_OBJECT

 private slots:
  void missingFileAndFolder() {
    expectError(QStringLiteral("/nonexistent/scan.nii.gz"), {ErrorCode::FileNotFound});
    QTemporaryDir dir;
    Result<Image> empty = io::readImage(dir.path().toStdString());
    QVERIFY(!empty.ok());
    QCOMPARE(empty.error().code, ErrorCode::NotAnImage);
    QCOMPARE(empty.error().path, dir.path().toStdString());
  }

  void zeroLengthFiles_data() {
    QTest::addColumn<QString>("name");
    for (const char* name : {"empty.dcm", "empty.nii", "empty.nii.gz", "empty.nrrd", "empty.mha",
                             "empty.png", "empty.jpg", "empty.tif", "empty.bmp", "empty"}) {
      QTest::newRow(name) << QString::fromLatin1(name);
    }
  }
  void zeroLengthFiles() {
    QFETCH(QString, name);
    QTemporaryDir dir;
    const QString path = dir.filePath(name);
    writeBytes(path, {});
    expectError(path, {ErrorCode::NotAnImage});
    QCOMPARE(io::readImage(path.toStdString()).error().message, std::string("the file is empty"));
  }

  void contentDecidesNotTheExtension() {
    QTemporaryDir dir;
    const QString pngAsDicom = dir.filePath(QStringLiteral("scan.dcm"));
    writeBytes(pngAsDicom, fileBytes(ioData("microaneurysms.png")));
    Result<Image> read = io::readImage(pngAsDicom.toStdString());
    QVERIFY2(read.ok(), test::describe(read));
    QCOMPARE(read->metadata.format, std::string("PNG"));
    QCOMPARE(read->metadata.warnings,
             (std::vector<std::string>{"the file is named .dcm but holds PNG data"}));

    const QString dicomAsJpeg = dir.filePath(QStringLiteral("photo.jpg"));
    writeBytes(dicomAsJpeg, fileBytes(ioData("CT_small.dcm")));
    read = io::readImage(dicomAsJpeg.toStdString());
    QVERIFY2(read.ok(), test::describe(read));
    QCOMPARE(read->metadata.format, std::string("DICOM"));
  }

  void notAnImage_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("text as .nii") << "notes.nii" << QByteArray("just some notes\n");
    QTest::newRow("text as .dcm") << "notes.dcm" << QByteArray(300, 'x');
    QTest::newRow("zeros as .png") << "zeros.png" << QByteArray(4096, '\0');
    QTest::newRow("gzip of text as .nii.gz") << "text.nii.gz"
                                             << QByteArray::fromHex(
                                                    "1f8b0800000000000003cb48cdc9c9e70200"
                                                    "20303a3606000000");
  }
  void notAnImage() {
    QFETCH(QString, name);
    QFETCH(QByteArray, bytes);
    QTemporaryDir dir;
    writeBytes(dir.filePath(name), bytes);
    expectError(dir.filePath(name), {ErrorCode::NotAnImage});
  }

  void truncatedFiles_data() {
    QTest::addColumn<QString>("source");
    QTest::addColumn<double>("keep");
    for (const char* source :
         {"CT_small.dcm", "MR_small_RLE.dcm", "SC_rgb_jpeg_gdcm.dcm", "JPEG2000.dcm",
          "image_dfl.dcm", "enhanced_mr_4frames.dcm", "anatomical.nii", "standard.nii.gz",
          "example_nifti2.nii.gz", "example4d.nii.gz", "retina.jpg", "microaneurysms.png",
          "chessboard_GRAY_U16.tif", "picture.bmp", "volume.nrrd", "volume.mha"}) {
      for (double keep : {0.02, 0.3, 0.7, 0.999}) {
        // image_dfl.dcm ends with 8 bytes after its deflate stream: cutting those loses nothing.
        if (keep > 0.99 && QByteArray(source) == "image_dfl.dcm") continue;
        QTest::addRow("%s at %g", source, keep) << QString::fromLatin1(source) << keep;
      }
    }
  }
  void truncatedFiles() {
    QFETCH(QString, source);
    QFETCH(double, keep);
    QTemporaryDir dir;
    QByteArray bytes;
    if (source.startsWith(QLatin1String("volume."))) {
      // NRRD and MetaImage files as our writer makes them (raw data is checked by size).
      Result<Image> image = Image::create({30, 20, 10, 1}, 1, PixelType::I16);
      QVERIFY(image.ok());
      for (std::size_t i = 0; i < 6000; ++i) image->data<std::int16_t>()[i] = std::int16_t(i * 7);
      const QString full = dir.filePath(QStringLiteral("full_") + source);
      QVERIFY(io::writeImage(image.value(), full.toStdString()).ok());
      bytes = fileBytes(full.toStdString());
    } else {
      bytes = fileBytes(ioData(source.toStdString()));
    }
    const QString path = dir.filePath(QStringLiteral("cut_") + source);
    writeBytes(path, bytes.left(static_cast<qsizetype>(bytes.size() * keep)));
    expectError(path, {ErrorCode::Truncated, ErrorCode::CorruptData, ErrorCode::NotAnImage});
  }

  void corruptHeaders_data() {
    QTest::addColumn<QString>("source");
    QTest::addColumn<int>("offset");
    QTest::addColumn<QByteArray>("patch");
    const auto le16 = [](int v) {
      QByteArray bytes(2, '\0');
      bytes[0] = char(v & 0xff);
      bytes[1] = char((v >> 8) & 0xff);
      return bytes;
    };
    // NIfTI-1: dim[0] = 9; dim[1] = 32767 in a small file; an unknown datatype; a NaN pixdim.
    QTest::newRow("nifti dim[0]") << "anatomical.nii" << 40 << le16(9);
    QTest::newRow("nifti huge dims") << "anatomical.nii" << 42 << (le16(32767) + le16(32767));
    QTest::newRow("nifti datatype") << "anatomical.nii" << 70 << le16(1234);
    QTest::newRow("nifti negative dim") << "anatomical.nii" << 44 << le16(-3);
    // DICOM (offsets found below, by tag): a garbage VR; an element length past the end.
    QTest::newRow("dicom VR") << "CT_small.dcm" << -1 << QByteArray("\x01\x02", 2);
    QTest::newRow("dicom length") << "MR_small.dcm" << -2 << QByteArray("\xff\x7f", 2);
    // PNG: IHDR renamed; JPEG: a segment length running past the end.
    QTest::newRow("png chunk") << "microaneurysms.png" << 12 << QByteArray("XXXX");
    QTest::newRow("jpeg segment") << "retina.jpg" << 4 << QByteArray("\xff\xff", 2);
  }
  void corruptHeaders() {
    QFETCH(QString, source);
    QFETCH(int, offset);
    QFETCH(QByteArray, patch);
    QTemporaryDir dir;
    QByteArray bytes = fileBytes(ioData(source.toStdString()));
    if (offset < 0) {
      // -1: the VR of Modality (0008,0060); -2: the 2-byte length of Rows (0028,0010).
      const QByteArray tag =
          offset == -1 ? QByteArray("\x08\x00\x60\x00", 4) : QByteArray("\x28\x00\x10\x00", 4);
      const qsizetype at = bytes.indexOf(tag, 132);
      QVERIFY(at > 0);
      offset = static_cast<int>(at + (offset == -1 ? 4 : 6));
    }
    bytes.replace(offset, patch.size(), patch);
    const QString path = dir.filePath(QStringLiteral("bad_") + source);
    writeBytes(path, bytes);
    expectError(path, {ErrorCode::CorruptData, ErrorCode::UnsupportedFormat, ErrorCode::Truncated,
                       ErrorCode::NotAnImage});
  }

  void fuzzerFindingsStayErrors() {
    // Inputs libFuzzer found to crash the process (GDCM asserts) before our checks existed.
    const QDir dir(QString::fromStdString(ioData("fuzz_regressions")));
    const QStringList files = dir.entryList(QDir::Files);
    QVERIFY(files.size() >= 2);
    for (const QString& name : files)
      expectError(dir.filePath(name), {ErrorCode::CorruptData, ErrorCode::UnsupportedFormat,
                                       ErrorCode::Truncated, ErrorCode::NotAnImage});
  }

  void corruptTextHeaders() {
    QTemporaryDir dir;
    const QString nrrd = dir.filePath(QStringLiteral("bad.nrrd"));
    writeBytes(nrrd, "NRRD0004\ntype: short\ndimension: 3\nsizes: 4 -5 2\nencoding: raw\n\n" +
                         QByteArray(80, '\0'));
    expectError(nrrd, {ErrorCode::CorruptData, ErrorCode::Truncated});
    const QString mha = dir.filePath(QStringLiteral("huge.mha"));
    writeBytes(mha,
               "ObjectType = Image\nNDims = 3\nDimSize = 60000 60000 60000\n"
               "ElementType = MET_SHORT\nElementDataFile = LOCAL\n" +
                   QByteArray(64, '\0'));
    expectError(mha, {ErrorCode::CorruptData, ErrorCode::Truncated});
    const QString mhd = dir.filePath(QStringLiteral("detached.mhd"));
    writeBytes(mhd,
               "ObjectType = Image\nNDims = 2\nDimSize = 4 4\nElementType = MET_UCHAR\n"
               "ElementDataFile = missing.raw\n");
    expectError(mhd, {ErrorCode::CorruptData, ErrorCode::Truncated, ErrorCode::FileNotFound});
  }
};

QTEST_APPLESS_MAIN(TestIoErrors)
#include "test_io_errors.moc"
