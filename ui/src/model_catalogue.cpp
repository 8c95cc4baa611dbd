#include "medsa/ui/model_catalogue.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>
#include <QUrl>

namespace medsa::ui {
namespace {

constexpr qint64 kMaxCatalogueBytes = 1 << 20;

Error invalid(const QString& source, const QString& message) {
  return Error{ErrorCode::CorruptData, message.toStdString(), source.toStdString()};
}

/// A required non-empty string member, or an error naming the entry and the member.
std::optional<QString> text(const QJsonObject& object, const char* key) {
  const QJsonValue value = object.value(QLatin1String(key));
  if (!value.isString() || value.toString().trimmed().isEmpty()) return std::nullopt;
  return value.toString();
}

Result<CatalogueEntry> parseEntry(const QJsonObject& object, int index, const QString& source) {
  const QString where = QStringLiteral("model %1").arg(index + 1);
  CatalogueEntry entry;
  for (const auto& [key, target] :
       {std::pair{"id", &entry.id}, std::pair{"name", &entry.name},
        std::pair{"publisher", &entry.publisher}, std::pair{"file", &entry.file},
        std::pair{"checksum_source", &entry.checksumSource}, std::pair{"licence", &entry.licence},
        std::pair{"profile", &entry.profile}, std::pair{"architecture", &entry.architecture}}) {
    const std::optional<QString> value = text(object, key);
    if (!value)
      return invalid(
          source,
          QStringLiteral("%1: '%2' must be a non-empty string").arg(where, QLatin1String(key)));
    *target = *value;
  }
  const QString named = QStringLiteral("model '%1'").arg(entry.id);
  if (entry.file.contains(QLatin1Char('/')) || entry.file.startsWith(QLatin1Char('.')))
    return invalid(
        source,
        QStringLiteral("%1: 'file' must be a plain file name, not '%2'").arg(named, entry.file));
  if (entry.profile != QLatin1String("sam") && entry.profile != QLatin1String("medsam"))
    return invalid(
        source,
        QStringLiteral("%1: profile '%2' is neither 'sam' nor 'medsam'").arg(named, entry.profile));
  entry.page = object.value(QLatin1String("page")).toString();
  entry.bundled = object.value(QLatin1String("bundled")).toBool(false);

  const QJsonValue url = object.value(QLatin1String("url"));
  if (!url.isNull() && !url.isUndefined()) {
    if (!url.isString())
      return invalid(source, QStringLiteral("%1: 'url' must be a string or null").arg(named));
    entry.url = url.toString();
  }
  entry.directDownload =
      object.value(QLatin1String("direct_download")).toBool(!entry.bundled && !entry.url.isEmpty());
  if (entry.directDownload) {
    const QUrl parsed(entry.url, QUrl::StrictMode);
    if (!parsed.isValid() ||
        (parsed.scheme() != QLatin1String("https") && parsed.scheme() != QLatin1String("http")))
      return invalid(source, QStringLiteral("%1: a direct download needs an http(s) url, not '%2'")
                                 .arg(named, entry.url));
  }

  const QJsonValue size = object.value(QLatin1String("size"));
  if (!size.isNull() && !size.isUndefined()) {
    const double bytes = size.toDouble(-1);
    // Whole and exactly representable: JSON numbers are doubles here.
    if (!size.isDouble() || bytes <= 0 || bytes != static_cast<double>(size.toInteger()) ||
        bytes > 9.0e15)
      return invalid(source, QStringLiteral("%1: 'size' must be a positive whole number of bytes "
                                            "or null")
                                 .arg(named));
    entry.size = size.toInteger();
  }
  const QJsonValue sha = object.value(QLatin1String("sha256"));
  if (!sha.isNull() && !sha.isUndefined()) {
    if (!sha.isString() || !isSha256Hex(sha.toString()))
      return invalid(source,
                     QStringLiteral("%1: 'sha256' must be 64 hex digits or null").arg(named));
    entry.sha256 = sha.toString().toLower();
  }
  return entry;
}

}  // namespace

bool isSha256Hex(const QString& text) {
  if (text.size() != 64) return false;
  for (const QChar c : text) {
    if (!c.isDigit() && !(c >= QLatin1Char('a') && c <= QLatin1Char('f')) &&
        !(c >= QLatin1Char('A') && c <= QLatin1Char('F')))
      return false;
  }
  return true;
}

Result<ModelCatalogue> ModelCatalogue::parse(const QByteArray& json, const QString& source) {
  QJsonParseError error;
  const QJsonDocument document = QJsonDocument::fromJson(json, &error);
  if (error.error != QJsonParseError::NoError)
    return invalid(
        source,
        QStringLiteral("not valid JSON at byte %1: %2").arg(error.offset).arg(error.errorString()));
  const QJsonObject root = document.object();
  if (root.value(QLatin1String("format")).toInt() != 1)
    return invalid(source, QStringLiteral("'format' must be 1 (a catalogue of another version?)"));
  const QJsonValue models = root.value(QLatin1String("models"));
  if (!models.isArray() || models.toArray().isEmpty())
    return invalid(source, QStringLiteral("'models' must be a non-empty array"));

  ModelCatalogue catalogue;
  catalogue.source_ = source;
  QSet<QString> ids, files;
  const QJsonArray array = models.toArray();
  for (int i = 0; i < array.size(); ++i) {
    if (!array[i].isObject())
      return invalid(source, QStringLiteral("model %1 is not an object").arg(i + 1));
    Result<CatalogueEntry> entry = parseEntry(array[i].toObject(), i, source);
    if (!entry) return entry.error();
    if (ids.contains(entry->id) || files.contains(entry->file))
      return invalid(source, QStringLiteral("model '%1': its id or file name '%2' is used twice")
                                 .arg(entry->id, entry->file));
    ids.insert(entry->id);
    files.insert(entry->file);
    catalogue.entries_.append(std::move(entry).value());
  }
  return catalogue;
}

Result<ModelCatalogue> ModelCatalogue::load(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return Error{QFileInfo::exists(path) ? ErrorCode::ReadFailed : ErrorCode::FileNotFound,
                 "cannot open the model catalogue: " + file.errorString().toStdString(),
                 path.toStdString()};
  if (file.size() > kMaxCatalogueBytes)
    return invalid(path, QStringLiteral("a model catalogue is at most 1 MiB"));
  return parse(file.readAll(), path);
}

Result<ModelCatalogue> ModelCatalogue::builtin() {
  return load(QStringLiteral(":/medsa/model_catalogue.json"));
}

const CatalogueEntry* ModelCatalogue::find(const QString& idOrFile) const {
  for (const CatalogueEntry& entry : entries_) {
    if (entry.id == idOrFile || entry.file == idOrFile) return &entry;
  }
  return nullptr;
}

const CatalogueEntry* ModelCatalogue::findBySha256(const QString& sha256) const {
  const QString wanted = sha256.toLower();
  for (const CatalogueEntry& entry : entries_) {
    if (entry.hasChecksum() && entry.sha256 == wanted) return &entry;
  }
  return nullptr;
}

FileVerdict judgeFile(const ModelCatalogue& catalogue, const QString& path, const QString& sha256) {
  FileVerdict verdict;
  verdict.sha256 = sha256.toLower();
  if (const CatalogueEntry* entry = catalogue.findBySha256(verdict.sha256)) {
    verdict.kind = FileVerdict::Kind::Verified;
    verdict.entry = entry;
    return verdict;
  }
  const CatalogueEntry* named = catalogue.find(QFileInfo(path).fileName());
  if (!named) return verdict;  // Unknown
  verdict.entry = named;
  if (named->hasChecksum()) {
    verdict.kind = FileVerdict::Kind::Mismatch;
    verdict.expected = named->sha256;
  } else {
    verdict.kind = FileVerdict::Kind::Unverified;
  }
  return verdict;
}

}  // namespace medsa::ui
