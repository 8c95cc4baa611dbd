// COCO: one image entry per picture (pictures copied, labelled slices of volumes as windowed
// PNGs), one annotation per label present in it, as compressed RLE exactly as pycocotools writes
// it. iscrowd is 0: each annotation is a labelled region, not a crowd to ignore in evaluation
// (pycocotools' annToRLE loads an RLE whatever iscrowd says).
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <algorithm>
#include <cstring>
#include <set>

#include "exporters.h"
#include "medsa/core/coco_rle.h"
#include "medsa/core/slice_picture.h"
#include "medsa/core/window_level.h"
#include "medsa/io/image_writer.h"

namespace medsa::annotations::exporting {
namespace {

struct CocoDocument {
  QJsonArray images;
  QJsonArray annotations;
  int nextImage = 1;
  int nextAnnotation = 1;
};

/// Adds a picture and one annotation per label value in its row-major label slice.
Status addPicture(CocoDocument& coco, const QString& fileName, std::size_t width,
                  std::size_t height, const std::uint16_t* labels, QJsonObject image) {
  const int imageId = coco.nextImage++;
  image.insert(QStringLiteral("id"), imageId);
  image.insert(QStringLiteral("width"), qint64(width));
  image.insert(QStringLiteral("height"), qint64(height));
  image.insert(QStringLiteral("file_name"), fileName);
  coco.images.append(image);

  const std::size_t count = width * height;
  const std::set<std::uint16_t> present(labels, labels + count);
  std::vector<std::uint8_t> mask(count);
  for (std::uint16_t value : present) {
    if (value == 0) continue;
    for (std::size_t i = 0; i < count; ++i) mask[i] = labels[i] == value ? 1 : 0;
    Result<CocoRle> rle = encodeCocoRle(mask.data(), width, height);
    if (!rle) return exportError(rle.error().code, rle.error().message, fileName);
    const auto box = cocoRleBox(rle.value());
    coco.annotations.append(QJsonObject{
        {QStringLiteral("id"), coco.nextAnnotation++},
        {QStringLiteral("image_id"), imageId},
        {QStringLiteral("category_id"), int(value)},
        {QStringLiteral("segmentation"),
         QJsonObject{
             {QStringLiteral("size"), QJsonArray{qint64(height), qint64(width)}},
             {QStringLiteral("counts"), QString::fromLatin1(cocoRleCountsToString(rle->counts))}}},
        {QStringLiteral("area"), qint64(cocoRleArea(rle.value()))},
        {QStringLiteral("bbox"),
         QJsonArray{qint64(box[0]), qint64(box[1]), qint64(box[2]), qint64(box[3])}},
        {QStringLiteral("iscrowd"), 0}});
  }
  return {};
}

/// An 8-bit PNG of what the viewer shows: grey when the source is grey, RGB otherwise.
Status writePicture(const RgbImage& picture, bool grey, const QString& path) {
  Result<Image> image = Image::create(
      {std::size_t(picture.width), std::size_t(picture.height), 1, 1}, grey ? 1 : 3, PixelType::U8);
  if (!image) return image.error();
  const std::size_t pixels = std::size_t(picture.width) * std::size_t(picture.height);
  if (grey) {
    for (std::size_t i = 0; i < pixels; ++i) image->bytes()[i] = picture.pixels[i * 3];
  } else {
    std::memcpy(image->bytes(), picture.pixels.data(), pixels * 3);
  }
  return io::writeImage(image.value(), QFile::encodeName(path).toStdString());
}

/// The picture file, copied as it is unless the reader turned it (EXIF orientation): then the
/// pixels the labels were drawn on are written as PNG, so masks and picture stay aligned.
Result<QString> placePicture(const ExportCase& item, const CaseData& data, const QDir& images) {
  bool turned = false;
  for (const std::string& warning : data.image.metadata.warnings) {
    turned = turned || warning.rfind("EXIF orientation", 0) == 0;
  }
  QString suffix = QFileInfo(item.imagePath).suffix().toLower();
  if (suffix.isEmpty()) suffix = QStringLiteral("png");
  if (turned) {
    const QString name = item.id + QStringLiteral(".png");
    const Status written =
        io::writeImage(data.image, QFile::encodeName(images.filePath(name)).toStdString());
    if (!written) return written.error();
    return name;
  }
  const QString name = item.id + QLatin1Char('.') + suffix;
  QFile source(item.imagePath);
  if (!source.copy(images.filePath(name))) {
    return exportError(ErrorCode::WriteFailed,
                       "cannot copy the picture: " + source.errorString().toStdString(),
                       item.imagePath);
  }
  return name;
}

Status addVolumeSlices(CocoDocument& coco, const ExportCase& item, const CaseData& data,
                       const QDir& images) {
  const SliceAxis axis = acquisitionAxis(data.image);
  const WindowLevel window = defaultWindow(data.image);
  const bool grey = data.image.components() == 1;
  for (std::size_t index = 0; index < sliceCount(data.image, axis); ++index) {
    Result<LabelSlice> labels = data.labels.slice(axis, index);
    if (!labels) return labels.error();
    if (std::all_of(labels->values.begin(), labels->values.end(),
                    [](std::uint16_t v) { return v == 0; })) {
      continue;
    }
    Result<RgbImage> picture = slicePicture(data.image, axis, index, window);
    if (!picture) return picture.error();
    const QString name = QStringLiteral("%1_%2_%3.png")
                             .arg(item.id, QString::fromLatin1(sliceAxisName(axis)))
                             .arg(index, 4, 10, QLatin1Char('0'));
    if (Status written = writePicture(picture.value(), grey, images.filePath(name)); !written) {
      return written;
    }
    const QJsonObject image{
        {QStringLiteral("medsa_case"), item.id},
        {QStringLiteral("medsa_slice"),
         QJsonObject{{QStringLiteral("axis"), QString::fromLatin1(sliceAxisName(axis))},
                     {QStringLiteral("index"), qint64(index)}}}};
    if (Status added =
            addPicture(coco, QStringLiteral("images/") + name, std::size_t(labels->width),
                       std::size_t(labels->height), labels->values.data(), image);
        !added) {
      return added;
    }
  }
  return {};
}

}  // namespace

Status exportCoco(const ExportContext& context) {
  const QDir out(context.folder);
  if (!out.mkpath(QStringLiteral("images"))) {
    return exportError(ErrorCode::WriteFailed, "cannot create the folder",
                       out.filePath(QStringLiteral("images")));
  }
  const QDir images(out.filePath(QStringLiteral("images")));
  CocoDocument coco;
  for (std::size_t i = 0; i < context.request.cases.size(); ++i) {
    Result<CaseData> data = loadCase(context, i);
    if (!data) return data.error();
    const ExportCase& item = context.request.cases[i];
    if (!data->picture) {
      if (Status added = addVolumeSlices(coco, item, data.value(), images); !added) return added;
      continue;
    }
    Result<QString> name = placePicture(item, data.value(), images);
    if (!name) return name.error();
    const Image& labels = data->labels.image();
    const Status added = addPicture(coco, QStringLiteral("images/") + name.value(), labels.size(0),
                                    labels.size(1), labels.data<std::uint16_t>(),
                                    QJsonObject{{QStringLiteral("medsa_case"), item.id}});
    if (!added) return added;
  }

  QJsonArray categories;
  for (const Label& label : context.request.labels.labels()) {
    categories.append(
        QJsonObject{{QStringLiteral("id"), int(label.value)},
                    {QStringLiteral("name"), label.name},
                    {QStringLiteral("supercategory"),
                     label.category.isEmpty() ? QStringLiteral("label") : label.category.meaning}});
  }
  const QDateTime now = QDateTime::currentDateTimeUtc();
  const QJsonObject info{{QStringLiteral("description"), context.request.datasetName},
                         {QStringLiteral("version"), QStringLiteral("1.0")},
                         {QStringLiteral("year"), now.date().year()},
                         {QStringLiteral("contributor"), QStringLiteral("Med-SA Studio")},
                         {QStringLiteral("date_created"), now.toString(Qt::ISODate)}};
  return writeJson(out.filePath(QStringLiteral("annotations.json")),
                   QJsonObject{{QStringLiteral("info"), info},
                               {QStringLiteral("licenses"), QJsonArray{}},
                               {QStringLiteral("images"), coco.images},
                               {QStringLiteral("annotations"), coco.annotations},
                               {QStringLiteral("categories"), categories}},
                   false);
}

}  // namespace medsa::annotations::exporting
