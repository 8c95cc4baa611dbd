#pragma once
// SQL helpers shared by the project store's source files (not part of the API).

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>

#include <string>

#include "medsa/core/error.h"

namespace medsa::annotations::sql {

inline QString now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs); }

/// QtSql binds a null QString as SQL NULL; our text columns are NOT NULL, "" when empty.
inline QString text(const QString& value) {
  return value.isNull() ? QString(QLatin1String("")) : value;
}

inline QSqlDatabase connection(const QString& name) { return QSqlDatabase::database(name, false); }

inline Error sqlError(const QSqlQuery& query, const QString& path, const std::string& what) {
  const QSqlError error = query.lastError();
  // A busy database is another program holding a write for too long, not a damaged file.
  const bool busy = error.nativeErrorCode() == QStringLiteral("5");
  return Error{busy ? ErrorCode::Unavailable : ErrorCode::WriteFailed,
               what + ": " + error.text().toStdString(), path.toStdString()};
}

/// Runs `body` inside BEGIN IMMEDIATE ... COMMIT: the write lock is taken at the start, so two
/// writers never both read "the next version is N" (a deferred transaction would let them).
template <typename Body>
Status writeTransaction(const QString& name, const QString& path, Body&& body) {
  QSqlDatabase db = connection(name);
  QSqlQuery query(db);
  if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
    return sqlError(query, path, "cannot start writing the project");
  Status status = body(db);
  if (!status) {
    query.exec(QStringLiteral("ROLLBACK"));
    return status;
  }
  if (!query.exec(QStringLiteral("COMMIT"))) {
    const Error error = sqlError(query, path, "cannot commit to the project");
    query.exec(QStringLiteral("ROLLBACK"));
    return error;
  }
  return {};
}

}  // namespace medsa::annotations::sql
