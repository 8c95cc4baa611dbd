#include "medsa/annotations/autosave_store.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>

#include "medsa/core/atomic_file.h"

namespace medsa::annotations {
namespace {

const QByteArray kMagic = QByteArrayLiteral("MEDSA-AUTOSAVE-1\n");

QJsonArray toArray(const double* values, int n) {
  QJsonArray array;
  for (int i = 0; i < n; ++i) array.append(values[i]);
  return array;
}

bool fromArray(const QJsonValue& value, double* out, int n) {
  const QJsonArray array = value.toArray();
  if (array.size() != n) return false;
  for (int i = 0; i < n; ++i) {
    if (!array[i].isDouble()) return false;
    out[i] = array[i].toDouble();
  }
  return true;
}

Error damaged(const QString& path, const std::string& why) {
  return Error{ErrorCode::CorruptData, "autosave is damaged: " + why, path.toStdString()};
}

}  // namespace

bool AutosaveStore::exists() const { return QFile::exists(filePath_); }

void AutosaveStore::remove() const { QFile::remove(filePath_); }

Result<QByteArray> AutosaveStore::encode(const AutosaveSnapshot& snapshot) {
  const Image& labels = snapshot.labelImage;
  if (labels.isEmpty() || labels.pixelType() != PixelType::U16 || labels.components() != 1) {
    return Error{ErrorCode::InvalidArgument, "nothing to autosave", {}};
  }
  const QByteArray payload =
      qCompress(reinterpret_cast<const uchar*>(labels.bytes()),
                static_cast<qsizetype>(labels.byteCount()), 1);  // fast: labels compress well
  QJsonObject header;
  header[QStringLiteral("imagePath")] = snapshot.imagePath;
  header[QStringLiteral("imageId")] = snapshot.imageId;
  header[QStringLiteral("series")] = snapshot.series;
  header[QStringLiteral("savedAt")] = snapshot.savedAt.toString(Qt::ISODateWithMs);
  header[QStringLiteral("size")] =
      QJsonArray{double(labels.size(0)), double(labels.size(1)), double(labels.size(2))};
  header[QStringLiteral("spacing")] = toArray(labels.geometry.spacing.data(), 3);
  header[QStringLiteral("origin")] = toArray(labels.geometry.origin.data(), 3);
  header[QStringLiteral("direction")] = toArray(labels.geometry.direction.data(), 9);
  header[QStringLiteral("labels")] = snapshot.labels.toJson();
  header[QStringLiteral("payloadBytes")] = double(payload.size());
  header[QStringLiteral("payloadSha1")] =
      QString::fromLatin1(QCryptographicHash::hash(payload, QCryptographicHash::Sha1).toHex());
  const QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
  return kMagic + json + '\n' + payload;
}

namespace {

struct Header {
  QJsonObject json;
  qsizetype payloadOffset = 0;
};

Result<Header> decodeHeader(const QByteArray& bytes, const QString& path) {
  if (!bytes.startsWith(kMagic)) return damaged(path, "not a Med-SA Studio autosave");
  const qsizetype end = bytes.indexOf('\n', kMagic.size());
  if (end < 0) return damaged(path, "the header is cut short");
  QJsonParseError parseError;
  const QJsonDocument doc =
      QJsonDocument::fromJson(bytes.mid(kMagic.size(), end - kMagic.size()), &parseError);
  if (!doc.isObject()) return damaged(path, parseError.errorString().toStdString());
  return Header{doc.object(), end + 1};
}

/// The snapshot's fields from its header, without the label volume.
Result<AutosaveSnapshot> snapshotOf(const QJsonObject& header) {
  Result<LabelSet> set = LabelSet::fromJson(header.value(QStringLiteral("labels")).toObject());
  if (!set) return set.error();
  AutosaveSnapshot snapshot;
  snapshot.imagePath = header.value(QStringLiteral("imagePath")).toString();
  snapshot.imageId = header.value(QStringLiteral("imageId")).toString();
  snapshot.series = header.value(QStringLiteral("series")).toString();
  snapshot.savedAt =
      QDateTime::fromString(header.value(QStringLiteral("savedAt")).toString(), Qt::ISODateWithMs);
  snapshot.labels = std::move(set).value();
  return snapshot;
}

}  // namespace

Result<AutosaveSnapshot> AutosaveStore::decode(const QByteArray& bytes, const QString& path) {
  Result<Header> parsed = decodeHeader(bytes, path);
  if (!parsed) return parsed.error();
  const QJsonObject& header = parsed->json;
  const QByteArray payload = bytes.mid(parsed->payloadOffset);
  if (payload.size() !=
          static_cast<qsizetype>(header.value(QStringLiteral("payloadBytes")).toDouble()) ||
      QString::fromLatin1(QCryptographicHash::hash(payload, QCryptographicHash::Sha1).toHex()) !=
          header.value(QStringLiteral("payloadSha1")).toString()) {
    return damaged(path, "the label data does not match its checksum");
  }
  double size[3];
  if (!fromArray(header.value(QStringLiteral("size")), size, 3) || size[0] < 1 || size[1] < 1 ||
      size[2] < 1) {
    return damaged(path, "no valid size");
  }
  Result<Image> created = Image::create(
      {std::size_t(size[0]), std::size_t(size[1]), std::size_t(size[2]), 1}, 1, PixelType::U16);
  if (!created) return created.error();
  Image labels = std::move(created).value();
  if (!fromArray(header.value(QStringLiteral("spacing")), labels.geometry.spacing.data(), 3) ||
      !fromArray(header.value(QStringLiteral("origin")), labels.geometry.origin.data(), 3) ||
      !fromArray(header.value(QStringLiteral("direction")), labels.geometry.direction.data(), 9)) {
    return damaged(path, "no valid geometry");
  }
  const QByteArray raw = qUncompress(payload);
  if (static_cast<std::size_t>(raw.size()) != labels.byteCount()) {
    return damaged(path, "the label data has the wrong size");
  }
  std::memcpy(labels.bytes(), raw.constData(), labels.byteCount());
  Result<AutosaveSnapshot> snapshot = snapshotOf(header);
  if (!snapshot) return snapshot.error();
  snapshot->labelImage = std::move(labels);
  return snapshot;
}

Result<AutosaveSnapshot> AutosaveStore::readHeader() const {
  QFile file(filePath_);
  if (!file.open(QIODevice::ReadOnly)) {
    return Error{file.exists() ? ErrorCode::ReadFailed : ErrorCode::FileNotFound,
                 file.errorString().toStdString(), filePath_.toStdString()};
  }
  // The header is one line of JSON; a label set of thousands of labels still fits in 4 MiB.
  const QByteArray head = file.read(qint64(4) << 20);
  Result<Header> parsed = decodeHeader(head, filePath_);
  if (!parsed) return parsed.error();
  return snapshotOf(parsed->json);
}

Status AutosaveStore::write(const AutosaveSnapshot& snapshot) const {
  Result<QByteArray> bytes = encode(snapshot);
  if (!bytes) return bytes.error();
  const QString folder = QFileInfo(filePath_).absolutePath();
  if (!QDir().mkpath(folder)) {
    return Error{ErrorCode::WriteFailed, "cannot create the autosave folder", folder.toStdString()};
  }
  return writeFileAtomically(filePath_.toStdString(),
                             std::string_view(bytes->constData(), std::size_t(bytes->size())));
}

Result<AutosaveSnapshot> AutosaveStore::read() const {
  Result<std::string> bytes = readWholeFile(filePath_.toStdString());
  if (!bytes) return bytes.error();
  return decode(QByteArray(bytes->data(), static_cast<qsizetype>(bytes->size())), filePath());
}

}  // namespace medsa::annotations
