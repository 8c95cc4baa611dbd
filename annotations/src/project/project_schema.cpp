#include "project_schema.h"

#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

namespace medsa::annotations::schema {
namespace {

Error sqlError(const QSqlError& error, const QString& path, const std::string& what) {
  return Error{ErrorCode::CorruptData, what + ": " + error.text().toStdString(),
               path.toStdString()};
}

/// SQLite's types in PostgreSQL's words: INTEGER is 64-bit in SQLite (milliseconds since the
/// epoch need it), REAL is a double, BLOB is bytea.
QString inDialect(QString statement, sql::Backend backend) {
  if (backend == sql::Backend::SQLite) return statement;
  statement.replace(QStringLiteral("INTEGER PRIMARY KEY AUTOINCREMENT"),
                    QStringLiteral("BIGSERIAL PRIMARY KEY"));
  static const QRegularExpression integer(QStringLiteral("\\bINTEGER\\b"));
  static const QRegularExpression real(QStringLiteral("\\bREAL\\b"));
  static const QRegularExpression blob(QStringLiteral("\\bBLOB\\b"));
  statement.replace(integer, QStringLiteral("BIGINT"));
  statement.replace(real, QStringLiteral("DOUBLE PRECISION"));
  statement.replace(blob, QStringLiteral("BYTEA"));
  return statement;
}

QStringList statementsFrom(int from) {
  switch (from) {
    case 0:  // version 1: the dataset (cases, labels and their versions)
      return {
          QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
          QStringLiteral(
              "CREATE TABLE labels (value INTEGER PRIMARY KEY, name TEXT NOT NULL, colour TEXT "
              "NOT NULL, code_scheme TEXT NOT NULL DEFAULT '', code_value TEXT NOT NULL "
              "DEFAULT '', code_meaning TEXT NOT NULL DEFAULT '')"),
          QStringLiteral(
              "CREATE TABLE cases (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL "
              "UNIQUE, image_path TEXT NOT NULL, series_uid TEXT NOT NULL DEFAULT '', "
              "content_hash TEXT NOT NULL, kind TEXT NOT NULL, modality TEXT NOT NULL DEFAULT "
              "'', status TEXT NOT NULL DEFAULT 'new', assignee TEXT NOT NULL DEFAULT '', "
              "seconds REAL NOT NULL DEFAULT 0, position INTEGER NOT NULL, created TEXT NOT "
              "NULL, updated TEXT NOT NULL, UNIQUE (content_hash, series_uid))"),
          QStringLiteral(
              "CREATE TABLE label_versions (id INTEGER PRIMARY KEY AUTOINCREMENT, case_id "
              "INTEGER NOT NULL REFERENCES cases(id), version INTEGER NOT NULL, path TEXT NOT "
              "NULL, sha256 TEXT NOT NULL, saved_at TEXT NOT NULL, saved_by TEXT NOT NULL, "
              "voxels TEXT NOT NULL, UNIQUE (case_id, version))"),
      };
    case 1:  // version 2: the learning loop (effort, the interaction log, adapter versions)
      return {
          // A label's category, beside its code (DICOM SEG writes both).
          QStringLiteral("ALTER TABLE labels ADD COLUMN category_scheme TEXT NOT NULL DEFAULT ''"),
          QStringLiteral("ALTER TABLE labels ADD COLUMN category_value TEXT NOT NULL DEFAULT ''"),
          QStringLiteral("ALTER TABLE labels ADD COLUMN category_meaning TEXT NOT NULL DEFAULT ''"),
          QStringLiteral("ALTER TABLE cases ADD COLUMN clicks INTEGER NOT NULL DEFAULT 0"),
          QStringLiteral("ALTER TABLE cases ADD COLUMN interactions INTEGER NOT NULL DEFAULT 0"),
          QStringLiteral("ALTER TABLE cases ADD COLUMN model TEXT NOT NULL DEFAULT ''"),
          QStringLiteral("ALTER TABLE cases ADD COLUMN adapter TEXT NOT NULL DEFAULT ''"),
          QStringLiteral(
              "CREATE TABLE interactions (id INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER "
              "NOT NULL REFERENCES cases(id), ms INTEGER NOT NULL, kind TEXT NOT NULL, detail "
              "TEXT NOT NULL DEFAULT '{}', iou REAL)"),
          QStringLiteral("CREATE INDEX interactions_by_case ON interactions (case_id, ms)"),
          QStringLiteral(
              "CREATE TABLE adapters (id INTEGER PRIMARY KEY AUTOINCREMENT, version INTEGER NOT "
              "NULL UNIQUE, path TEXT NOT NULL, sha256 TEXT NOT NULL, base_model TEXT NOT NULL, "
              "created TEXT NOT NULL, state TEXT NOT NULL, metrics TEXT NOT NULL DEFAULT '{}', "
              "data_summary TEXT NOT NULL DEFAULT '{}')"),
          QStringLiteral(
              "CREATE TABLE user_state (\"user\" TEXT NOT NULL, key TEXT NOT NULL, value TEXT "
              "NOT NULL, PRIMARY KEY (\"user\", key))"),
      };
    case 2:  // version 3: the trainer (a fixed held-out split, when each case was finished)
      return {
          QStringLiteral("ALTER TABLE cases ADD COLUMN split TEXT NOT NULL DEFAULT ''"),
          QStringLiteral("ALTER TABLE cases ADD COLUMN done_at TEXT NOT NULL DEFAULT ''"),
      };
    case 3:  // version 4: teams (case leases, conflict versions, files kept in the database)
      return {
          // Who holds the case, until when (the database clock, ms since the epoch).
          QStringLiteral("ALTER TABLE cases ADD COLUMN lease_holder TEXT NOT NULL DEFAULT ''"),
          QStringLiteral("ALTER TABLE cases ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0"),
          // Why a save was kept aside instead of becoming the case's labels ("" for none).
          QStringLiteral("ALTER TABLE label_versions ADD COLUMN conflict TEXT NOT NULL DEFAULT ''"),
          // The file's bytes on PostgreSQL, where no folder is shared; NULL in a folder project.
          QStringLiteral("ALTER TABLE label_versions ADD COLUMN content BLOB"),
          QStringLiteral("ALTER TABLE adapters ADD COLUMN content BLOB"),
          QStringLiteral("CREATE INDEX cases_by_status ON cases (status, position)"),
      };
    default:
      return {};
  }
}

}  // namespace

QStringList migrationFrom(int from, sql::Backend backend) {
  QStringList statements;
  for (const QString& statement : statementsFrom(from)) statements << inDialect(statement, backend);
  return statements;
}

Result<int> versionOf(QSqlDatabase& db, const QString& path) {
  QSqlQuery query(db);
  // Reading the table list is the first thing that fails on a file that is not SQLite.
  const bool postgres = sql::backendOf(db) == sql::Backend::PostgreSQL;
  if (!query.exec(postgres ? QStringLiteral("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = current_schema()")
                           : QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")))
    return sqlError(query.lastError(), path, "not a Med-SA Studio project database");
  QStringList tables;
  while (query.next()) tables << query.value(0).toString();
  if (tables.isEmpty()) return 0;
  if (!tables.contains(QStringLiteral("meta")))
    return Error{ErrorCode::CorruptData, "not a Med-SA Studio project database (no meta table)",
                 path.toStdString()};
  if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) ||
      !query.next())
    return Error{ErrorCode::CorruptData, "the project database has no schema version",
                 path.toStdString()};
  bool ok = false;
  const int version = query.value(0).toString().toInt(&ok);
  if (!ok || version < 1)
    return Error{ErrorCode::CorruptData, "the project database has an invalid schema version",
                 path.toStdString()};
  return version;
}

namespace {

/// Held while a PostgreSQL database is migrated (session-scoped, released on every path).
class MigrationLock {
  static constexpr qint64 kKey = 7310575183;  // one project per database: one key

 public:
  explicit MigrationLock(QSqlDatabase& db) : db_(db) {
    if (sql::backendOf(db_) != sql::Backend::PostgreSQL) return;
    QSqlQuery query(db_);
    query.prepare(QStringLiteral("SELECT pg_advisory_lock(?)"));
    query.addBindValue(kKey);
    locked_ = query.exec();
  }
  ~MigrationLock() {
    if (!locked_) return;
    QSqlQuery query(db_);
    query.prepare(QStringLiteral("SELECT pg_advisory_unlock(?)"));
    query.addBindValue(kKey);
    query.exec();
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  QSqlDatabase& db_;
  bool locked_ = false;
};

}  // namespace

Status migrate(QSqlDatabase& db, const QString& path) {
  const MigrationLock lock(db);
  Result<int> version = versionOf(db, path);
  if (!version) return version.error();
  if (version.value() > kCurrentVersion) {
    return Error{ErrorCode::UnsupportedFormat,
                 "the project was made by a newer Med-SA Studio (schema version " +
                     std::to_string(version.value()) + "; this version reads up to " +
                     std::to_string(kCurrentVersion) + ")",
                 path.toStdString()};
  }
  for (int from = version.value(); from < kCurrentVersion; ++from) {
    if (!db.transaction()) return sqlError(db.lastError(), path, "cannot start a migration");
    QSqlQuery query(db);
    for (const QString& statement : migrationFrom(from, sql::backendOf(db))) {
      if (!query.exec(statement)) {
        const Error error =
            sqlError(query.lastError(), path, "migration to version " + std::to_string(from + 1));
        db.rollback();
        return error;
      }
    }
    query.prepare(
        QStringLiteral("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    query.addBindValue(QString::number(from + 1));
    if (!query.exec() || !db.commit()) {
      const Error error = sqlError(query.lastError(), path, "cannot record the schema version");
      db.rollback();
      return error;
    }
  }
  return {};
}

}  // namespace medsa::annotations::schema
