#include "medsa/annotations/project_store.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include "medsa/annotations/label_map_io.h"
#include "medsa/core/sha256.h"
#include "project_schema.h"
#include "project_sql.h"

#include <pwd.h>
#include <unistd.h>

namespace medsa::annotations {

using sql::connection;
using sql::now;
using sql::sqlError;
using sql::text;
using sql::writeTransaction;

namespace {

const QString kCaseColumns = QStringLiteral(
    "c.id, c.name, c.image_path, c.series_uid, c.content_hash, c.kind, c.modality, c.status, "
    "c.assignee, c.seconds, c.clicks, c.interactions, c.model, c.adapter, c.position, c.split, "
    "c.done_at, v.id, v.case_id, "
    "v.version, v.path, v.sha256, v.saved_at, v.saved_by, v.voxels");
const QString kCaseFrom = QStringLiteral(
    " FROM cases c LEFT JOIN label_versions v ON v.case_id = c.id AND v.version = "
    "(SELECT MAX(version) FROM label_versions WHERE case_id = c.id)");
const QString kVersionColumns =
    QStringLiteral("id, case_id, version, path, sha256, saved_at, saved_by, voxels");

QString voxelsJson(const QMap<quint16, qint64>& voxels) {
  QJsonObject object;
  for (auto it = voxels.begin(); it != voxels.end(); ++it)
    object.insert(QString::number(it.key()), static_cast<double>(it.value()));
  return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QMap<quint16, qint64> voxelsFromJson(const QString& text) {
  QMap<quint16, qint64> voxels;
  const QJsonObject object = QJsonDocument::fromJson(text.toUtf8()).object();
  for (auto it = object.begin(); it != object.end(); ++it)
    voxels.insert(static_cast<quint16>(it.key().toUInt()),
                  static_cast<qint64>(it.value().toDouble()));
  return voxels;
}

QMap<quint16, qint64> countVoxels(const LabelMap& map) {
  QMap<quint16, qint64> voxels;
  const Image& image = map.image();
  const auto* data = image.data<std::uint16_t>();
  for (std::size_t i = 0; i < image.voxelCount(); ++i)
    if (data[i]) ++voxels[data[i]];
  return voxels;
}

LabelVersion versionFrom(const QSqlQuery& q, int at, const ProjectStore& store) {
  LabelVersion v;
  v.id = q.value(at).toLongLong();
  v.caseId = q.value(at + 1).toLongLong();
  v.version = q.value(at + 2).toInt();
  v.path = store.resolve(q.value(at + 3).toString());
  v.sha256 = q.value(at + 4).toString();
  v.savedAt = QDateTime::fromString(q.value(at + 5).toString(), Qt::ISODateWithMs);
  v.savedBy = q.value(at + 6).toString();
  v.voxels = voxelsFromJson(q.value(at + 7).toString());
  return v;
}

/// Opens (and creates, for a new project) the SQLite file with the settings every use needs.
Result<QString> openDatabase(const QString& path) {
  const QString name =
      QStringLiteral("medsa-project-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
  {
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    // Another writer (the CLI, a second window) waits its turn instead of failing at once.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!db.open()) {
      const Error error{ErrorCode::ReadFailed,
                        "cannot open the project database: " + db.lastError().text().toStdString(),
                        path.toStdString()};
      db = QSqlDatabase();
      QSqlDatabase::removeDatabase(name);
      return error;
    }
    QSqlQuery query(db);
    // WAL: readers never block the writer; FULL: a committed save survives a power cut.
    query.exec(QStringLiteral("PRAGMA journal_mode = WAL"));
    query.exec(QStringLiteral("PRAGMA synchronous = FULL"));
    query.exec(QStringLiteral("PRAGMA foreign_keys = ON"));
  }
  return name;
}

void closeDatabase(const QString& name) {
  {
    QSqlDatabase db = connection(name);
    if (db.isValid()) db.close();
  }
  QSqlDatabase::removeDatabase(name);
}

}  // namespace

QString caseStatusName(CaseStatus status) {
  switch (status) {
    case CaseStatus::New:
      return QStringLiteral("new");
    case CaseStatus::InProgress:
      return QStringLiteral("in-progress");
    case CaseStatus::Done:
      return QStringLiteral("done");
    case CaseStatus::Reviewed:
      return QStringLiteral("reviewed");
    case CaseStatus::Skipped:
      return QStringLiteral("skipped");
  }
  return {};
}

std::optional<CaseStatus> caseStatusFromName(const QString& name) {
  for (CaseStatus status : {CaseStatus::New, CaseStatus::InProgress, CaseStatus::Done,
                            CaseStatus::Reviewed, CaseStatus::Skipped})
    if (caseStatusName(status) == name) return status;
  return std::nullopt;
}

QString currentUser() {
  if (const passwd* entry = ::getpwuid(::geteuid()); entry && entry->pw_name)
    return QString::fromLocal8Bit(entry->pw_name);
  return qEnvironmentVariable("USER", QStringLiteral("unknown"));
}

ProjectStore::ProjectStore(QString folder, QString connection)
    : folder_(std::move(folder)), connection_(std::move(connection)) {}

ProjectStore::~ProjectStore() { closeDatabase(connection_); }

bool ProjectStore::exists(const QString& folder) {
  return QFileInfo(QDir(folder).filePath(QString::fromLatin1(kDatabaseName))).isFile();
}

QString ProjectStore::databasePath() const {
  return QDir(folder_).filePath(QString::fromLatin1(kDatabaseName));
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::create(const QString& folder,
                                                           const QString& name,
                                                           const LabelSet& labels) {
  const QString absolute = QFileInfo(folder).absoluteFilePath();
  if (exists(absolute))
    return Error{ErrorCode::InvalidArgument, "the folder already holds a project",
                 absolute.toStdString()};
  if (name.trimmed().isEmpty())
    return Error{ErrorCode::InvalidArgument, "a project needs a name", absolute.toStdString()};
  if (!QDir().mkpath(absolute))
    return Error{ErrorCode::WriteFailed, "cannot create the project folder",
                 absolute.toStdString()};
  Result<QString> db = openDatabase(QDir(absolute).filePath(QString::fromLatin1(kDatabaseName)));
  if (!db) return db.error();
  std::unique_ptr<ProjectStore> store(new ProjectStore(absolute, db.value()));
  QSqlDatabase handle = connection(store->connection_);
  if (Status migrated = schema::migrate(handle, store->databasePath()); !migrated)
    return migrated.error();
  Status written =
      writeTransaction(store->connection_, store->databasePath(), [&](QSqlDatabase& d) -> Status {
        QSqlQuery q(d);
        q.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"));
        for (const auto& [key, value] :
             {std::pair{QStringLiteral("name"), name.trimmed()},
              std::pair{QStringLiteral("created"), now()},
              std::pair{QStringLiteral("project_id"),
                        QUuid::createUuid().toString(QUuid::WithoutBraces)}}) {
          q.addBindValue(key);
          q.addBindValue(value);
          if (!q.exec()) return sqlError(q, store->databasePath(), "cannot write the project");
        }
        return {};
      });
  if (!written) return written.error();
  if (Status set = store->setLabels(labels); !set) return set.error();
  for (const char* sub : {"labels", "images", "adapters"})
    QDir(absolute).mkpath(QString::fromLatin1(sub));
  store->name_ = name.trimmed();
  return store;
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::open(const QString& folder) {
  const QString absolute = QFileInfo(folder).absoluteFilePath();
  const QString path = QDir(absolute).filePath(QString::fromLatin1(kDatabaseName));
  if (!QFileInfo(path).isFile())
    return Error{ErrorCode::FileNotFound, "no project here (no project.medsa)",
                 absolute.toStdString()};
  Result<QString> db = openDatabase(path);
  if (!db) return db.error();
  std::unique_ptr<ProjectStore> store(new ProjectStore(absolute, db.value()));
  QSqlDatabase handle = connection(store->connection_);
  Result<int> version = schema::versionOf(handle, path);
  if (!version) return version.error();
  if (version.value() == 0)
    return Error{ErrorCode::CorruptData, "the project database is empty", path.toStdString()};
  if (Status migrated = schema::migrate(handle, path); !migrated) return migrated.error();
  if (Status named = store->loadName(); !named) return named.error();
  return store;
}

Status ProjectStore::loadName() {
  QSqlQuery q(connection(connection_));
  if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'name'")) || !q.next())
    return Error{ErrorCode::CorruptData, "the project has no name", databasePath().toStdString()};
  name_ = q.value(0).toString();
  return {};
}

int ProjectStore::schemaVersion() const {
  QSqlDatabase db = connection(connection_);
  Result<int> version = schema::versionOf(db, databasePath());
  return version ? version.value() : 0;
}

QString ProjectStore::resolve(const QString& stored) const {
  if (stored.isEmpty() || QFileInfo(stored).isAbsolute()) return stored;
  return QDir(folder_).absoluteFilePath(stored);
}

QString ProjectStore::storable(const QString& path) const {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  const QString relative = QDir(folder_).relativeFilePath(absolute);
  // Inside the project: relative, so the project folder can move as a whole.
  return relative.startsWith(QStringLiteral("..")) ? absolute : relative;
}

// --- labels ---

Result<LabelSet> ProjectStore::labels() const {
  QSqlQuery q(connection(connection_));
  if (!q.exec(QStringLiteral("SELECT value, name, colour, code_scheme, code_value, code_meaning, "
                             "category_scheme, category_value, category_meaning FROM labels "
                             "ORDER BY value")))
    return sqlError(q, databasePath(), "cannot read the label set");
  LabelSet set;
  while (q.next()) {
    Label label{static_cast<quint16>(q.value(0).toUInt()), q.value(1).toString(),
                QColor(q.value(2).toString()), true, false};
    label.code = {q.value(3).toString(), q.value(4).toString(), q.value(5).toString()};
    label.category = {q.value(6).toString(), q.value(7).toString(), q.value(8).toString()};
    set.insert(label);
  }
  return set;
}

Status ProjectStore::setLabels(const LabelSet& labels) {
  return writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    if (!q.exec(QStringLiteral("DELETE FROM labels")))
      return sqlError(q, databasePath(), "cannot write the label set");
    q.prepare(QStringLiteral(
        "INSERT INTO labels (value, name, colour, code_scheme, code_value, code_meaning, "
        "category_scheme, category_value, category_meaning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const Label& label : labels.labels()) {
      q.addBindValue(label.value);
      q.addBindValue(text(label.name));
      q.addBindValue(label.colour.name());
      for (const LabelCode* code : {&label.code, &label.category}) {
        q.addBindValue(text(code->scheme));
        q.addBindValue(text(code->value));
        q.addBindValue(text(code->meaning));
      }
      if (!q.exec()) return sqlError(q, databasePath(), "cannot write the label set");
    }
    return {};
  });
}

// --- cases ---

Result<std::vector<CaseRecord>> ProjectStore::queryCases(const QString& where,
                                                         const QVariantList& values) const {
  QSqlQuery q(connection(connection_));
  q.prepare(QStringLiteral("SELECT ") + kCaseColumns + kCaseFrom + where +
            QStringLiteral(" ORDER BY c.position"));
  for (const QVariant& value : values) q.addBindValue(value);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot read the cases");
  std::vector<CaseRecord> cases;
  while (q.next()) {
    CaseRecord c;
    c.id = q.value(0).toLongLong();
    c.name = q.value(1).toString();
    c.imagePath = resolve(q.value(2).toString());
    c.series = q.value(3).toString();
    c.contentHash = q.value(4).toString();
    c.picture = q.value(5).toString() == QStringLiteral("picture");
    c.modality = q.value(6).toString();
    c.status = caseStatusFromName(q.value(7).toString()).value_or(CaseStatus::New);
    c.assignee = q.value(8).toString();
    c.seconds = q.value(9).toDouble();
    c.clicks = q.value(10).toLongLong();
    c.interactions = q.value(11).toLongLong();
    c.model = q.value(12).toString();
    c.adapter = q.value(13).toString();
    c.position = q.value(14).toInt();
    c.split = q.value(15).toString();
    c.doneAt = QDateTime::fromString(q.value(16).toString(), Qt::ISODateWithMs);
    if (!q.value(17).isNull()) c.latest = versionFrom(q, 17, *this);
    cases.push_back(std::move(c));
  }
  return cases;
}

Result<std::vector<CaseRecord>> ProjectStore::cases() const { return queryCases({}, {}); }

Result<CaseRecord> ProjectStore::caseById(qint64 id) const {
  Result<std::vector<CaseRecord>> found = queryCases(QStringLiteral(" WHERE c.id = ?"), {id});
  if (!found) return found.error();
  if (found->empty())
    return Error{ErrorCode::InvalidArgument, "no case " + std::to_string(id) + " in the project",
                 databasePath().toStdString()};
  return found->front();
}

Result<std::optional<CaseRecord>> ProjectStore::caseByName(const QString& name) const {
  Result<std::vector<CaseRecord>> found = queryCases(QStringLiteral(" WHERE c.name = ?"), {name});
  if (!found) return found.error();
  if (found->empty()) return std::optional<CaseRecord>{};
  return std::optional<CaseRecord>(found->front());
}

Result<ProjectStore::Added> ProjectStore::addCase(const NewCase& added) {
  Added result;
  qint64 id = 0;
  Status written = writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    q.prepare(QStringLiteral("SELECT id FROM cases WHERE content_hash = ? AND series_uid = ?"));
    q.addBindValue(text(added.contentHash));
    q.addBindValue(text(added.series));
    if (!q.exec()) return sqlError(q, databasePath(), "cannot read the cases");
    if (q.next()) {  // the same image is in the project already
      id = q.value(0).toLongLong();
      return {};
    }
    // Names are unique: a second "scan" becomes "scan_2".
    QString name = added.name;
    for (int n = 2;; ++n) {
      q.prepare(QStringLiteral("SELECT 1 FROM cases WHERE name = ?"));
      q.addBindValue(name);
      if (!q.exec()) return sqlError(q, databasePath(), "cannot read the cases");
      if (!q.next()) break;
      name = added.name + QLatin1Char('_') + QString::number(n);
    }
    q.prepare(QStringLiteral(
        "INSERT INTO cases (name, image_path, series_uid, content_hash, kind, modality, status, "
        "assignee, position, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "(SELECT COALESCE(MAX(position), 0) + 1 FROM cases), ?, ?)"));
    for (const QVariant& value :
         QVariantList{name, storable(added.imagePath), text(added.series), text(added.contentHash),
                      added.picture ? QStringLiteral("picture") : QStringLiteral("volume"),
                      text(added.modality), caseStatusName(added.status),
                      added.assignee.isEmpty() ? currentUser() : added.assignee, now(), now()})
      q.addBindValue(value);
    if (!q.exec()) return sqlError(q, databasePath(), "cannot add the case");
    id = q.lastInsertId().toLongLong();
    result.added = true;
    return {};
  });
  if (!written) return written.error();
  Result<CaseRecord> record = caseById(id);
  if (!record) return record.error();
  result.record = std::move(record).value();
  return result;
}

namespace {

/// One UPDATE of one case; an unknown case is an error, not a silent no-op.
Status updateCase(const QString& connectionName, const QString& path, qint64 id,
                  const QString& assignments, const QVariantList& values) {
  QSqlQuery q(connection(connectionName));
  q.prepare(QStringLiteral("UPDATE cases SET ") + assignments +
            QStringLiteral(", updated = ? WHERE id = ?"));
  for (const QVariant& value : values) q.addBindValue(value);
  q.addBindValue(now());
  q.addBindValue(id);
  if (!q.exec()) return sqlError(q, path, "cannot update the case");
  if (q.numRowsAffected() != 1)
    return Error{ErrorCode::InvalidArgument, "no case " + std::to_string(id) + " in the project",
                 path.toStdString()};
  return {};
}

}  // namespace

Status ProjectStore::setStatus(qint64 caseId, CaseStatus status) {
  // The first time a case is finished is when it joins the effort curve.
  if (isLabelled(status))
    return updateCase(connection_, databasePath(), caseId,
                      QStringLiteral("status = ?, done_at = CASE WHEN done_at = '' THEN ? ELSE "
                                     "done_at END"),
                      {caseStatusName(status), now()});
  return updateCase(connection_, databasePath(), caseId, QStringLiteral("status = ?"),
                    {caseStatusName(status)});
}

Status ProjectStore::setAssignee(qint64 caseId, const QString& user) {
  return updateCase(connection_, databasePath(), caseId, QStringLiteral("assignee = ?"),
                    {text(user)});
}

Status ProjectStore::addEffort(qint64 caseId, double seconds, qint64 clicks, qint64 interactions) {
  return updateCase(connection_, databasePath(), caseId,
                    QStringLiteral("seconds = seconds + ?, clicks = clicks + ?, interactions = "
                                   "interactions + ?"),
                    {seconds, clicks, interactions});
}

Status ProjectStore::setModel(qint64 caseId, const QString& model, const QString& adapter) {
  return updateCase(connection_, databasePath(), caseId, QStringLiteral("model = ?, adapter = ?"),
                    {text(model), text(adapter)});
}

Status ProjectStore::relink(qint64 caseId, const QString& imagePath, const QString& contentHash) {
  Result<CaseRecord> record = caseById(caseId);
  if (!record) return record.error();
  if (record->contentHash != contentHash)
    return Error{ErrorCode::InvalidArgument,
                 "this is not the case's image (its content differs from the one imported)",
                 imagePath.toStdString()};
  return updateCase(connection_, databasePath(), caseId, QStringLiteral("image_path = ?"),
                    {storable(imagePath)});
}

// --- label versions ---

Result<LabelVersion> ProjectStore::saveLabels(qint64 caseId, const LabelMap& map,
                                              const LabelSet& labels, const QString& user) {
  Result<CaseRecord> record = caseById(caseId);
  if (!record) return record.error();
  LabelVersion saved;
  Status written = writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    q.prepare(
        QStringLiteral("SELECT COALESCE(MAX(version), 0) + 1 FROM label_versions WHERE "
                       "case_id = ?"));
    q.addBindValue(caseId);
    if (!q.exec() || !q.next()) return sqlError(q, databasePath(), "cannot read the versions");
    const int version = q.value(0).toInt();
    const QString file = QDir(folder_).filePath(
        QStringLiteral("labels/%1/v%2%3")
            .arg(record->name)
            .arg(version)
            .arg(record->picture ? QStringLiteral(".png") : QStringLiteral(".nii.gz")));
    if (!QDir().mkpath(QFileInfo(file).absolutePath()))
      return Error{ErrorCode::WriteFailed, "cannot create the case's label folder",
                   file.toStdString()};
    // The file first (atomically): a version row never points at a missing or torn file.
    if (Status s = saveLabelMap(map, labels, file); !s) return s;
    Result<std::string> hash = sha256File(file.toStdString());
    if (!hash) return hash.error();
    saved = LabelVersion{0,
                         caseId,
                         version,
                         file,
                         QString::fromStdString(hash.value()),
                         QDateTime::currentDateTimeUtc(),
                         user,
                         countVoxels(map)};
    q.prepare(QStringLiteral(
        "INSERT INTO label_versions (case_id, version, path, sha256, saved_at, saved_by, "
        "voxels) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant& value : QVariantList{caseId, version, storable(file), saved.sha256,
                                              saved.savedAt.toString(Qt::ISODateWithMs), text(user),
                                              voxelsJson(saved.voxels)})
      q.addBindValue(value);
    if (!q.exec()) return sqlError(q, databasePath(), "cannot record the label version");
    saved.id = q.lastInsertId().toLongLong();
    // Labels on a case mean work has begun on it.
    q.prepare(
        QStringLiteral("UPDATE cases SET status = 'in-progress', updated = ? WHERE id = ? "
                       "AND status = 'new'"));
    q.addBindValue(now());
    q.addBindValue(caseId);
    if (!q.exec()) return sqlError(q, databasePath(), "cannot update the case");
    return {};
  });
  if (!written) return written.error();
  return saved;
}

Result<std::vector<LabelVersion>> ProjectStore::labelVersions(qint64 caseId) const {
  QSqlQuery q(connection(connection_));
  q.prepare(QStringLiteral("SELECT ") + kVersionColumns +
            QStringLiteral(" FROM label_versions WHERE case_id = ? ORDER BY version"));
  q.addBindValue(caseId);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot read the label versions");
  std::vector<LabelVersion> versions;
  while (q.next()) versions.push_back(versionFrom(q, 0, *this));
  return versions;
}

}  // namespace medsa::annotations
