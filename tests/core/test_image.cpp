// core's Image: shape checks, typed access, physical coordinates, slices in the documented
// display orientation (and their geometry), time points, and window/level to 8-bit RGB.
#include <QTest>

#include <cmath>
#include <limits>

#include "medsa/core/image.h"
#include "medsa/core/slice.h"
#include "medsa/core/window_level.h"

using namespace medsa;

namespace {

/// A volume whose value encodes its voxel index: x + 10 y + 100 z (+ 1000 t).
Image indexVolume(Image::Size size, ImageGeometry geometry = {}) {
  Result<Image> created = Image::create(size, 1, PixelType::I32);
  if (!created) qFatal("%s", created.error().describe().c_str());
  Image image = std::move(created).value();
  for (std::size_t t = 0; t < size[3]; ++t)
    for (std::size_t z = 0; z < size[2]; ++z)
      for (std::size_t y = 0; y < size[1]; ++y)
        for (std::size_t x = 0; x < size[0]; ++x)
          image.setValue(x, y, z, t, 0, double(x + 10 * y + 100 * z + 1000 * t));
  image.geometry = geometry;
  return image;
}

/// The voxel of `volume` nearest to a physical point (direction is orthonormal: its transpose
/// inverts it).
std::array<long, 3> voxelAt(const Image& volume, const std::array<double, 3>& point) {
  const ImageGeometry& g = volume.geometry;
  std::array<long, 3> index{};
  for (int axis = 0; axis < 3; ++axis) {
    double along = 0;
    for (int r = 0; r < 3; ++r) along += g.direction[r * 3 + axis] * (point[r] - g.origin[r]);
    index[axis] = std::lround(along / g.spacing[axis]);
  }
  return index;
}

}  // namespace

class TestImage : public QObject {
  Q_OBJECT

 private slots:
  void createChecksTheShape() {
    QVERIFY(!Image::create({0, 4, 1, 1}, 1, PixelType::U8).ok());
    QVERIFY(!Image::create({4, 4, 1, 1}, 2, PixelType::U8).ok());
    const std::size_t huge = std::numeric_limits<std::size_t>::max() / 4;
    Result<Image> overflow = Image::create({huge, huge, 1, 1}, 3, PixelType::F64);
    QVERIFY(!overflow.ok());
    QCOMPARE(overflow.error().code, ErrorCode::InvalidArgument);
    Result<Image> ok = Image::create({3, 2, 1, 1}, 3, PixelType::U16);
    QVERIFY(ok.ok());
    QCOMPARE(ok->byteCount(), std::size_t(3 * 2 * 3 * 2));
    QCOMPARE(ok->dimension(), 2);
    QCOMPARE(pixelTypeName(PixelType::F32), std::string_view("f32"));
  }

  void valuesRoundAndClampToTheType() {
    Result<Image> image = Image::create({2, 1, 1, 1}, 1, PixelType::U8);
    QVERIFY(image.ok());
    image->setValue(0, 0, 0, 0, 0, 300.7);
    image->setValue(1, 0, 0, 0, 0, 41.5);
    QCOMPARE(image->value(0, 0), 255.0);
    QCOMPARE(image->value(1, 0), 42.0);
    QCOMPARE(image->valueRange(), (std::pair<double, double>{42, 255}));

    Result<Image> floats = Image::create({3, 1, 1, 1}, 1, PixelType::F32);
    QVERIFY(floats.ok());
    floats->setValue(0, 0, 0, 0, 0, -2.5);
    floats->setValue(1, 0, 0, 0, 0, std::nan(""));
    floats->setValue(2, 0, 0, 0, 0, 7.25);
    QCOMPARE(floats->valueRange(), (std::pair<double, double>{-2.5, 7.25}));
  }

  void bytesMoveInAndOut() {
    std::vector<std::uint8_t> bytes(2 * 2 * 2, 0);
    bytes[2] = 0x34;
    bytes[3] = 0x12;
    Result<Image> image = Image::fromBytes({2, 2, 1, 1}, 1, PixelType::U16, std::move(bytes));
    QVERIFY(image.ok());
    QCOMPARE(image->value(1, 0), double(0x1234));
    QCOMPARE(image->releaseBytes().size(), std::size_t(8));
    QVERIFY(image->isEmpty());
    QVERIFY(!Image::fromBytes({2, 2, 1, 1}, 1, PixelType::U16, std::vector<std::uint8_t>(7)).ok());
  }

  void physicalPointsFollowTheDirection() {
    ImageGeometry g;
    g.spacing = {2, 3, 4};
    g.origin = {10, 20, 30};
    g.direction = {0, 0, 1, 1, 0, 0, 0, 1, 0};  // x -> P, y -> S, z -> L
    const auto p = g.indexToPhysical(1, 1, 1);
    QCOMPARE(p, (std::array<double, 3>{14, 22, 33}));
    QCOMPARE(g.axisDirection(2), (std::array<double, 3>{1, 0, 0}));
  }

  void axialSliceOfAPlainVolumeIsAsStored() {
    const Image volume = indexVolume({4, 3, 2, 1});
    QCOMPARE(acquisitionAxis(volume), SliceAxis::Axial);
    QCOMPARE(sliceCount(volume, SliceAxis::Axial), std::size_t(2));
    Result<Image> slice = extractSlice(volume, SliceAxis::Axial, 1);
    QVERIFY(slice.ok());
    QCOMPARE(slice->size(), (Image::Size{4, 3, 1, 1}));
    QCOMPARE(slice->value(3, 2), double(3 + 20 + 100));
    QCOMPARE(slice->value(0, 0), 100.0);
  }

  void coronalAndSagittalPutSuperiorAtTheTop() {
    const Image volume = indexVolume({4, 3, 2, 1});
    // Coronal: x runs Left (as stored), y runs down from Superior (z reversed).
    Result<Image> coronal = extractSlice(volume, SliceAxis::Coronal, 2);
    QVERIFY(coronal.ok());
    QCOMPARE(coronal->size(), (Image::Size{4, 2, 1, 1}));
    QCOMPARE(coronal->value(1, 0), double(1 + 20 + 100));  // top row is the highest z
    QCOMPARE(coronal->value(1, 1), double(1 + 20));
    // Sagittal: x runs Posterior (the y axis), y runs down from Superior.
    Result<Image> sagittal = extractSlice(volume, SliceAxis::Sagittal, 3);
    QVERIFY(sagittal.ok());
    QCOMPARE(sagittal->size(), (Image::Size{3, 2, 1, 1}));
    QCOMPARE(sagittal->value(2, 0), double(3 + 20 + 100));
    QCOMPARE(sagittal->value(0, 1), 3.0);
  }

  void slicesOfAnyOrientationMapBackToTheirVoxels_data() {
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QList<double>>("direction");
    QTest::newRow("identity") << QByteArray("identity") << QList<double>{1, 0, 0, 0, 1, 0, 0, 0, 1};
    // A sagittal acquisition: x -> P, y -> I, z -> -L; and a flipped axial one (NIfTI RAS).
    QTest::newRow("sagittal") << QByteArray("sagittal")
                              << QList<double>{0, 0, -1, 1, 0, 0, 0, -1, 0};
    QTest::newRow("ras axial") << QByteArray("ras") << QList<double>{-1, 0, 0, 0, -1, 0, 0, 0, 1};
    const double c = std::cos(0.3), s = std::sin(0.3);
    QTest::newRow("oblique") << QByteArray("oblique") << QList<double>{c, -s, 0, s, c, 0, 0, 0, 1};
  }
  void slicesOfAnyOrientationMapBackToTheirVoxels() {
    QFETCH(QList<double>, direction);
    ImageGeometry g;
    g.spacing = {0.5, 0.75, 2};
    g.origin = {-20, 15, 7};
    for (int i = 0; i < 9; ++i) g.direction[i] = direction[i];
    const Image volume = indexVolume({5, 4, 3, 1}, g);
    for (SliceAxis axis : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal}) {
      for (std::size_t index = 0; index < sliceCount(volume, axis); ++index) {
        Result<Image> slice = extractSlice(volume, axis, index);
        QVERIFY(slice.ok());
        for (std::size_t y = 0; y < slice->size(1); ++y) {
          for (std::size_t x = 0; x < slice->size(0); ++x) {
            const auto voxel =
                voxelAt(volume, slice->geometry.indexToPhysical(double(x), double(y), 0));
            QCOMPARE(slice->value(x, y), volume.value(voxel[0], voxel[1], voxel[2]));
          }
        }
        // The documented orientation: screen x runs Left (axial, coronal) or Posterior.
        const auto screenX = slice->geometry.axisDirection(0);
        const auto screenY = slice->geometry.axisDirection(1);
        if (axis != SliceAxis::Sagittal) QVERIFY(screenX[0] > 0.5);
        if (axis == SliceAxis::Sagittal) QVERIFY(screenX[1] > 0.5);
        if (axis == SliceAxis::Axial) QVERIFY(screenY[1] > 0.5);   // down is Posterior
        if (axis != SliceAxis::Axial) QVERIFY(screenY[2] < -0.5);  // down is Inferior
      }
    }
  }

  void acquisitionPlaneOfASagittalStack() {
    ImageGeometry g;
    g.direction = {0, 0, -1, 1, 0, 0, 0, -1, 0};
    const Image volume = indexVolume({5, 4, 3, 1}, g);
    QCOMPARE(acquisitionAxis(volume), SliceAxis::Sagittal);
    QCOMPARE(sliceCount(volume, SliceAxis::Sagittal), std::size_t(3));
  }

  void outOfRangeRequestsAreErrors() {
    const Image volume = indexVolume({4, 3, 2, 2});
    QCOMPARE(extractSlice(volume, SliceAxis::Axial, 2).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(extractSlice(volume, SliceAxis::Axial, 0, 2).error().code, ErrorCode::InvalidArgument);
    QVERIFY(!extractSlice(Image{}, SliceAxis::Axial, 0).ok());
    QVERIFY(!extractVolume(volume, 2).ok());
  }

  void timePointsAndTheirSlices() {
    Image volume = indexVolume({4, 3, 2, 2});
    volume.metadata.frameTimesMs = {0, 40};
    Result<Image> second = extractVolume(volume, 1);
    QVERIFY(second.ok());
    QCOMPARE(second->size(), (Image::Size{4, 3, 2, 1}));
    QCOMPARE(second->value(1, 1, 1), 1000.0 + 1 + 10 + 100);
    QCOMPARE(second->metadata.frameTimesMs, std::vector<double>{40});
    Result<Image> slice = extractSlice(volume, SliceAxis::Axial, 0, 1);
    QVERIFY(slice.ok());
    QCOMPARE(slice->value(2, 1), 1000.0 + 2 + 10);
  }

  void windowFollowsTheDicomFormula() {
    const WindowLevel ct{40, 400, false};
    QCOMPARE(int(applyWindow(-160, ct)), 0);   // at the bottom edge
    QCOMPARE(int(applyWindow(240, ct)), 255);  // above the top edge (239.5)
    QCOMPARE(int(applyWindow(40, ct)), 128);   // ((40 - 39.5) / 399 + 0.5) * 255 = 127.8
    QCOMPARE(int(applyWindow(-60, ct)), 64);   // ((-60 - 39.5) / 399 + 0.5) * 255 = 63.9
    QCOMPARE(int(applyWindow(40, {40, 400, true})), 127);
    QCOMPARE(int(applyWindow(5, {4, 0.5, false})), 255);  // width below 1: a threshold
    QCOMPARE(int(applyWindow(std::nan(""), ct)), 0);
    // The default window leaves 8-bit values unchanged.
    for (int v : {0, 1, 127, 128, 254, 255}) QCOMPARE(int(applyWindow(v, WindowLevel{})), v);
  }

  void defaultWindowChoices() {
    Image volume = indexVolume({4, 3, 2, 1});
    WindowLevel w = defaultWindow(volume);
    QCOMPARE(int(applyWindow(0, w)), 0);
    QCOMPARE(int(applyWindow(123, w)), 255);
    volume.metadata.windows = {{50, 80, "SOFT"}};
    volume.metadata.photometric = "MONOCHROME1";
    w = defaultWindow(volume);
    QCOMPARE(w, (WindowLevel{50, 80, true}));
  }

  void toRgbOfGreyAndColour() {
    Image grey = indexVolume({4, 3, 1, 1});
    Result<RgbImage> rgb = toRgb(grey, {12, 24, false});
    QVERIFY(rgb.ok());
    QCOMPARE(rgb->width, 4);
    QCOMPARE(rgb->height, 3);
    const std::uint8_t* p = rgb->pixel(2, 1);  // value 12: the middle of the window
    QCOMPARE(int(p[0]), int(applyWindow(12, {12, 24, false})));
    QCOMPARE(p[0], p[1]);
    QCOMPARE(p[1], p[2]);

    Result<Image> colour = Image::create({2, 1, 1, 1}, 3, PixelType::U8);
    QVERIFY(colour.ok());
    for (int c = 0; c < 3; ++c) colour->setValue(1, 0, 0, 0, c, 10.0 * (c + 1));
    rgb = toRgb(colour.value(), defaultWindow(colour.value()));
    QVERIFY(rgb.ok());
    QCOMPARE(int(rgb->pixel(1, 0)[0]), 10);
    QCOMPARE(int(rgb->pixel(1, 0)[2]), 30);

    QVERIFY(!toRgb(indexVolume({4, 3, 2, 1}), {}).ok());
  }
};

QTEST_APPLESS_MAIN(TestImage)
#include "test_image.moc"
