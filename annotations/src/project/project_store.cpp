#include "medsa/annotations/project_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

#include "medsa/annotations/label_map_io.h"
#include "medsa/core/atomic_file.h"
#include "medsa/core/sha256.h"
#include "project_database.h"
#include "project_schema.h"
#include "project_sql.h"

#include <pwd.h>
#include <unistd.h>

namespace medsa::annotations {

using sql::Backend;
using sql::connection;
using sql::now;
using sql::sqlError;
using sql::text;
using sql::writeTransaction;

namespace {

const QString kCaseColumns = QStringLiteral(
    "c.id, c.name, c.image_path, c.series_uid, c.content_hash, c.kind, c.modality, c.status, "
    "c.assignee, c.seconds, c.clicks, c.interactions, c.model, c.adapter, c.position, c.split, "
    "c.done_at, c.lease_holder, c.lease_until, v.id, v.case_id, "
    "v.version, v.path, v.sha256, v.saved_at, v.saved_by, v.voxels, v.conflict");
// The latest version is the newest one that is not a conflict.
const QString kCaseFrom = QStringLiteral(
    " FROM cases c LEFT JOIN label_versions v ON v.case_id = c.id AND v.version = "
    "(SELECT MAX(version) FROM label_versions WHERE case_id = c.id AND conflict = '')");
const QString kVersionColumns =
    QStringLiteral("id, case_id, version, path, sha256, saved_at, saved_by, voxels, conflict");

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
  v.conflict = q.value(at + 8).toString();
  return v;
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
    : folder_(folder), location_(std::move(folder)), connection_(std::move(connection)) {}

ProjectStore::~ProjectStore() { database::close(connection_); }

bool ProjectStore::isDatabaseUrl(const QString& location) { return database::isUrl(location); }

bool ProjectStore::exists(const QString& location) {
  if (isDatabaseUrl(location)) return true;
  return QFileInfo(QDir(location).filePath(QString::fromLatin1(kDatabaseName))).isFile();
}

bool ProjectStore::shared() const { return shared_; }

QString ProjectStore::databasePath() const {
  return shared_ ? location_ : QDir(folder_).filePath(QString::fromLatin1(kDatabaseName));
}

namespace {

/// Writes the project's name and identity into a freshly migrated database.
Status writeMeta(const QString& connectionName, const QString& where, const QString& name) {
  return writeTransaction(connectionName, where, [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    q.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"));
    for (const auto& [key, value] :
         {std::pair{QStringLiteral("name"), name.trimmed()},
          std::pair{QStringLiteral("created"), now()},
          std::pair{QStringLiteral("project_id"),
                    QUuid::createUuid().toString(QUuid::WithoutBraces)}}) {
      q.addBindValue(key);
      q.addBindValue(value);
      if (!q.exec()) return sqlError(q, where, "cannot write the project");
    }
    return {};
  });
}

}  // namespace

Result<std::unique_ptr<ProjectStore>> ProjectStore::openUrl(const QString& url,
                                                            const Options& options,
                                                            const std::optional<NewProject>& made) {
  Result<database::PostgresAddress> address = database::parseUrl(url);
  if (!address) return address.error();
  const QString where = address->display();
  Result<QString> db = database::openPostgres(address.value());
  if (!db) return db.error();
  std::unique_ptr<ProjectStore> store(new ProjectStore(QString(), db.value()));
  store->location_ = where;
  store->shared_ = true;
  store->dataRoot_ =
      options.dataRoot.isEmpty() ? qEnvironmentVariable("MEDSA_DATA_ROOT") : options.dataRoot;
  if (!store->dataRoot_.isEmpty())
    store->dataRoot_ = QFileInfo(store->dataRoot_).absoluteFilePath();
  QSqlDatabase handle = connection(store->connection_);
  Result<int> version = schema::versionOf(handle, where);
  if (!version) return version.error();
  const bool creating = made.has_value();
  if (creating && version.value() > 0)
    return Error{ErrorCode::InvalidArgument, "the database already holds a project",
                 where.toStdString()};
  if (!creating && version.value() == 0)
    return Error{ErrorCode::FileNotFound,
                 "the database holds no project yet (medsa project create makes one)",
                 where.toStdString()};
  if (creating && made->name.trimmed().isEmpty())
    return Error{ErrorCode::InvalidArgument, "a project needs a name", where.toStdString()};
  if (Status migrated = schema::migrate(handle, where); !migrated) return migrated.error();
  if (creating) {
    if (Status written = writeMeta(store->connection_, where, made->name); !written)
      return written.error();
    if (Status set = store->setLabels(made->labels); !set) return set.error();
  }
  if (Status named = store->loadName(); !named) return named.error();
  if (Status cached = store->useCacheFolder(options); !cached) return cached.error();
  return store;
}

Status ProjectStore::useCacheFolder(const Options& options) {
  QSqlQuery q(connection(connection_));
  if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'project_id'")) || !q.next())
    return Error{ErrorCode::CorruptData, "the project has no identity", location_.toStdString()};
  const QString id = q.value(0).toString();
  folder_ = options.cacheFolder;
  if (folder_.isEmpty())
    folder_ = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation))
                  .filePath(QStringLiteral("medsa-studio/projects/") + id);
  folder_ = QFileInfo(folder_).absoluteFilePath();
  for (const char* sub : {"labels", "adapters"})
    if (!QDir().mkpath(QDir(folder_).filePath(QString::fromLatin1(sub))))
      return Error{ErrorCode::WriteFailed, "cannot create the project's cache folder",
                   folder_.toStdString()};
  return {};
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::create(const QString& folder,
                                                           const QString& name,
                                                           const LabelSet& labels,
                                                           const Options& options) {
  if (isDatabaseUrl(folder)) return openUrl(folder, options, NewProject{name, labels});
  const QString absolute = QFileInfo(folder).absoluteFilePath();
  if (exists(absolute))
    return Error{ErrorCode::InvalidArgument, "the folder already holds a project",
                 absolute.toStdString()};
  if (name.trimmed().isEmpty())
    return Error{ErrorCode::InvalidArgument, "a project needs a name", absolute.toStdString()};
  if (!QDir().mkpath(absolute))
    return Error{ErrorCode::WriteFailed, "cannot create the project folder",
                 absolute.toStdString()};
  Result<QString> db =
      database::openSqlite(QDir(absolute).filePath(QString::fromLatin1(kDatabaseName)));
  if (!db) return db.error();
  std::unique_ptr<ProjectStore> store(new ProjectStore(absolute, db.value()));
  QSqlDatabase handle = connection(store->connection_);
  if (Status migrated = schema::migrate(handle, store->databasePath()); !migrated)
    return migrated.error();
  if (Status written = writeMeta(store->connection_, store->databasePath(), name); !written)
    return written.error();
  if (Status set = store->setLabels(labels); !set) return set.error();
  for (const char* sub : {"labels", "images", "adapters"})
    QDir(absolute).mkpath(QString::fromLatin1(sub));
  store->name_ = name.trimmed();
  return store;
}

Result<std::unique_ptr<ProjectStore>> ProjectStore::open(const QString& folder,
                                                         const Options& options) {
  if (isDatabaseUrl(folder)) return openUrl(folder, options, std::nullopt);
  const QString absolute = QFileInfo(folder).absoluteFilePath();
  const QString path = QDir(absolute).filePath(QString::fromLatin1(kDatabaseName));
  if (!QFileInfo(path).isFile())
    return Error{ErrorCode::FileNotFound, "no project here (no project.medsa)",
                 absolute.toStdString()};
  Result<QString> db = database::openSqlite(path);
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

namespace {

QString relativeInside(const QString& root, const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  if (root.isEmpty()) return absolute;
  const QString relative = QDir(root).relativeFilePath(absolute);
  return relative.startsWith(QStringLiteral("..")) ? absolute : relative;
}

QString resolvedAgainst(const QString& root, const QString& stored) {
  if (stored.isEmpty() || QFileInfo(stored).isAbsolute() || root.isEmpty()) return stored;
  return QDir(root).absoluteFilePath(stored);
}

}  // namespace

QString ProjectStore::resolve(const QString& stored) const {
  return resolvedAgainst(folder_, stored);
}

QString ProjectStore::storable(const QString& path) const {
  // Inside the project: relative, so the project folder can move as a whole.
  return relativeInside(folder_, path);
}

QString ProjectStore::resolveImage(const QString& stored) const {
  return resolvedAgainst(shared_ ? dataRoot_ : folder_, stored);
}

QString ProjectStore::storableImage(const QString& path) const {
  // On a team's database: relative to the data root, which each workstation mounts where it
  // likes; without one, absolute (every machine must see the same path then).
  return relativeInside(shared_ ? dataRoot_ : folder_, path);
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

namespace {

/// Inserts every label of `labels`; `onConflict` says what an existing value does ("" fails).
Status insertLabels(QSqlDatabase& d, const LabelSet& labels, const QString& onConflict,
                    const QString& where, const char* what) {
  QSqlQuery q(d);
  q.prepare(QStringLiteral(
                "INSERT INTO labels (value, name, colour, code_scheme, code_value, code_meaning, "
                "category_scheme, category_value, category_meaning) VALUES (?, ?, ?, ?, ?, ?, ?, "
                "?, ?)") +
            onConflict);
  for (const Label& label : labels.labels()) {
    q.addBindValue(label.value);
    q.addBindValue(text(label.name));
    q.addBindValue(label.colour.name());
    for (const LabelCode* code : {&label.code, &label.category}) {
      q.addBindValue(text(code->scheme));
      q.addBindValue(text(code->value));
      q.addBindValue(text(code->meaning));
    }
    if (!q.exec()) return sqlError(q, where, what);
  }
  return {};
}

}  // namespace

Status ProjectStore::addLabels(const LabelSet& labels) {
  return writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    return insertLabels(d, labels, QStringLiteral(" ON CONFLICT (value) DO NOTHING"),
                        databasePath(), "cannot add to the label set");
  });
}

Status ProjectStore::setLabels(const LabelSet& labels) {
  return writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    if (!q.exec(QStringLiteral("DELETE FROM labels")))
      return sqlError(q, databasePath(), "cannot write the label set");
    return insertLabels(d, labels, QString(), databasePath(), "cannot write the label set");
  });
}

// --- cases ---

Result<std::vector<CaseRecord>> ProjectStore::queryCases(const QString& where,
                                                         const QVariantList& values) const {
  QSqlDatabase db = connection(connection_);
  QSqlQuery q(db);
  q.prepare(QStringLiteral("SELECT ") + kCaseColumns + QStringLiteral(", c.lease_until > ") +
            sql::nowMs(sql::backendOf(db)) + kCaseFrom + where +
            QStringLiteral(" ORDER BY c.position"));
  for (const QVariant& value : values) q.addBindValue(value);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot read the cases");
  std::vector<CaseRecord> cases;
  while (q.next()) {
    CaseRecord c;
    c.id = q.value(0).toLongLong();
    c.name = q.value(1).toString();
    c.imagePath = resolveImage(q.value(2).toString());
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
    // An expired lease is nobody's (the query's clock is the database's).
    if (q.value(28).toBool()) {
      c.leaseHolder = q.value(17).toString();
      c.leaseUntil = QDateTime::fromMSecsSinceEpoch(q.value(18).toLongLong(), Qt::UTC);
    }
    if (!q.value(19).isNull()) c.latest = versionFrom(q, 19, *this);
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
    for (const QVariant& value : QVariantList{
             name, storableImage(added.imagePath), text(added.series), text(added.contentHash),
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
  Status updated =
      isLabelled(status)
          ? updateCase(connection_, databasePath(), caseId,
                       QStringLiteral("status = ?, done_at = CASE WHEN done_at = '' THEN ? ELSE "
                                      "done_at END"),
                       {caseStatusName(status), now()})
          : updateCase(connection_, databasePath(), caseId, QStringLiteral("status = ?"),
                       {caseStatusName(status)});
  if (updated) notify(QStringLiteral("case:%1").arg(caseId));
  return updated;
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
                    {storableImage(imagePath)});
}

// --- label versions ---

Result<LabelVersion> ProjectStore::saveLabels(qint64 caseId, const LabelMap& map,
                                              const LabelSet& labels, const QString& user,
                                              std::optional<int> basedOn) {
  Result<CaseRecord> record = caseById(caseId);
  if (!record) return record.error();
  LabelVersion saved;
  QString written;
  Status recorded = writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    // Under the write lock: who holds the case, its latest labels, and the next number (shared
    // by conflict versions, so no two files ever have the same name).
    q.prepare(QStringLiteral(
                  "SELECT c.lease_holder, c.lease_until > %1, "
                  "(SELECT COALESCE(MAX(version), 0) FROM label_versions WHERE case_id = c.id "
                  "AND conflict = ''), "
                  "(SELECT COALESCE(MAX(version), 0) FROM label_versions WHERE case_id = c.id), "
                  "(SELECT saved_by FROM label_versions WHERE case_id = c.id AND conflict = '' "
                  "ORDER BY version DESC LIMIT 1) FROM cases c WHERE c.id = ?")
                  .arg(sql::nowMs(sql::backendOf(d))));
    q.addBindValue(caseId);
    if (!q.exec() || !q.next()) return sqlError(q, databasePath(), "cannot read the versions");
    const QString holder = q.value(0).toString();
    const bool held = q.value(1).toBool() && !holder.isEmpty() && holder != user;
    const int latest = q.value(2).toInt();
    const int version = q.value(3).toInt() + 1;
    QString conflict;
    if (held)
      conflict = QStringLiteral("the case is being annotated by %1").arg(holder);
    else if (basedOn && *basedOn != latest)
      conflict = QStringLiteral("the case changed since it was opened (version %1, by %2)")
                     .arg(latest)
                     .arg(q.value(4).toString());
    const QString file = QDir(folder_).filePath(
        QStringLiteral("labels/%1/v%2%3%4")
            .arg(record->name)
            .arg(version)
            .arg(conflict.isEmpty() ? QString() : QStringLiteral("-conflict"))
            .arg(record->picture ? QStringLiteral(".png") : QStringLiteral(".nii.gz")));
    if (!QDir().mkpath(QFileInfo(file).absolutePath()))
      return Error{ErrorCode::WriteFailed, "cannot create the case's label folder",
                   file.toStdString()};
    // The file first (atomically): a version row never points at a missing or torn file.
    if (Status s = saveLabelMap(map, labels, file); !s) return s;
    written = file;
    Result<std::string> hash = sha256File(file.toStdString());
    if (!hash) return hash.error();
    Result<QByteArray> content = contentFor(file);
    if (!content) return content.error();
    saved = LabelVersion{0,
                         caseId,
                         version,
                         file,
                         QString::fromStdString(hash.value()),
                         QDateTime::currentDateTimeUtc(),
                         user,
                         countVoxels(map),
                         conflict};
    q.prepare(QStringLiteral(
        "INSERT INTO label_versions (case_id, version, path, sha256, saved_at, saved_by, "
        "voxels, conflict, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant& value :
         QVariantList{caseId, version, storable(file), saved.sha256,
                      saved.savedAt.toString(Qt::ISODateWithMs), text(user),
                      voxelsJson(saved.voxels), text(conflict), content.value()})
      q.addBindValue(value);
    if (!q.exec()) return sqlError(q, databasePath(), "cannot record the label version");
    saved.id = q.lastInsertId().toLongLong();
    if (!conflict.isEmpty()) return {};
    // Labels on a case mean work has begun on it.
    q.prepare(
        QStringLiteral("UPDATE cases SET status = 'in-progress', updated = ? WHERE id = ? "
                       "AND status = 'new'"));
    q.addBindValue(now());
    q.addBindValue(caseId);
    if (!q.exec()) return sqlError(q, databasePath(), "cannot update the case");
    return {};
  });
  if (!recorded) {
    // A version that was not recorded leaves no file behind: on a team's project another
    // machine may record this number with other content. (A file left by a kill is caught by
    // the checksum when the version is read.)
    if (!written.isEmpty()) QFile::remove(written);
    return recorded.error();
  }
  notify(QStringLiteral("case:%1").arg(caseId));
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

Result<QString> ProjectStore::labelFile(const LabelVersion& version) const {
  if (Status there =
          materialize(QStringLiteral("label_versions"), version.id, version.path, version.sha256);
      !there)
    return there.error();
  // A team's database holds the label map, not its names and colours beside it: those are the
  // project's labels (every save adds its labels to them). Without them another workstation
  // would read "Label N" and save those names into the next version.
  const QString names = labelSetPathFor(version.path);
  if (shared_ && !QFileInfo::exists(names)) {
    Result<LabelSet> project = labels();
    if (!project) return project.error();
    const QByteArray json = QJsonDocument(project->toJson()).toJson();
    if (Status written = writeFileAtomically(names.toStdString(),
                                             std::string_view(json.constData(), json.size()));
        !written)
      return written.error();
  }
  return version.path;
}

}  // namespace medsa::annotations
