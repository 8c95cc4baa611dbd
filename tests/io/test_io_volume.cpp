// NIfTI-1/2, NRRD and MetaImage: our NIfTI reader against ITK's (same files, and NIfTI-2 copies
// of NIfTI-1 headers), 4D volume selection, and writers whose round trip keeps every voxel and
// the geometry.
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "io_test_support.h"
#include "medsa/core/slice.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"
#include "readers.h"  // white-box: ITK's own NIfTI reader for comparison

using namespace medsa;
using medsa::test::ioData;

namespace {

bool sameVoxels(const Image& a, const Image& b) {
  return a.size() == b.size() && a.pixelType() == b.pixelType() &&
         a.components() == b.components() && std::memcmp(a.bytes(), b.bytes(), a.byteCount()) == 0;
}

/// Largest difference between two geometries (spacing, origin, direction).
double geometryDifference(const ImageGeometry& a, const ImageGeometry& b) {
  double worst = 0;
  for (int i = 0; i < 3; ++i) {
    worst = std::max(worst, std::abs(a.spacing[i] - b.spacing[i]));
    worst = std::max(worst, std::abs(a.origin[i] - b.origin[i]));
  }
  for (int i = 0; i < 9; ++i) worst = std::max(worst, std::abs(a.direction[i] - b.direction[i]));
  return worst;
}

/// A small volume with an oblique, non-trivial geometry and values that use the whole type.
Image testVolume(Image::Size size, int components, PixelType type) {
  Result<Image> created = Image::create(size, components, type);
  if (!created) qFatal("%s", created.error().describe().c_str());
  Image image = std::move(created).value();
  std::size_t i = 0;
  for (std::size_t t = 0; t < size[3]; ++t) {
    for (std::size_t z = 0; z < size[2]; ++z) {
      for (std::size_t y = 0; y < size[1]; ++y) {
        for (std::size_t x = 0; x < size[0]; ++x) {
          for (int c = 0; c < components; ++c) {
            const double v =
                type == PixelType::F32 ? (double(i) * 0.37 - 11.125) : double(i * 37 % 251);
            image.setValue(x, y, z, t, c, type == PixelType::I16 ? v * 100 - 12000 : v);
            ++i;
          }
        }
      }
    }
  }
  const double a = 0.4;
  const double b = -0.25;
  // Rotation about z by a, then about x by b: orthonormal and far from the axes.
  const double ca = std::cos(a), sa = std::sin(a), cb = std::cos(b), sb = std::sin(b);
  image.geometry.direction = {ca, -sa * cb, sa * sb, sa, ca * cb, -ca * sb, 0, sb, cb};
  image.geometry.spacing = {0.8125, 1.375, 2.5};
  image.geometry.origin = {-91.25, 12.5, 40.0625};
  image.geometry.timeSpacing = 2.5;
  return image;
}

}  // namespace

class TestIoVolume : public QObject {
  Q_OBJECT

 private slots:
  void niftiTwoResolvesOrientationLikeItk_data() {
    QTest::addColumn<QString>("codes");
    for (const char* codes : {"q0s0", "q0s1", "q1s0", "q1s1", "q2s1", "q2s2", "q1shear1"}) {
      QTest::newRow(codes) << QString::fromLatin1(codes);
    }
  }
  void niftiTwoResolvesOrientationLikeItk() {
    QFETCH(QString, codes);
    const std::string base = ioData("nifti_codes/" + codes.toStdString());
    Result<Image> itk = io::readImage(base + "_n1.nii");
    Result<Image> ours = io::readImage(base + "_n2.nii");
    QVERIFY2(itk.ok(), test::describe(itk));
    QVERIFY2(ours.ok(), test::describe(ours));
    QCOMPARE(itk->metadata.format, std::string("NIfTI-1"));
    QCOMPARE(ours->metadata.format, std::string("NIfTI-2"));
    QVERIFY(sameVoxels(itk.value(), ours.value()));
    QVERIFY2(geometryDifference(itk->geometry, ours->geometry) < 1e-6,
             qPrintable(QString::number(geometryDifference(itk->geometry, ours->geometry))));
  }

  void niftiOneReaderAgreesWithItk_data() {
    QTest::addColumn<QString>("file");
    for (const char* name : {"anatomical.nii", "example4d.nii.gz", "functional.nii",
                             "standard.nii.gz", "reoriented_anat_moved.nii"}) {
      QTest::newRow(name) << QString::fromLatin1(name);
    }
    for (const char* codes : {"q0s0", "q0s1", "q1s0", "q1s1", "q2s1", "q2s2", "q1shear1"}) {
      QTest::newRow(codes) << QStringLiteral("nifti_codes/%1_n1.nii").arg(QLatin1String(codes));
    }
  }
  void niftiOneReaderAgreesWithItk() {
    // Our reader (which reports truncation) against ITK's NiftiImageIO on the same files.
    QFETCH(QString, file);
    const std::string path = ioData(file.toStdString());
    Result<Image> ours = io::readImage(path);
    Result<Image> itk = io::readItkVolume(path, io::FileFormat::Nifti1);
    QVERIFY2(ours.ok(), test::describe(ours));
    QVERIFY2(itk.ok(), test::describe(itk));
    QVERIFY(sameVoxels(ours.value(), itk.value()));
    // nifti1_io (inside ITK) turns quaternions and sforms into float32 matrices; we use double.
    QVERIFY2(geometryDifference(ours->geometry, itk->geometry) < 1e-6,
             qPrintable(QString::number(geometryDifference(ours->geometry, itk->geometry))));
    QCOMPARE(ours->geometry.timeSpacing, itk->geometry.timeSpacing);
  }

  void niftiTwoWithoutUsableOrientationIsAnError() {
    Result<Image> read = io::readImage(ioData("nifti_codes/q0shear1_n2.nii"));
    QVERIFY(!read.ok());
    QCOMPARE(read.error().code, ErrorCode::CorruptData);
    QVERIFY(read.error().message.find("sform") != std::string::npos);
  }

  void oneVolumeOfAFourDimensionalFile() {
    const std::string path = ioData("example4d.nii.gz");
    Result<Image> all = io::readImage(path);
    QVERIFY2(all.ok(), test::describe(all));
    QCOMPARE(all->size(3), std::size_t(2));
    Result<Image> second = io::readImage(path, {.series = "", .volume = 1});
    QVERIFY2(second.ok(), test::describe(second));
    QCOMPARE(second->size(), (Image::Size{128, 96, 24, 1}));
    Result<Image> expected = extractVolume(all.value(), 1);
    QVERIFY(expected.ok());
    QVERIFY(sameVoxels(second.value(), expected.value()));
    QCOMPARE(second->geometry, all->geometry);
    Result<Image> missing = io::readImage(path, {.series = "", .volume = 2});
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(missing.error().path, path);
  }

  void volumeRoundTripKeepsVoxelsAndGeometry_data() {
    QTest::addColumn<QString>("extension");
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("components");
    QTest::addColumn<int>("times");
    QTest::addColumn<double>("tolerance");
    // NIfTI stores the geometry as float32; NRRD and MetaImage as decimal text.
    for (const char* ext : {".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd"}) {
      const bool nifti = QByteArray(ext).startsWith(".nii");
      const double tolerance = nifti ? 2e-5 : 1e-9;
      QTest::addRow("u8 labels %s", ext) << ext << int(PixelType::U8) << 1 << 1 << tolerance;
      QTest::addRow("i16 %s", ext) << ext << int(PixelType::I16) << 1 << 1 << tolerance;
      QTest::addRow("f32 4D %s", ext) << ext << int(PixelType::F32) << 1 << 3 << tolerance;
      QTest::addRow("rgb %s", ext) << ext << int(PixelType::U8) << 3 << 1 << tolerance;
    }
  }
  void volumeRoundTripKeepsVoxelsAndGeometry() {
    QFETCH(QString, extension);
    QFETCH(int, type);
    QFETCH(int, components);
    QFETCH(int, times);
    QFETCH(double, tolerance);
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("labels") + extension).toStdString();
    const Image source = testVolume({7, 5, 4, static_cast<std::size_t>(times)}, components,
                                    static_cast<PixelType>(type));
    Status written = io::writeImage(source, path);
    QVERIFY2(written.ok(), test::describe(written));
    Result<Image> read = io::readImage(path);
    QVERIFY2(read.ok(), test::describe(read));
    QVERIFY(sameVoxels(source, read.value()));
    QVERIFY2(geometryDifference(source.geometry, read->geometry) < tolerance,
             qPrintable(QString::number(geometryDifference(source.geometry, read->geometry))));
    if (times > 1) QCOMPARE(read->geometry.timeSpacing, 2.5);
    // Nothing but the file (and a detached data file) is left behind.
    const QStringList files = QDir(dir.path()).entryList(QDir::Files | QDir::Hidden);
    QVERIFY2(files.size() <= 2, qPrintable(files.join(QLatin1Char(' '))));
  }

  void pngRoundTripOfMasksAndPictures_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("components");
    QTest::newRow("u8 mask") << int(PixelType::U8) << 1;
    QTest::newRow("u16 labels") << int(PixelType::U16) << 1;
    QTest::newRow("rgb") << int(PixelType::U8) << 3;
  }
  void pngRoundTripOfMasksAndPictures() {
    QFETCH(int, type);
    QFETCH(int, components);
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("mask.png")).toStdString();
    Image source = testVolume({9, 6, 1, 1}, components, static_cast<PixelType>(type));
    source.geometry = ImageGeometry{};  // a picture's own grid
    QVERIFY(io::writeImage(source, path).ok());
    Result<Image> read = io::readImage(path);
    QVERIFY2(read.ok(), test::describe(read));
    QVERIFY(sameVoxels(source, read.value()));
    QCOMPARE(read->geometry, source.geometry);
    QCOMPARE(read->metadata.format, std::string("PNG"));
  }

  void writerRefusesWhatTheFormatCannotHold() {
    QTemporaryDir dir;
    const Image volume = testVolume({4, 4, 3, 1}, 1, PixelType::U8);
    const std::string png = dir.filePath(QStringLiteral("volume.png")).toStdString();
    Status status = io::writeImage(volume, png);
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(status.error().path, png);
    const Image floats = testVolume({4, 4, 1, 1}, 1, PixelType::F32);
    QVERIFY(!io::writeImage(floats, png).ok());
    QVERIFY(!io::writeImage(volume, dir.filePath(QStringLiteral("x.xyz")).toStdString()).ok());
    QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());

    const std::string nowhere =
        dir.filePath(QStringLiteral("missing/dir/labels.nii.gz")).toStdString();
    Status failed = io::writeImage(volume, nowhere);
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().code, ErrorCode::WriteFailed);
    QCOMPARE(failed.error().path, nowhere);
  }

  void rewritingReplacesTheFile() {
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("labels.nrrd")).toStdString();
    QVERIFY(io::writeImage(testVolume({4, 4, 3, 1}, 1, PixelType::U8), path).ok());
    const Image second = testVolume({6, 2, 2, 1}, 1, PixelType::I16);
    QVERIFY(io::writeImage(second, path).ok());
    Result<Image> read = io::readImage(path);
    QVERIFY(read.ok());
    QVERIFY(sameVoxels(read.value(), second));
  }
};

QTEST_APPLESS_MAIN(TestIoVolume)
#include "test_io_volume.moc"
