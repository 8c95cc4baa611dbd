// The project store's team side: the label maps' and adapters' bytes kept in a PostgreSQL
// database and written into this machine's cache, case leases, and change notifications.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>

#include <map>
#include <mutex>

#include "medsa/annotations/project_store.h"
#include "medsa/core/atomic_file.h"
#include "medsa/core/sha256.h"
#include "project_sql.h"

namespace medsa::annotations {

using sql::Backend;
using sql::connection;
using sql::now;
using sql::sqlError;
using sql::text;

// --- files kept in the database (PostgreSQL) ---

Result<QByteArray> ProjectStore::contentFor(const QString& file) const {
  if (!shared_) return QByteArray();  // a folder project keeps the file, not a copy (NULL)
  QFile in(file);
  if (!in.open(QIODevice::ReadOnly))
    return Error{ErrorCode::ReadFailed, "cannot read the file to store it in the project",
                 file.toStdString()};
  return in.readAll();
}

namespace {

/// Files of this process already checked against their SHA-256, by path, size and time: a
/// cached file is hashed once, not at every listing.
class VerifiedFiles {
 public:
  bool known(const QFileInfo& file, const QString& sha256) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto it = files_.find(file.absoluteFilePath());
    return it != files_.end() && it->second == stamp(file, sha256);
  }
  void remember(const QFileInfo& file, const QString& sha256) {
    const std::lock_guard<std::mutex> lock(mutex_);
    files_[file.absoluteFilePath()] = stamp(file, sha256);
  }

 private:
  static QString stamp(const QFileInfo& file, const QString& sha256) {
    return QStringLiteral("%1:%2:%3")
        .arg(file.size())
        .arg(file.lastModified().toMSecsSinceEpoch())
        .arg(sha256);
  }
  std::mutex mutex_;
  std::map<QString, QString> files_;
};

VerifiedFiles& verifiedFiles() {
  static VerifiedFiles files;
  return files;
}

}  // namespace

Status ProjectStore::materialize(const QString& table, qint64 id, const QString& path,
                                 const QString& sha256) const {
  if (!shared_) return {};
  // A file already in the cache is used only if it is this version's: a save that failed after
  // writing its file, or a database restored from a backup, can leave another file there.
  const QFileInfo cached(path);
  if (cached.size() > 0) {
    if (verifiedFiles().known(cached, sha256)) return {};
    Result<std::string> hash = sha256File(path.toStdString());
    if (hash && QString::fromStdString(hash.value()) == sha256) {
      verifiedFiles().remember(cached, sha256);
      return {};
    }
  }
  QSqlQuery q(connection(connection_));
  // `table` is one of ours, never user input; the id is bound.
  q.prepare(QStringLiteral("SELECT content FROM ") + table + QStringLiteral(" WHERE id = ?"));
  q.addBindValue(id);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot read a file from the project");
  if (!q.next() || q.value(0).isNull())
    return Error{ErrorCode::FileNotFound, "the project database holds no copy of this file",
                 path.toStdString()};
  const QByteArray bytes = q.value(0).toByteArray();
  if (QString::fromStdString(sha256Hex(std::string_view(bytes.constData(), bytes.size()))) !=
      sha256)
    return Error{ErrorCode::CorruptData,
                 "the copy in the project database does not match its checksum",
                 path.toStdString()};
  if (!QDir().mkpath(QFileInfo(path).absolutePath()))
    return Error{ErrorCode::WriteFailed, "cannot create the cache folder", path.toStdString()};
  if (Status written = writeFileAtomically(path.toStdString(),
                                           std::string_view(bytes.constData(), bytes.size()));
      !written)
    return written;
  verifiedFiles().remember(QFileInfo(path), sha256);
  return {};
}

// --- leases ---

namespace {

Error heldBy(const QString& holder, qint64 caseId, const QString& where) {
  return Error{ErrorCode::Conflict,
               "case " + std::to_string(caseId) + " is being annotated by " + holder.toStdString(),
               where.toStdString()};
}

}  // namespace

Result<std::optional<CaseRecord>> ProjectStore::takeNextCase(const QString& user, int seconds,
                                                             std::optional<qint64> except) {
  QSqlDatabase db = connection(connection_);
  const Backend backend = sql::backendOf(db);
  const QString clock = sql::nowMs(backend);
  // One statement: the row is chosen and leased at once. On PostgreSQL, SKIP LOCKED lets
  // concurrent callers pass over a row another one is taking instead of queueing behind it;
  // SQLite runs one writer at a time.
  QSqlQuery q(db);
  q.prepare(QStringLiteral("UPDATE cases SET lease_holder = ?, lease_until = %1 + ?, assignee = ?, "
                           "updated = ? WHERE id = (SELECT id FROM cases WHERE status IN ('new', "
                           "'in-progress') AND (lease_holder = '' OR lease_until < %1) AND id <> ? "
                           "ORDER BY position LIMIT 1%2) RETURNING id")
                .arg(clock, backend == Backend::PostgreSQL
                                ? QStringLiteral(" FOR UPDATE SKIP LOCKED")
                                : QString()));
  for (const QVariant& value : QVariantList{text(user), qint64(seconds) * 1000, text(user), now(),
                                            except.value_or(qint64(-1))})
    q.addBindValue(value);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot take a case");
  if (!q.next()) return std::optional<CaseRecord>{};
  const qint64 id = q.value(0).toLongLong();
  q.finish();
  notify(QStringLiteral("case:%1").arg(id));
  Result<CaseRecord> record = caseById(id);
  if (!record) return record.error();
  return std::optional<CaseRecord>(std::move(record).value());
}

Result<CaseRecord> ProjectStore::takeCase(qint64 caseId, const QString& user, int seconds) {
  QSqlDatabase db = connection(connection_);
  const QString clock = sql::nowMs(sql::backendOf(db));
  QSqlQuery q(db);
  q.prepare(QStringLiteral("UPDATE cases SET lease_holder = ?, lease_until = %1 + ?, "
                           "updated = ? WHERE id = ? AND (lease_holder IN ('', ?) OR "
                           "lease_until < %1)")
                .arg(clock));
  for (const QVariant& value :
       QVariantList{text(user), qint64(seconds) * 1000, now(), caseId, text(user)})
    q.addBindValue(value);
  if (!q.exec()) return sqlError(q, databasePath(), "cannot take the case");
  Result<CaseRecord> record = caseById(caseId);
  if (!record) return record.error();
  if (q.numRowsAffected() != 1) return heldBy(record->leaseHolder, caseId, databasePath());
  notify(QStringLiteral("case:%1").arg(caseId));
  return record;
}

Status ProjectStore::renewLease(qint64 caseId, const QString& user, int seconds) {
  QSqlDatabase db = connection(connection_);
  QSqlQuery q(db);
  // Held by this user still (an expired lease nobody took is this user's to renew).
  q.prepare(QStringLiteral("UPDATE cases SET lease_until = %1 + ? WHERE id = ? AND "
                           "lease_holder = ?")
                .arg(sql::nowMs(sql::backendOf(db))));
  q.addBindValue(qint64(seconds) * 1000);
  q.addBindValue(caseId);
  q.addBindValue(text(user));
  if (!q.exec()) return sqlError(q, databasePath(), "cannot renew the lease");
  if (q.numRowsAffected() == 1) return {};
  Result<CaseRecord> record = caseById(caseId);
  if (!record) return record.error();
  return heldBy(record->leaseHolder.isEmpty() ? QStringLiteral("nobody") : record->leaseHolder,
                caseId, databasePath());
}

Status ProjectStore::releaseCase(qint64 caseId, const QString& user) {
  QSqlQuery q(connection(connection_));
  q.prepare(
      QStringLiteral("UPDATE cases SET lease_holder = '', lease_until = 0 WHERE id = ? "
                     "AND lease_holder = ?"));
  q.addBindValue(caseId);
  q.addBindValue(text(user));
  if (!q.exec()) return sqlError(q, databasePath(), "cannot release the case");
  if (q.numRowsAffected() == 1) notify(QStringLiteral("case:%1").arg(caseId));
  return {};
}

Result<int> ProjectStore::cutOtherConnections() {
  if (!shared_)
    return Error{ErrorCode::InvalidArgument, "a project folder has no connections to cut",
                 databasePath().toStdString()};
  QSqlQuery q(connection(connection_));
  if (!q.exec(QStringLiteral(
          "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
          "WHERE datname = current_database() AND application_name = 'medsa-studio' AND "
          "pid <> pg_backend_pid()")) ||
      !q.next())
    return sqlError(q, databasePath(), "cannot end the other sessions");
  return q.value(0).toInt();
}

// --- change notifications (PostgreSQL LISTEN/NOTIFY) ---

namespace {
const QString kChannel = QStringLiteral("medsa_project");
}

void ProjectStore::notify(const QString& change) const {
  if (!shared_) return;
  QSqlQuery q(connection(connection_));
  q.prepare(QStringLiteral("SELECT pg_notify(?, ?)"));
  q.addBindValue(kChannel);
  q.addBindValue(change);
  q.exec();  // a lost notification costs a refresh, never data
}

bool ProjectStore::watch(QObject* context, std::function<void(const QString&)> onChange) {
  if (!shared_) return false;
  QSqlDatabase db = connection(connection_);
  QSqlDriver* driver = db.driver();
  if (!driver->subscribeToNotification(kChannel)) return false;
  sql::listen(connection_, kChannel);
  QObject::connect(
      driver, &QSqlDriver::notification, context,
      [onChange = std::move(onChange)](const QString& name, QSqlDriver::NotificationSource source,
                                       const QVariant& payload) {
        if (name == kChannel && source == QSqlDriver::OtherSource) onChange(payload.toString());
      });
  return true;
}

}  // namespace medsa::annotations
