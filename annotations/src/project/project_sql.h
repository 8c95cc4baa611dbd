#pragma once
// SQL helpers shared by the project store's source files (not part of the API). The store runs
// on SQLite (a project folder) or PostgreSQL (a team's database); what differs between the two
// is kept here and in project_database.cpp, so the store's queries are written once.

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

#include <string>

#include "medsa/core/error.h"

namespace medsa::annotations::sql {

enum class Backend { SQLite, PostgreSQL };

inline QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

/// QtSql binds a null QString as SQL NULL; our text columns are NOT NULL, "" when empty.
inline QString text(const QString& value) {
  return value.isNull() ? QString(QLatin1String("")) : value;
}

/// The named connection of this thread. A PostgreSQL connection that the server or the network
/// dropped is opened again first (its notifications subscribed again), so one cut costs the
/// operation that saw it, not the rest of the session.
QSqlDatabase connection(const QString& name);

Backend backendOf(const QSqlDatabase& db);

/// Remembers that connection `name` listens on `channel`, so a reopened connection listens again.
void listen(const QString& name, const QString& channel);

/// A failed statement as our error: a lost connection, a busy SQLite file or a PostgreSQL
/// serialization failure is Unavailable (try again), anything else WriteFailed.
Error sqlError(const QSqlQuery& query, const QString& where, const std::string& what);

/// The database clock in milliseconds since the epoch, as an SQL expression: leases are
/// compared with the server's clock, never with the clocks of the workstations.
QString nowMs(Backend backend);

/// Starts a write: SQLite takes its write lock at once (BEGIN IMMEDIATE); PostgreSQL takes the
/// project's transaction-scoped advisory lock. Either way two writers never both read "the next
/// version is N", as a deferred transaction would let them.
Status beginWrite(QSqlDatabase& db, const QString& where);
Status commitWrite(QSqlDatabase& db, const QString& where);
void rollbackWrite(QSqlDatabase& db);

/// Runs `body` between beginWrite and commitWrite; a failed body rolls back.
template <typename Body>
Status writeTransaction(const QString& name, const QString& where, Body&& body) {
  QSqlDatabase db = connection(name);
  if (Status begun = beginWrite(db, where); !begun) return begun;
  Status status = body(db);
  if (!status) {
    rollbackWrite(db);
    return status;
  }
  return commitWrite(db, where);
}

}  // namespace medsa::annotations::sql
