#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include "medsa/core/error.h"
#include "project_sql.h"

namespace medsa::annotations::schema {

/// The schema version this build writes. Every earlier version is migrated on open.
constexpr int kCurrentVersion = 4;

/// The SQL that takes a database from version `from` to `from + 1` (version 0: empty), in the
/// backend's dialect. One text serves both: SQLite's column types become PostgreSQL's (64-bit
/// integers, double precision, bytea, identity keys) word by word.
QStringList migrationFrom(int from, sql::Backend backend = sql::Backend::SQLite);

/// The version a database says it has (0 for an empty one); an error when it is not a
/// project database at all.
Result<int> versionOf(QSqlDatabase& db, const QString& path);

/// Brings the database to kCurrentVersion, one transaction per step, so a crash between
/// steps leaves a consistent older version that the next open continues from. A newer
/// version is refused: this build would not know what its tables mean. On PostgreSQL the
/// migration holds a lock, so two workstations opening a new database migrate it once.
Status migrate(QSqlDatabase& db, const QString& path);

}  // namespace medsa::annotations::schema
