#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include "medsa/core/error.h"

namespace medsa::annotations::schema {

/// The schema version this build writes. Every earlier version is migrated on open.
constexpr int kCurrentVersion = 3;

/// The SQL that takes a database from version `from` to `from + 1` (version 0: empty).
QStringList migrationFrom(int from);

/// The version a database says it has (0 for an empty one); an error when it is not a
/// project database at all.
Result<int> versionOf(QSqlDatabase& db, const QString& path);

/// Brings the database to kCurrentVersion, one transaction per step, so a crash between
/// steps leaves a consistent older version that the next open continues from. A newer
/// version is refused: this build would not know what its tables mean.
Status migrate(QSqlDatabase& db, const QString& path);

}  // namespace medsa::annotations::schema
