// nnU-Net v2 raw dataset (nnU-Net's documentation/dataset_format.md): DatasetNNN_Name with
// imagesTr/<case>_<channel>.<ending>, labelsTr/<case>.<ending> and dataset.json. Volumes are
// NIfTI with the image's geometry on both image and label; 2D pictures are PNG read by
// NaturalImage2DIO, RGB in one _0000 file (as nnU-Net's Dataset120 does). Label values become
// 1..N in the label set's order (nnU-Net asserts consecutive values); the original values are
// kept in dataset.json under "medsa_source_label_values".
#include <QDir>
#include <QJsonArray>

#include <algorithm>
#include <cstring>
#include <map>
#include <type_traits>

#include "exporters.h"
#include "medsa/io/image_writer.h"

namespace medsa::annotations::exporting {
namespace {

struct Layout {
  bool twoD = false;
  int components = 0;  ///< of every case's image (pictures: 3 when any picture is RGB)
  std::map<std::string, int> modalities;
};

std::string describeKind(bool picture) { return picture ? "a 2D picture" : "a volume"; }

Error mixedKinds(const ExportRequest& request, std::size_t first, bool firstPicture,
                 std::size_t other) {
  return exportError(
      ErrorCode::InvalidArgument,
      "nnU-Net needs one kind of case per dataset: case " + request.cases[first].id.toStdString() +
          " is " + describeKind(firstPicture) + " but case " +
          request.cases[other].id.toStdString() + " is " + describeKind(!firstPicture) +
          " (export pictures and volumes as separate datasets)",
      request.cases[other].imagePath);
}

/// For a 2D dataset, reads every picture once to learn whether any is RGB (then all are written
/// as RGB: nnU-Net needs the same channels in every case) and to refuse volumes early.
Status planPictures(const ExportContext& context, Layout& layout) {
  layout.components = 1;
  for (std::size_t i = 0; i < context.request.cases.size(); ++i) {
    const ExportCase& item = context.request.cases[i];
    Result<Image> image = context.read(item.imagePath, item.series);
    if (!image) {
      Error error = image.error();
      if (error.path.empty()) error.path = item.imagePath.toStdString();
      return error;
    }
    const std::string& format = image->metadata.format;
    if (format != "PNG" && format != "JPEG" && format != "TIFF" && format != "BMP") {
      return mixedKinds(context.request, 0, true, i);
    }
    layout.components = std::max(layout.components, image->components());
  }
  return {};
}

/// The label map with values 1..N and the narrowest type that holds N.
Result<Image> remapped(const Image& labels, const std::vector<std::uint16_t>& newValue,
                       std::size_t labelCount) {
  const PixelType type = labelCount <= 255 ? PixelType::U8 : PixelType::U16;
  Result<Image> out = Image::create(labels.size(), 1, type);
  if (!out) return out.error();
  out->geometry = labels.geometry;
  const std::uint16_t* in = labels.data<std::uint16_t>();
  visitPixels(out.value(), [&](auto* pixels) {
    using T = std::remove_pointer_t<decltype(pixels)>;
    for (std::size_t i = 0; i < labels.voxelCount(); ++i) pixels[i] = T(newValue[in[i]]);
  });
  return out;
}

/// Component `c` of an image as a one-component image with the same geometry.
Result<Image> channel(const Image& image, int c) {
  Result<Image> out = Image::create(image.size(), 1, image.pixelType());
  if (!out) return out.error();
  out->geometry = image.geometry;
  out->metadata = image.metadata;
  const std::size_t size = pixelTypeSize(image.pixelType());
  const std::size_t stride = size * std::size_t(image.components());
  for (std::size_t i = 0; i < image.voxelCount(); ++i) {
    std::memcpy(out->bytes() + i * size, image.bytes() + i * stride + std::size_t(c) * size, size);
  }
  return out;
}

/// A grey picture as RGB (the same value in each channel).
Result<Image> toRgbPicture(const Image& grey) {
  Result<Image> out = Image::create(grey.size(), 3, grey.pixelType());
  if (!out) return out.error();
  out->geometry = grey.geometry;
  for (std::size_t y = 0; y < grey.size(1); ++y) {
    for (std::size_t x = 0; x < grey.size(0); ++x) {
      for (int c = 0; c < 3; ++c) out->setValue(x, y, 0, 0, c, grey.value(x, y));
    }
  }
  return out;
}

Status write(const Image& image, const QString& path) {
  return io::writeImage(image, QFile::encodeName(path).toStdString());
}

Status writeVolumeCase(const CaseData& data, const ExportCase& item, const QDir& images) {
  if (data.image.size(3) != 1) {
    return exportError(ErrorCode::InvalidArgument,
                       "nnU-Net export takes 3D images; this one has " +
                           std::to_string(data.image.size(3)) + " time points",
                       item.imagePath);
  }
  for (int c = 0; c < data.image.components(); ++c) {
    const QString name =
        QStringLiteral("%1_%2.nii.gz").arg(item.id).arg(c, 4, 10, QLatin1Char('0'));
    if (data.image.components() == 1) {
      if (Status written = write(data.image, images.filePath(name)); !written) return written;
      continue;
    }
    Result<Image> single = channel(data.image, c);
    if (!single) return single.error();
    if (Status written = write(single.value(), images.filePath(name)); !written) return written;
  }
  return {};
}

Status writePictureCase(const CaseData& data, const ExportCase& item, const Layout& layout,
                        const QDir& images) {
  if (data.image.pixelType() != PixelType::U8 && data.image.pixelType() != PixelType::U16) {
    return exportError(ErrorCode::InvalidArgument,
                       "nnU-Net's 2D pictures are 8- or 16-bit PNG; this picture is " +
                           std::string(pixelTypeName(data.image.pixelType())),
                       item.imagePath);
  }
  const QString name = item.id + QStringLiteral("_0000.png");
  if (layout.components == 3 && data.image.components() == 1) {
    Result<Image> rgb = toRgbPicture(data.image);
    if (!rgb) return rgb.error();
    return write(rgb.value(), images.filePath(name));
  }
  return write(data.image, images.filePath(name));
}

QJsonObject channelNames(const Layout& layout) {
  QJsonObject names;
  if (layout.twoD) {
    if (layout.components == 3) {
      names = {{QStringLiteral("0"), QStringLiteral("R")},
               {QStringLiteral("1"), QStringLiteral("G")},
               {QStringLiteral("2"), QStringLiteral("B")}};
    } else {
      names = {{QStringLiteral("0"), QStringLiteral("grey")}};
    }
    return names;
  }
  // "CT" selects nnU-Net's CT normalisation; any other name gives per-image z-scores, which is
  // also what a dataset of unknown or mixed modality gets.
  QString modality = QStringLiteral("zscore");
  if (layout.modalities.size() == 1 && !layout.modalities.begin()->first.empty()) {
    modality = QString::fromStdString(layout.modalities.begin()->first);
  }
  for (int c = 0; c < layout.components; ++c) {
    names.insert(QString::number(c),
                 layout.components == 1 ? modality : QStringLiteral("%1_%2").arg(modality).arg(c));
  }
  return names;
}

}  // namespace

Status exportNnUnet(const ExportContext& context) {
  const ExportRequest& request = context.request;
  const QString datasetFolder = QStringLiteral("Dataset%1_%2")
                                    .arg(request.datasetId, 3, 10, QLatin1Char('0'))
                                    .arg(request.datasetName);
  const QDir root(QDir(context.folder).filePath(datasetFolder));
  if (!QDir().mkpath(root.filePath(QStringLiteral("imagesTr"))) ||
      !QDir().mkpath(root.filePath(QStringLiteral("labelsTr")))) {
    return exportError(ErrorCode::WriteFailed, "cannot create the folders", root.path());
  }
  const QDir images(root.filePath(QStringLiteral("imagesTr")));
  const QDir labels(root.filePath(QStringLiteral("labelsTr")));

  std::vector<std::uint16_t> newValue(65536, 0);
  QJsonObject labelValues{{QStringLiteral("background"), 0}};
  QJsonObject sourceValues;
  int next = 1;
  for (const Label& label : request.labels.labels()) {
    newValue[label.value] = static_cast<std::uint16_t>(next);
    labelValues.insert(label.name, next++);
    sourceValues.insert(label.name, int(label.value));
  }
  const std::size_t labelCount = std::size_t(next - 1);

  Layout layout;
  bool firstPicture = false;
  for (std::size_t i = 0; i < request.cases.size(); ++i) {
    Result<CaseData> data = loadCase(context, i);
    if (!data) return data.error();
    const ExportCase& item = request.cases[i];
    if (i == 0) {
      firstPicture = data->picture;
      layout.twoD = data->picture;
      if (layout.twoD) {
        if (Status planned = planPictures(context, layout); !planned) return planned;
      } else {
        layout.components = data->image.components();
      }
    } else if (data->picture != firstPicture) {
      return mixedKinds(request, 0, firstPicture, i);
    }
    if (!layout.twoD && data->image.components() != layout.components) {
      return exportError(ErrorCode::InvalidArgument,
                         "nnU-Net needs the same channels in every case: this image has " +
                             std::to_string(data->image.components()) + " components, case " +
                             request.cases[0].id.toStdString() + " has " +
                             std::to_string(layout.components),
                         item.imagePath);
    }
    ++layout.modalities[data->image.metadata.modality];
    const Status written = layout.twoD ? writePictureCase(data.value(), item, layout, images)
                                       : writeVolumeCase(data.value(), item, images);
    if (!written) return written;
    Result<Image> label = remapped(data->labels.image(), newValue, labelCount);
    if (!label) return label.error();
    const QString ending = layout.twoD ? QStringLiteral(".png") : QStringLiteral(".nii.gz");
    if (Status saved = write(label.value(), labels.filePath(item.id + ending)); !saved) {
      return saved;
    }
  }

  QJsonObject dataset{{QStringLiteral("channel_names"), channelNames(layout)},
                      {QStringLiteral("labels"), labelValues},
                      {QStringLiteral("numTraining"), qint64(request.cases.size())},
                      {QStringLiteral("file_ending"),
                       layout.twoD ? QStringLiteral(".png") : QStringLiteral(".nii.gz")},
                      {QStringLiteral("name"), request.datasetName},
                      {QStringLiteral("description"), QStringLiteral("Exported by Med-SA Studio")},
                      {QStringLiteral("medsa_source_label_values"), sourceValues}};
  if (layout.twoD) {
    dataset.insert(QStringLiteral("overwrite_image_reader_writer"),
                   QStringLiteral("NaturalImage2DIO"));
  }
  return writeJson(root.filePath(QStringLiteral("dataset.json")), dataset, true);
}

}  // namespace medsa::annotations::exporting
