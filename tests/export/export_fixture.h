#pragma once

// Small synthetic cases for the exporter tests, written with medsa_io's writers: NIfTI volumes,
// PNG pictures (RGB and grey) and a DICOM series, each with a label map on its grid. The label
// set has gaps (1, 3, 7) so that nnU-Net's remapping is exercised, and a code on one label.
#include <QDir>
#include <QString>

#include <map>
#include <vector>

#include "medsa/annotations/dataset_export.h"
#include "medsa/core/image.h"
#include "medsa/io/dicom_writer.h"
#include "medsa/io/image_reader.h"
#include "medsa/io/image_writer.h"

namespace medsa::test {

struct ExportFixture {
  std::vector<annotations::ExportCase> volumes;   ///< vol_a, vol_b (NIfTI)
  std::vector<annotations::ExportCase> pictures;  ///< pic_rgb, pic_grey (PNG)
  std::vector<annotations::ExportCase> dicom;     ///< ct_dicom (a 21 x 15 x 3 series)
  annotations::LabelSet labels;
  std::map<QString, Image> truth;  ///< each case's label map (u16), as written
};

namespace fixture_detail {

inline void must(const Status& status) {
  if (!status) qFatal("fixture: %s", status.error().describe().c_str());
}

inline std::string path(const QDir& dir, const QString& name) {
  return QFile::encodeName(dir.filePath(name)).toStdString();
}

/// Labels 1 (a box), 3 (a disc), 7 (a small square) on a w x h x d grid; slice 0 stays empty
/// in volumes so that empty slices are seen too.
inline Image labelsOn(const Image& image, int seed) {
  Image labels =
      Image::create({image.size(0), image.size(1), image.size(2), 1}, 1, PixelType::U16).value();
  labels.geometry = image.geometry;
  const std::size_t w = image.size(0), h = image.size(1), d = image.size(2);
  for (std::size_t z = d > 1 ? 1 : 0; z < d; ++z) {
    for (std::size_t y = 0; y < h; ++y) {
      for (std::size_t x = 0; x < w; ++x) {
        const double dx = double(x) - double(w) * 0.65, dy = double(y) - double(h) * 0.5;
        std::uint16_t v = 0;
        if (x >= 1 + z % 2 && x < w / 3 && y >= 2 && y + 2 < h) v = 1;
        if (dx * dx + dy * dy < double(h * h) / 16.0 + double(seed)) v = 3;
        if (z + 1 == d && x + 4 >= w && y < 3) v = 7;
        labels.setValue(x, y, z, 0, 0, v);
      }
    }
  }
  return labels;
}

inline Image volume(std::size_t w, std::size_t h, std::size_t d, PixelType type) {
  Image image = Image::create({w, h, d, 1}, 1, type).value();
  for (std::size_t i = 0; i < image.voxelCount(); ++i) {
    image.setValue(i % w, (i / w) % h, i / (w * h), 0, 0, double((i * 37) % 400) - 100);
  }
  return image;
}

}  // namespace fixture_detail

/// Writes the cases under `root` (which must exist).
inline ExportFixture makeExportFixture(const QString& root) {
  using namespace fixture_detail;
  const QDir dir(root);
  ExportFixture f;
  annotations::Label liver{1, QStringLiteral("liver"), QColor(200, 80, 40)};
  liver.code = {QStringLiteral("SCT"), QStringLiteral("10200004"), QStringLiteral("Liver")};
  liver.category = {QStringLiteral("SCT"), QStringLiteral("123037004"),
                    QStringLiteral("Anatomical Structure")};
  f.labels.insert(liver);
  f.labels.insert(annotations::Label{3, QStringLiteral("spleen"), QColor(40, 200, 80)});
  f.labels.insert(annotations::Label{7, QStringLiteral("tumour"), QColor(250, 250, 0)});

  // Volumes: a CT-like i16 volume and an f32 one with another grid and an oblique direction.
  struct VolumeSpec {
    const char* id;
    std::size_t w, h, d;
    PixelType type;
    std::array<double, 9> direction;
  };
  const double c = std::cos(0.3), s = std::sin(0.3);
  const VolumeSpec specs[] = {{"vol_a", 20, 16, 5, PixelType::I16, {1, 0, 0, 0, 1, 0, 0, 0, 1}},
                              {"vol_b", 13, 11, 4, PixelType::F32, {c, -s, 0, s, c, 0, 0, 0, 1}}};
  int seed = 0;
  for (const VolumeSpec& spec : specs) {
    Image image = volume(spec.w, spec.h, spec.d, spec.type);
    image.geometry.spacing = {0.75, 0.8, 2.5};
    image.geometry.origin = {-12.5, 30.0, 7.25 * (seed + 1)};
    image.geometry.direction = spec.direction;
    const QString id = QString::fromLatin1(spec.id);
    must(io::writeImage(image, path(dir, id + QStringLiteral(".nii.gz"))));
    // The label map goes on the grid the reader sees (NIfTI stores geometry as float32).
    const Image read = io::readImage(path(dir, id + QStringLiteral(".nii.gz"))).value();
    const Image labels = labelsOn(read, seed++);
    must(io::writeImage(labels, path(dir, id + QStringLiteral("_labels.nii.gz"))));
    f.volumes.push_back({id,
                         dir.filePath(id + QStringLiteral(".nii.gz")),
                         {},
                         dir.filePath(id + QStringLiteral("_labels.nii.gz"))});
    f.truth[id] = labels;
  }

  // Pictures: RGB and grey PNG, labels as 8-bit PNG.
  for (int components : {3, 1}) {
    const QString id = components == 3 ? QStringLiteral("pic_rgb") : QStringLiteral("pic_grey");
    const std::size_t w = components == 3 ? 24 : 20, h = components == 3 ? 18 : 16;
    Image image = Image::create({w, h, 1, 1}, components, PixelType::U8).value();
    for (std::size_t i = 0; i < image.byteCount(); ++i) image.bytes()[i] = std::uint8_t(i * 7);
    must(io::writeImage(image, path(dir, id + QStringLiteral(".png"))));
    const Image labels = labelsOn(image, seed++);
    Image small = Image::create({w, h, 1, 1}, 1, PixelType::U8).value();
    for (std::size_t i = 0; i < w * h; ++i)
      small.bytes()[i] = std::uint8_t(labels.data<std::uint16_t>()[i]);
    must(io::writeImage(small, path(dir, id + QStringLiteral("_labels.png"))));
    f.pictures.push_back({id,
                          dir.filePath(id + QStringLiteral(".png")),
                          {},
                          dir.filePath(id + QStringLiteral("_labels.png"))});
    f.truth[id] = labels;
  }

  // A DICOM series of 21 x 15 pixels: SEG frames that do not fill whole bytes, at a size where
  // DCMTK 3.6.7's own bit packing would lose bits (see core/io/src/dicom_seg_bits.h).
  {
    Image ct = volume(21, 15, 3, PixelType::I16);
    ct.geometry.spacing = {0.7, 0.7, 3.0};
    ct.geometry.origin = {-50, -40, 120};
    const QString folder = dir.filePath(QStringLiteral("ct_dicom"));
    must(io::writeDicomSeries(ct, QFile::encodeName(folder).toStdString()));
    const Image read = io::readImage(QFile::encodeName(folder).toStdString()).value();
    const Image labels = labelsOn(read, seed++);
    must(io::writeImage(labels, path(dir, QStringLiteral("ct_dicom_labels.nii.gz"))));
    f.dicom.push_back({QStringLiteral("ct_dicom"), folder,
                       QString::fromStdString(read.metadata.seriesInstanceUid),
                       dir.filePath(QStringLiteral("ct_dicom_labels.nii.gz"))});
    f.truth[QStringLiteral("ct_dicom")] = labels;
  }
  return f;
}

}  // namespace medsa::test
