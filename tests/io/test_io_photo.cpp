// Photographs through OpenCV: EXIF orientation, bit depth, alpha, and the conversion to the RGB
// picture the engine consumes.
#include <QTest>

#include "io_test_support.h"
#include "medsa/core/window_level.h"
#include "medsa/io/image_reader.h"

using namespace medsa;
using medsa::test::ioData;

class TestIoPhoto : public QObject {
  Q_OBJECT

 private slots:
  void jpegExifOrientationIsApplied() {
    // The 80x48 picture has a white 8x8 block at its stored top-left; orientation 6 means
    // "rotate 90 degrees clockwise to display", which puts the block at the top-right.
    Result<Image> read = io::readImage(ioData("exif/orientation6.jpg"));
    QVERIFY2(read.ok(), test::describe(read));
    const Image& image = read.value();
    QCOMPARE(image.size(), (Image::Size{48, 80, 1, 1}));
    for (int c = 0; c < 3; ++c) {
      QVERIFY(image.value(44, 3, 0, 0, c) > 230);
      QVERIFY(image.value(3, 3, 0, 0, c) < 100 || c == 1);
    }
    QCOMPARE(image.metadata.warnings, (std::vector<std::string>{"EXIF orientation 6 applied"}));
  }

  void everyExifOrientationOfPng() {
    // Pillow's exif_transpose gives the reference (test_io_reference); here, the sizes.
    for (int orientation = 1; orientation <= 8; ++orientation) {
      Result<Image> read =
          io::readImage(ioData("exif/orientation" + std::to_string(orientation) + ".png"));
      QVERIFY2(read.ok(), test::describe(read));
      const bool turned = orientation >= 5;
      QCOMPARE(read->size(0), std::size_t(turned ? 6 : 10));
      QCOMPARE(read->size(1), std::size_t(turned ? 10 : 6));
    }
  }

  void greyRgbAndSixteenBit() {
    Result<Image> grey = io::readImage(ioData("microaneurysms.png"));
    QVERIFY2(grey.ok(), test::describe(grey));
    QCOMPARE(grey->components(), 1);
    QCOMPARE(grey->pixelType(), PixelType::U8);
    QCOMPARE(grey->metadata.photometric, std::string("MONOCHROME2"));
    Result<Image> deep = io::readImage(ioData("chessboard_GRAY_U16.tif"));
    QVERIFY2(deep.ok(), test::describe(deep));
    QCOMPARE(deep->pixelType(), PixelType::U16);
    Result<Image> colour = io::readImage(ioData("retina.jpg"));
    QVERIFY2(colour.ok(), test::describe(colour));
    QCOMPARE(colour->size(), (Image::Size{1411, 1411, 1, 1}));
    QCOMPARE(colour->components(), 3);
    QCOMPARE(colour->metadata.photometric, std::string("RGB"));
  }

  void alphaIsDroppedWithAWarning() {
    Result<Image> read = io::readImage(ioData("rgba.png"));
    QVERIFY2(read.ok(), test::describe(read));
    QCOMPARE(read->components(), 3);
    QCOMPARE(read->metadata.warnings, (std::vector<std::string>{"alpha channel dropped"}));
  }

  void photographBecomesTheSameRgbPicture() {
    Result<Image> read = io::readImage(ioData("retina.jpg"));
    QVERIFY(read.ok());
    const WindowLevel window = defaultWindow(read.value());
    Result<RgbImage> rgb = toRgb(read.value(), window);
    QVERIFY2(rgb.ok(), test::describe(rgb));
    QCOMPARE(rgb->width, 1411);
    QVERIFY(std::equal(rgb->pixels.begin(), rgb->pixels.end(), read->bytes()));
  }

  void sixteenBitPictureIsWindowedOverItsRange() {
    Result<Image> read = io::readImage(ioData("grey16.png"));
    QVERIFY(read.ok());
    Result<RgbImage> rgb = toRgb(read.value(), defaultWindow(read.value()));
    QVERIFY(rgb.ok());
    QCOMPARE(int(rgb->pixel(0, 0)[0]), 0);    // the smallest value
    QCOMPARE(int(rgb->pixel(9, 5)[0]), 255);  // the largest
  }

  void truncatedPicturesAreErrors_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("scikit-image truncated.jpg") << "truncated.jpg";
  }
  void truncatedPicturesAreErrors() {
    QFETCH(QString, file);
    Result<Image> read = io::readImage(ioData(file.toStdString()));
    QVERIFY(!read.ok());
    QCOMPARE(read.error().code, ErrorCode::Truncated);
    QCOMPARE(read.error().path, ioData(file.toStdString()));
  }
};

QTEST_APPLESS_MAIN(TestIoPhoto)
#include "test_io_photo.moc"
