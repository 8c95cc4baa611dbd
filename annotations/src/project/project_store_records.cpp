// The project store's records of the learning loop: the trainer's split, adapter versions and
// which one is live, the interaction log (effort curves), and per-user state.
#include <QJsonDocument>
#include <QJsonObject>

#include "medsa/annotations/project_store.h"
#include "project_sql.h"

namespace medsa::annotations {

using sql::connection;
using sql::now;
using sql::sqlError;
using sql::text;
using sql::writeTransaction;

Status ProjectStore::assignSplits(const std::vector<std::pair<qint64, QString>>& splits) {
  return writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    q.prepare(QStringLiteral("UPDATE cases SET split = ? WHERE id = ? AND split = ''"));
    for (const auto& [id, split] : splits) {
      if (split != QStringLiteral("train") && split != QStringLiteral("heldout"))
        return Error{ErrorCode::InvalidArgument, "a split is train or heldout",
                     databasePath().toStdString()};
      q.addBindValue(split);
      q.addBindValue(id);
      if (!q.exec()) return sqlError(q, databasePath(), "cannot record the split");
    }
    return {};
  });
}

namespace {

QString jsonText(const QJsonObject& object) {
  return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

}  // namespace

Result<AdapterVersion> ProjectStore::addAdapterVersion(AdapterVersion version) {
  Result<QByteArray> content = contentFor(version.path);  // a team's: the bytes go in the database
  if (!content) return content.error();
  Status written = writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) + 1 FROM adapters")) || !q.next())
      return sqlError(q, databasePath(), "cannot read the adapter versions");
    version.version = q.value(0).toInt();
    if (!version.created.isValid()) version.created = QDateTime::currentDateTimeUtc();
    q.prepare(QStringLiteral(
        "INSERT INTO adapters (version, path, sha256, base_model, created, state, metrics, "
        "data_summary, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant& value :
         QVariantList{version.version, storable(version.path), text(version.sha256),
                      text(version.baseModel), version.created.toString(Qt::ISODateWithMs),
                      version.state.isEmpty() ? QStringLiteral("candidate") : version.state,
                      jsonText(version.metrics), jsonText(version.dataSummary), content.value()})
      q.addBindValue(value);
    if (!q.exec()) return sqlError(q, databasePath(), "cannot record the adapter version");
    return {};
  });
  if (!written) return written.error();
  if (version.state.isEmpty()) version.state = QStringLiteral("candidate");
  version.path = resolve(storable(version.path));
  return version;
}

Result<std::vector<AdapterVersion>> ProjectStore::adapterVersions() const {
  QSqlQuery q(connection(connection_));
  if (!q.exec(QStringLiteral("SELECT version, path, sha256, base_model, created, state, metrics, "
                             "data_summary, id FROM adapters ORDER BY version")))
    return sqlError(q, databasePath(), "cannot read the adapter versions");
  std::vector<AdapterVersion> versions;
  std::vector<qint64> ids;
  while (q.next()) {
    ids.push_back(q.value(8).toLongLong());
    AdapterVersion v;
    v.version = q.value(0).toInt();
    v.path = resolve(q.value(1).toString());
    v.sha256 = q.value(2).toString();
    v.baseModel = q.value(3).toString();
    v.created = QDateTime::fromString(q.value(4).toString(), Qt::ISODateWithMs);
    v.state = q.value(5).toString();
    v.metrics = QJsonDocument::fromJson(q.value(6).toString().toUtf8()).object();
    v.dataSummary = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    versions.push_back(std::move(v));
  }
  // A team's adapters come from the database into this machine's cache when first listed.
  for (std::size_t i = 0; i < versions.size(); ++i)
    if (Status there =
            materialize(QStringLiteral("adapters"), ids[i], versions[i].path, versions[i].sha256);
        !there)
      return there.error();
  return versions;
}

Status ProjectStore::setLiveAdapter(int version) {
  Status changed = writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    if (version > 0) {
      q.prepare(QStringLiteral("SELECT 1 FROM adapters WHERE version = ?"));
      q.addBindValue(version);
      if (!q.exec()) return sqlError(q, databasePath(), "cannot read the adapter versions");
      if (!q.next())
        return Error{ErrorCode::InvalidArgument,
                     "no adapter version " + std::to_string(version) + " in the project",
                     databasePath().toStdString()};
    }
    if (!q.exec(QStringLiteral("UPDATE adapters SET state = 'retired' WHERE state = 'live'")))
      return sqlError(q, databasePath(), "cannot change the live adapter");
    if (version > 0) {
      q.prepare(QStringLiteral("UPDATE adapters SET state = 'live' WHERE version = ?"));
      q.addBindValue(version);
      if (!q.exec()) return sqlError(q, databasePath(), "cannot change the live adapter");
    }
    return {};
  });
  // Every workstation of a team swaps the new version in.
  if (changed) notify(QStringLiteral("live:%1").arg(version));
  return changed;
}

Status ProjectStore::setAdapterState(int version, const QString& state) {
  QSqlQuery q(connection(connection_));
  q.prepare(QStringLiteral("UPDATE adapters SET state = ? WHERE version = ?"));
  q.addBindValue(text(state));
  q.addBindValue(version);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot change the adapter's state");
  if (q.numRowsAffected() != 1)
    return Error{ErrorCode::InvalidArgument,
                 "no adapter version " + std::to_string(version) + " in the project",
                 databasePath().toStdString()};
  return {};
}

// --- the interaction log ---

Status ProjectStore::logInteractions(const std::vector<Interaction>& interactions) {
  if (interactions.empty()) return {};
  return writeTransaction(connection_, databasePath(), [&](QSqlDatabase& d) -> Status {
    QSqlQuery q(d);
    q.prepare(QStringLiteral(
        "INSERT INTO interactions (case_id, ms, kind, detail, iou) VALUES (?, ?, ?, ?, ?)"));
    for (const Interaction& i : interactions) {
      q.addBindValue(i.caseId);
      q.addBindValue(i.msSinceEpoch);
      q.addBindValue(text(i.kind));
      q.addBindValue(QString::fromUtf8(QJsonDocument(i.detail).toJson(QJsonDocument::Compact)));
      q.addBindValue(i.iou ? QVariant(*i.iou) : QVariant(QMetaType(QMetaType::Double)));
      if (!q.exec()) return sqlError(q, databasePath(), "cannot log the interactions");
    }
    return {};
  });
}

Result<std::vector<Interaction>> ProjectStore::interactions(qint64 caseId) const {
  QSqlQuery q(connection(connection_));
  q.prepare(
      QStringLiteral("SELECT case_id, ms, kind, detail, iou FROM interactions WHERE "
                     "case_id = ? ORDER BY ms, id"));
  q.addBindValue(caseId);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot read the interactions");
  std::vector<Interaction> log;
  while (q.next()) {
    Interaction i;
    i.caseId = q.value(0).toLongLong();
    i.msSinceEpoch = q.value(1).toLongLong();
    i.kind = q.value(2).toString();
    i.detail = QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object();
    if (!q.value(4).isNull()) i.iou = q.value(4).toDouble();
    log.push_back(std::move(i));
  }
  return log;
}

// --- per-user state ---

Status ProjectStore::setUserState(const QString& user, const QString& key, const QString& value) {
  QSqlQuery q(connection(connection_));
  q.prepare(
      QStringLiteral("INSERT INTO user_state (\"user\", key, value) VALUES (?, ?, ?) ON "
                     "CONFLICT (\"user\", key) DO UPDATE SET value = excluded.value"));
  q.addBindValue(text(user));
  q.addBindValue(text(key));
  q.addBindValue(text(value));
  if (!q.exec()) return sqlError(q, databasePath(), "cannot write the project");
  return {};
}

Result<QString> ProjectStore::userState(const QString& user, const QString& key) const {
  QSqlQuery q(connection(connection_));
  q.prepare(QStringLiteral("SELECT value FROM user_state WHERE \"user\" = ? AND key = ?"));
  q.addBindValue(text(user));
  q.addBindValue(text(key));
  if (!q.exec()) return sqlError(q, databasePath(), "cannot read the project");
  return q.next() ? q.value(0).toString() : QString();
}

}  // namespace medsa::annotations
