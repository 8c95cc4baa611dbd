// DICOM beyond the reference values: transfer syntaxes decoding to identical pixels, colour
// models, the DCMTK fallback, multi-frame axes, window presets, and series found in folders
// (sorting, duplicates, gaps, time points, inconsistent files, agreement with plain ITK).
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "dicom_volume.h"  // white-box: forces the DCMTK decoder
#include "io_test_support.h"
#include "medsa/core/window_level.h"
#include "medsa/io/dicom.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/itk_reference.h"

using namespace medsa;
using medsa::test::ioData;

namespace {

Image mustRead(const std::string& path) {
  Result<Image> image = io::readImage(path);
  if (!image) qFatal("%s", image.error().describe().c_str());
  return std::move(image).value();
}

bool sameBytes(const Image& a, const Image& b) {
  return a.size() == b.size() && a.pixelType() == b.pixelType() &&
         a.components() == b.components() && std::memcmp(a.bytes(), b.bytes(), a.byteCount()) == 0;
}

bool hasWarning(const Image& image, const std::string& text) {
  return std::any_of(image.metadata.warnings.begin(), image.metadata.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

// The ten horizontal bands of pydicom's SC_rgb test images, sampled at column 50.
constexpr std::array<std::array<int, 3>, 10> kBands{{{255, 0, 0},
                                                     {255, 128, 128},
                                                     {0, 255, 0},
                                                     {128, 255, 128},
                                                     {0, 0, 255},
                                                     {128, 128, 255},
                                                     {0, 0, 0},
                                                     {64, 64, 64},
                                                     {192, 192, 192},
                                                     {255, 255, 255}}};

class RecordingSink : public ProgressSink {
 public:
  bool report(double fraction, std::string_view) override {
    fractions.push_back(fraction);
    return fractions.size() < stopAfter;
  }
  std::vector<double> fractions;
  std::size_t stopAfter = 1000000;
};

}  // namespace

class TestIoDicom : public QObject {
  Q_OBJECT

 private slots:
  void everyTransferSyntaxOfMrSmallDecodesToTheSamePixels_data() {
    QTest::addColumn<QString>("file");
    for (const char* name : {"MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm",
                             "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm",
                             "MR_small_jpeg_ls_lossless.dcm", "MR_small_padded.dcm"}) {
      QTest::newRow(name) << QString::fromLatin1(name);
    }
  }
  void everyTransferSyntaxOfMrSmallDecodesToTheSamePixels() {
    QFETCH(QString, file);
    const Image original = mustRead(ioData("MR_small.dcm"));
    const Image variant = mustRead(ioData(file.toStdString()));
    QVERIFY(sameBytes(original, variant));
    QCOMPARE(variant.geometry, original.geometry);
    QCOMPARE(variant.metadata.modality, std::string("MR"));
  }

  void colourBandsSurviveEveryEncoding_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<double>("scale");   // 16/32-bit samples hold band * scale
    QTest::addColumn<int>("tolerance");  // lossy JPEG moves values a little
    QTest::newRow("RLE") << "SC_rgb_rle.dcm" << 1.0 << 0;
    QTest::newRow("RLE 2 frames") << "SC_rgb_rle_2frame.dcm" << 1.0 << 0;
    QTest::newRow("RLE 16-bit") << "SC_rgb_rle_16bit.dcm" << 257.0 << 0;
    QTest::newRow("RLE 32-bit") << "SC_rgb_rle_32bit.dcm" << 16843009.0 << 0;
    QTest::newRow("JPEG lossless") << "SC_rgb_jpeg_gdcm.dcm" << 1.0 << 0;
    QTest::newRow("JPEG 2000") << "SC_rgb_gdcm_KY.dcm" << 1.0 << 0;
    // YBR_FULL_422 was made from the RGB bands: 8-bit YCbCr rounding moves values by up to 5.
    QTest::newRow("YBR_FULL_422 raw") << "SC_ybr_full_422_uncompressed.dcm" << 1.0 << 6;
    QTest::newRow("JPEG RGB") << "SC_rgb_dcmtk_+eb+cr.dcm" << 1.0 << 6;
    QTest::newRow("JPEG YBR_FULL") << "SC_rgb_dcmtk_+eb+cy+n1.dcm" << 1.0 << 6;
    QTest::newRow("JPEG YBR_FULL_422") << "SC_rgb_dcmtk_+eb+cy+np.dcm" << 1.0 << 6;
    QTest::newRow("JPEG YBR dcmtk") << "SC_rgb_jpeg_dcmtk.dcm" << 1.0 << 6;
    // Labelled RGB, but the JPEG stream is YCbCr (JFIF): the stream decides.
    QTest::newRow("JPEG lossy gdcm") << "SC_rgb_jpeg_lossy_gdcm.dcm" << 1.0 << 6;
  }
  void colourBandsSurviveEveryEncoding() {
    QFETCH(QString, file);
    QFETCH(double, scale);
    QFETCH(int, tolerance);
    const Image image = mustRead(ioData(file.toStdString()));
    QCOMPARE(image.components(), 3);
    QCOMPARE(image.size(0), std::size_t(100));
    for (std::size_t z = 0; z < image.size(2); ++z) {
      for (std::size_t band = 0; band < kBands.size(); ++band) {
        for (int c = 0; c < 3; ++c) {
          const double value = image.value(50, 5 + 10 * band, z, 0, c) / scale;
          // The second frame of the 2-frame files is the first one inverted.
          const int expected = z == 0 ? kBands[band][c] : 255 - kBands[band][c];
          QVERIFY2(
              std::abs(value - expected) <= tolerance,
              qPrintable(QStringLiteral("band %1 component %2: %3").arg(band).arg(c).arg(value)));
        }
      }
    }
  }

  void appSegmentsTooShortForLibjpegAreSkippedAsLibjpegSkipsThem_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("APP14 Adobe of 12 bytes") << "SC_rgb_jpeg_short_adobe.dcm";
    QTest::newRow("APP0 JFIF of 7 bytes") << "SC_rgb_jpeg_short_jfif.dcm";
  }
  void appSegmentsTooShortForLibjpegAreSkippedAsLibjpegSkipsThem() {
    // The RGB stream of SC_rgb_dcmtk_+eb+cr.dcm with its Adobe segment cut short or replaced by
    // a short JFIF one (make_test_data.py): libjpeg decodes both as if the segment were absent,
    // so they must read, and to the source file's pixels (the short JFIF does not make the
    // stream YCbCr).
    QFETCH(QString, file);
    const Image source = mustRead(ioData("SC_rgb_dcmtk_+eb+cr.dcm"));
    Result<Image> variant = io::readImage(ioData(file.toStdString()));
    QVERIFY2(variant.ok(), test::describe(variant));
    QVERIFY(sameBytes(source, variant.value()));
  }

  void jpeg12BitDecodesWithDcmtkAsWithGdcm() {
    // 244 and 95 are what DCMTK's dcmdjpeg + pydicom, and pydicom's own tests, find there.
    for (const char* name : {"JPEG-lossy.dcm", "JPGExtended.dcm"}) {
      const Image byGdcm = mustRead(ioData(name));
      Result<Image> byDcmtk = io::readDicomFileWith(ioData(name), {.forceDcmtk = true});
      QVERIFY2(byDcmtk.ok(), test::describe(byDcmtk));
      QVERIFY(hasWarning(byDcmtk.value(), "DCMTK"));
      QVERIFY(sameBytes(byGdcm, byDcmtk.value()));
      QCOMPARE(byDcmtk->value(140, 420), 244.0);
      QCOMPARE(byDcmtk->value(120, 230), 95.0);
      QCOMPARE(byDcmtk->pixelType(), PixelType::U16);
    }
  }

  void dcmtkFallbackHandlesColourJpeg() {
    Result<Image> byDcmtk =
        io::readDicomFileWith(ioData("SC_rgb_dcmtk_+eb+cy+np.dcm"), {.forceDcmtk = true});
    QVERIFY2(byDcmtk.ok(), test::describe(byDcmtk));
    for (std::size_t band = 0; band < kBands.size(); ++band) {
      for (int c = 0; c < 3; ++c) {
        QVERIFY(std::abs(byDcmtk->value(50, 5 + 10 * band, 0, 0, c) - kBands[band][c]) <= 6);
      }
    }
  }

  void enhancedMultiFrameBecomesSortedSlices() {
    const Image image = mustRead(ioData("enhanced_mr_4frames.dcm"));
    QCOMPARE(image.size(), (Image::Size{8, 6, 4, 1}));
    // Frames were stored against the normal (-x): the first slice is the last frame.
    QCOMPARE(image.geometry.origin, (std::array<double, 3>{9, -20, 30}));
    QCOMPARE(image.geometry.spacing, (std::array<double, 3>{0.75, 0.5, 3}));
    QCOMPARE(image.metadata.windows.size(), std::size_t(1));
    QCOMPARE(image.metadata.windows.front().center, 600.0);
    QCOMPARE(image.metadata.seriesDescription, std::string("enhanced phantom"));
  }

  void cineFramesBecomeTimePoints() {
    const Image image = mustRead(ioData("us_cine_rgb.dcm"));
    QCOMPARE(image.size(), (Image::Size{6, 4, 1, 3}));
    QCOMPARE(image.metadata.frameTimesMs, (std::vector<double>{0, 40, 80}));
    QCOMPARE(image.geometry.timeSpacing, 40.0);
    QCOMPARE(image.metadata.modality, std::string("US"));
  }

  void multiFrameRtDoseSlicesFollowTheGridOffsets() {
    const Image image = mustRead(ioData("rtdose.dcm"));
    QCOMPARE(image.size(2), std::size_t(15));
    QCOMPARE(image.geometry.spacing[2], 5.0);
    QCOMPARE(image.pixelType(), PixelType::F32);  // Dose Grid Scaling 1e-6 applied
  }

  void monochrome1KeepsValuesAndInvertsForDisplay() {
    const Image image = mustRead(ioData("mr_monochrome1.dcm"));
    const Image plain = mustRead(ioData("MR_small.dcm"));
    QVERIFY(sameBytes(image, plain));
    QCOMPARE(image.metadata.photometric, std::string("MONOCHROME1"));
    QCOMPARE(image.metadata.windows.size(), std::size_t(2));
    QCOMPARE(image.metadata.windows[1], (WindowPreset{500, 800, "NARROW"}));
    const WindowLevel window = defaultWindow(image);
    QVERIFY(window.invert);
    QCOMPARE(window.center, 1000.0);
    QCOMPARE(window.width, 2000.0);
  }

  void rescaleGivesHounsfieldUnits() {
    const Image image = mustRead(ioData("CT_small.dcm"));
    QCOMPARE(image.pixelType(), PixelType::I16);
    QCOMPARE(image.value(0, 0), -849.0);  // stored 175, intercept -1024
  }

  void folderScanListsEverySeries() {
    Result<io::DicomScan> scan = io::scanDicomFolder(ioData("series_folder"));
    QVERIFY2(scan.ok(), test::describe(scan));
    QCOMPARE(scan->series.size(), std::size_t(2));
    const io::DicomSeriesInfo& big = scan->series[0];
    QCOMPARE(big.seriesDescription, std::string("oblique"));
    QCOMPARE(big.modality, std::string("CT"));
    QCOMPARE(big.frames, std::size_t(6));
    QCOMPARE(big.columns, std::size_t(8));
    QCOMPARE(big.rows, std::size_t(6));
    QCOMPARE(scan->series[1].seriesDescription, std::string("small"));
    QCOMPARE(scan->series[1].files.size(), std::size_t(3));
    QCOMPARE(scan->skipped, (std::vector<std::string>{"1 file is not DICOM"}));
  }

  void seriesIsSortedAlongTheSliceNormal() {
    Result<Image> read = io::readImage(ioData("series_folder"));
    QVERIFY2(read.ok(), test::describe(read));
    const Image& image = read.value();
    QCOMPARE(image.size(), (Image::Size{8, 6, 6, 1}));
    // The generator put the slice at position order[i] * 2.5 mm along the normal into file i.
    const std::array<int, 6> order{3, 0, 5, 1, 4, 2};
    const double c = std::cos(M_PI / 6);
    const double s = std::sin(M_PI / 6);
    const std::array<double, 3> row{c, s, 0};
    const std::array<double, 3> col{-s * 0.8, c * 0.8, 0.6};
    const std::array<double, 3> normal{row[1] * col[2] - row[2] * col[1],
                                       row[2] * col[0] - row[0] * col[2],
                                       row[0] * col[1] - row[1] * col[0]};
    for (int r = 0; r < 3; ++r) {
      QVERIFY(std::abs(image.geometry.direction[r * 3 + 0] - row[r]) < 1e-6);
      QVERIFY(std::abs(image.geometry.direction[r * 3 + 1] - col[r]) < 1e-6);
      QVERIFY(std::abs(image.geometry.direction[r * 3 + 2] - normal[r]) < 1e-6);
      QVERIFY(std::abs(image.geometry.origin[r] - std::array<double, 3>{10, -5, 20}[r]) < 1e-6);
    }
    QVERIFY(std::abs(image.geometry.spacing[2] - 2.5) < 1e-6);
    QCOMPARE(image.geometry.spacing[0], 0.6);
    QCOMPARE(image.geometry.spacing[1], 0.8);
    for (std::size_t z = 0; z < 6; ++z) {
      const auto file = std::find(order.begin(), order.end(), static_cast<int>(z)) - order.begin();
      for (std::size_t y = 0; y < 6; ++y) {
        for (std::size_t x = 0; x < 8; ++x) {
          const double stored = static_cast<double>((y * 8 + x + 100 * file) % 4096);
          QCOMPARE(image.value(x, y, z), stored - 1024);
        }
      }
    }
    QVERIFY(image.metadata.warnings.empty());
  }

  void seriesChoiceByIndexOrUid() {
    Result<Image> small = io::readImage(ioData("series_folder"), {.series = "1"});
    QVERIFY2(small.ok(), test::describe(small));
    QCOMPARE(small->size(0), std::size_t(4));
    Result<Image> again =
        io::readImage(ioData("series_folder"), {.series = small->metadata.seriesInstanceUid});
    QVERIFY2(again.ok(), test::describe(again));
    QCOMPARE(again->metadata.seriesDescription, std::string("small"));
    Result<Image> missing = io::readImage(ioData("series_folder"), {.series = "7"});
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, ErrorCode::InvalidArgument);
  }

  void duplicatesAreDroppedAndGapsReported() {
    const Image image = mustRead(ioData("series_gap"));
    QCOMPARE(image.size(2), std::size_t(5));  // 6 files, one at an occupied position
    QCOMPARE(image.geometry.spacing[2], 2.0);
    QVERIFY(hasWarning(image, "duplicate slice"));
    QVERIFY(hasWarning(image, "gap of 6 mm between slices 2 and 3"));
  }

  void repeatedPositionsBecomeTimePoints() {
    const Image image = mustRead(ioData("series_4d"));
    QCOMPARE(image.size(), (Image::Size{8, 6, 3, 2}));
    QCOMPARE(image.metadata.frameTimesMs, (std::vector<double>{0, 100}));
    // File i is at z = i % 3, time i / 3 and holds (y * 8 + x + 100 i) - 1024.
    for (std::size_t file = 0; file < 6; ++file) {
      QCOMPARE(image.value(1, 2, file % 3, file / 3), double(2 * 8 + 1 + 100 * file) - 1024);
    }
  }

  void withoutPositionsInstanceNumberOrders() {
    const Image image = mustRead(ioData("series_no_position"));
    QCOMPARE(image.size(2), std::size_t(3));
    QVERIFY(hasWarning(image, "ordered by Instance Number"));
    // img000 has Instance Number 3, img002 has 1.
    QCOMPARE(image.value(0, 0, 0), 200.0 - 1024);
    QCOMPARE(image.value(0, 0, 2), 0.0 - 1024);
  }

  void inconsistentSeriesIsAnErrorNamingTheFile() {
    Result<Image> read = io::readImage(ioData("series_inconsistent"));
    QVERIFY(!read.ok());
    QCOMPARE(read.error().code, ErrorCode::InconsistentSeries);
    QVERIFY2(read.error().path.ends_with("img001.dcm"), read.error().path.c_str());
    QVERIFY2(read.error().message.find("Bits Allocated") != std::string::npos,
             read.error().message.c_str());
  }

  void writtenSeriesReadsLikePlainItk() {
    QTemporaryDir dir;
    Result<Image> created = Image::create({40, 32, 12, 1}, 1, PixelType::I16);
    QVERIFY(created.ok());
    Image volume = std::move(created).value();
    for (std::size_t z = 0; z < 12; ++z) {
      for (std::size_t y = 0; y < 32; ++y) {
        for (std::size_t x = 0; x < 40; ++x) {
          volume.setValue(x, y, z, 0, 0, double(x * 7 + y * 13 + z * 101) - 1000);
        }
      }
    }
    volume.geometry.spacing = {0.7, 0.9, 2.5};
    volume.geometry.origin = {-100.5, 20.25, 33};
    const double c = std::cos(0.3), s = std::sin(0.3);
    volume.geometry.direction = {c, 0, s, 0, 1, 0, -s, 0, c};
    const std::string folder = dir.path().toStdString();
    QVERIFY(io::writeDicomSeries(volume, folder).ok());

    Result<Image> ours = io::readImage(folder);
    QVERIFY2(ours.ok(), test::describe(ours));
    Result<Image> itk = io::readDicomSeriesWithItk(folder);
    QVERIFY2(itk.ok(), test::describe(itk));
    QVERIFY(sameBytes(ours.value(), volume));
    QVERIFY(sameBytes(itk.value(), volume));
    for (int i = 0; i < 3; ++i) {
      QVERIFY(std::abs(ours->geometry.origin[i] - itk->geometry.origin[i]) < 1e-4);
      QVERIFY(std::abs(ours->geometry.spacing[i] - itk->geometry.spacing[i]) < 1e-4);
      QVERIFY(std::abs(ours->geometry.origin[i] - volume.geometry.origin[i]) < 1e-4);
    }
    for (int i = 0; i < 9; ++i) {
      QVERIFY(std::abs(ours->geometry.direction[i] - itk->geometry.direction[i]) < 1e-5);
      QVERIFY(std::abs(ours->geometry.direction[i] - volume.geometry.direction[i]) < 1e-5);
    }
  }

  void progressIsMonotoneAndCancellationStops() {
    QTemporaryDir dir;
    Result<Image> volume = Image::create({16, 16, 30, 1}, 1, PixelType::I16);
    QVERIFY(volume.ok());
    QVERIFY(io::writeDicomSeries(volume.value(), dir.path().toStdString()).ok());
    RecordingSink sink;
    Result<Image> read = io::readImage(dir.path().toStdString(), {}, &sink);
    QVERIFY2(read.ok(), test::describe(read));
    QVERIFY(sink.fractions.size() > 2);
    QVERIFY(std::is_sorted(sink.fractions.begin(), sink.fractions.end()));
    QCOMPARE(sink.fractions.back(), 1.0);

    RecordingSink stopper;
    stopper.stopAfter = 2;
    Result<Image> cancelled = io::readImage(dir.path().toStdString(), {}, &stopper);
    QVERIFY(!cancelled.ok());
    QCOMPARE(cancelled.error().code, ErrorCode::Cancelled);

    CancellationToken token;
    token.cancel();
    Result<Image> early = io::readImage(dir.path().toStdString(), {}, nullptr, token);
    QVERIFY(!early.ok());
    QCOMPARE(early.error().code, ErrorCode::Cancelled);
  }

  void errorsNameTheFileAndTheReason() {
    struct Case {
      const char* file;
      ErrorCode code;
      const char* reason;
    };
    for (const Case& c : {Case{"MR_truncated.dcm", ErrorCode::Truncated, "pixel data ends"},
                          Case{"rtplan_truncated.dcm", ErrorCode::Truncated, "ends inside"},
                          Case{"rtplan.dcm", ErrorCode::NotAnImage, "RT Plan"},
                          Case{"JPEG2000-embedded-sequence-delimiter.dcm", ErrorCode::CorruptData,
                               "compressed frame"},
                          // libjpeg warns on an Adobe YCCK transform for 3 components, and GDCM
                          // aborted the process on that warning.
                          Case{"SC_rgb_jpeg_adobe_ycck.dcm", ErrorCode::CorruptData,
                               "a compressed frame has an unreadable header"}}) {
      Result<Image> read = io::readImage(ioData(c.file));
      QVERIFY2(!read.ok(), c.file);
      QCOMPARE(read.error().code, c.code);
      QCOMPARE(read.error().path, ioData(c.file));
      QVERIFY2(read.error().message.find(c.reason) != std::string::npos,
               read.error().message.c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestIoDicom)
#include "test_io_dicom.moc"
