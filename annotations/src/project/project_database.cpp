#include "project_database.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

#include <libpq-fe.h>

#include "project_sql.h"

namespace medsa::annotations {
namespace {

const QString kPostgresDriver = QStringLiteral("QPSQL");

/// Every write of a project takes this transaction-scoped advisory lock (one database holds one
/// project, so one key is enough): the PostgreSQL counterpart of SQLite's BEGIN IMMEDIATE.
constexpr qint64 kWriteLockKey = 0x6d65647361;  // "medsa"

QString newConnectionName() {
  return QStringLiteral("medsa-project-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/// Whether libpq knows the connection is gone (QtSql does not say; for other drivers: false).
bool connectionLost(const QSqlDriver* driver) {
  if (!driver) return false;
  const QVariant handle = driver->handle();
  // QPSQL hands out libpq's PGconn*, whose struct is named pg_conn.
  if (!handle.isValid() || (qstrcmp(handle.typeName(), "pg_conn*") != 0 &&
                            qstrcmp(handle.typeName(), "PGconn*") != 0))
    return false;
  const PGconn* connection = *static_cast<PGconn* const*>(handle.constData());
  return connection && PQstatus(connection) == CONNECTION_BAD;
}

}  // namespace

namespace sql {

Backend backendOf(const QSqlDatabase& db) {
  return db.driverName() == kPostgresDriver ? Backend::PostgreSQL : Backend::SQLite;
}

QSqlDatabase connection(const QString& name) {
  QSqlDatabase db = QSqlDatabase::database(name, false);
  // QPSQL may mark a connection it found broken as closed; ours are only closed on purpose by
  // removing them, so a closed one here was lost too.
  if (db.isValid() && db.driverName() == kPostgresDriver &&
      (!db.isOpen() || connectionLost(db.driver()))) {
    // Reopening drops the driver's subscriptions; the caller's signal connections stay, since
    // the driver object is the same.
    const QStringList channels = db.driver()->subscribedToNotifications();
    db.close();
    if (db.open())
      for (const QString& channel : channels) db.driver()->subscribeToNotification(channel);
  }
  return db;
}

Error sqlError(const QSqlQuery& query, const QString& where, const std::string& what) {
  const QSqlError error = query.lastError();
  const QString code = error.nativeErrorCode();
  bool retry = false;
  if (query.driver() && query.driver()->dbmsType() == QSqlDriver::PostgreSQL) {
    // Lost connections, serialization failures and deadlocks pass; the next attempt can work.
    retry = connectionLost(query.driver()) || code.startsWith(QStringLiteral("08")) ||
            code == QStringLiteral("40001") || code == QStringLiteral("40P01") ||
            code.startsWith(QStringLiteral("57P"));
  } else {
    // A busy SQLite file is another program holding a write for too long, not a damaged file.
    retry = code == QStringLiteral("5");
  }
  return Error{retry ? ErrorCode::Unavailable : ErrorCode::WriteFailed,
               what + ": " + error.text().trimmed().toStdString(), where.toStdString()};
}

QString nowMs(Backend backend) {
  return backend == Backend::PostgreSQL
             ? QStringLiteral("CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")
             : QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)");
}

Status beginWrite(QSqlDatabase& db, const QString& where) {
  QSqlQuery query(db);
  if (backendOf(db) == Backend::SQLite) {
    if (!query.exec(QStringLiteral("BEGIN IMMEDIATE")))
      return sqlError(query, where, "cannot start writing the project");
    return {};
  }
  if (!db.transaction()) {
    return Error{connectionLost(db.driver()) ? ErrorCode::Unavailable : ErrorCode::WriteFailed,
                 "cannot start writing the project: " + db.lastError().text().toStdString(),
                 where.toStdString()};
  }
  query.prepare(QStringLiteral("SELECT pg_advisory_xact_lock(?)"));
  query.addBindValue(kWriteLockKey);
  if (!query.exec()) {
    const Error error = sqlError(query, where, "cannot start writing the project");
    db.rollback();
    return error;
  }
  return {};
}

Status commitWrite(QSqlDatabase& db, const QString& where) {
  if (backendOf(db) == Backend::PostgreSQL) {
    if (db.commit()) return {};
    const Error error{ErrorCode::Unavailable,
                      "cannot commit to the project: " + db.lastError().text().toStdString(),
                      where.toStdString()};
    db.rollback();
    return error;
  }
  QSqlQuery query(db);
  if (!query.exec(QStringLiteral("COMMIT"))) {
    const Error error = sqlError(query, where, "cannot commit to the project");
    query.exec(QStringLiteral("ROLLBACK"));
    return error;
  }
  return {};
}

void rollbackWrite(QSqlDatabase& db) {
  if (backendOf(db) == Backend::PostgreSQL) {
    db.rollback();
    return;
  }
  QSqlQuery query(db);
  query.exec(QStringLiteral("ROLLBACK"));
}

}  // namespace sql

namespace database {

bool isUrl(const QString& location) {
  return location.startsWith(QStringLiteral("postgresql://")) ||
         location.startsWith(QStringLiteral("postgres://"));
}

QString PostgresAddress::display() const {
  QString text = QStringLiteral("postgresql://");
  if (!user.isEmpty()) text += user + QLatin1Char('@');
  const bool socket = host.startsWith(QLatin1Char('/'));
  text += (socket ? QStringLiteral("localhost") : host) + QLatin1Char(':') +
          QString::number(port) + QLatin1Char('/') + database;
  if (socket) text += QStringLiteral("?host=") + host;
  return text;
}

Result<PostgresAddress> parseUrl(const QString& text) {
  const auto bad = [&](const std::string& why) {
    // The message never repeats the URL's password.
    QUrl shown(text);
    shown.setPassword({});
    return Error{ErrorCode::InvalidArgument, "not a usable PostgreSQL URL: " + why,
                 shown.toString().toStdString()};
  };
  const QUrl url(text, QUrl::StrictMode);
  if (!url.isValid() || !isUrl(text)) return bad("write postgresql://user@host:port/database");
  if (!url.password().isEmpty())
    return bad("a password in the URL is refused; use PGPASSWORD or ~/.pgpass");
  PostgresAddress address;
  address.user = url.userName();
  address.host = url.host();
  address.port = url.port(5432);
  address.database = url.path().mid(1);
  if (address.database.isEmpty() || address.database.contains(QLatin1Char('/')))
    return bad("the URL names no database (…/dbname)");
  const QUrlQuery query(url);
  for (const auto& [key, value] : query.queryItems(QUrl::FullyDecoded)) {
    if (key == QStringLiteral("host")) {
      address.host = value;
    } else if (key == QStringLiteral("sslmode")) {
      address.sslmode = value;
    } else if (key == QStringLiteral("connect_timeout")) {
      bool ok = false;
      address.connectTimeoutSeconds = value.toInt(&ok);
      if (!ok || address.connectTimeoutSeconds < 1 || address.connectTimeoutSeconds > 300)
        return bad("connect_timeout is 1 to 300 seconds");
    } else {
      return bad("unknown parameter '" + key.toStdString() +
                 "' (host, sslmode and connect_timeout are read)");
    }
  }
  if (address.host.isEmpty()) return bad("the URL names no host");
  return address;
}

Result<QString> openSqlite(const QString& path) {
  const QString name = newConnectionName();
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

Result<QString> openPostgres(const PostgresAddress& address) {
  if (!QSqlDatabase::isDriverAvailable(kPostgresDriver))
    return Error{ErrorCode::Unavailable,
                 "QtSql's PostgreSQL driver is not installed (Debian: libqt6sql6-psql)",
                 address.display().toStdString()};
  const QString name = newConnectionName();
  {
    QSqlDatabase db = QSqlDatabase::addDatabase(kPostgresDriver, name);
    db.setHostName(address.host);
    db.setPort(address.port);
    db.setDatabaseName(address.database);
    if (!address.user.isEmpty()) db.setUserName(address.user);
    // No password is set: libpq reads PGPASSWORD and ~/.pgpass (PGPASSFILE) itself. The
    // timeout keeps a wrong host or a silent server from hanging the caller.
    QString options = QStringLiteral("connect_timeout=%1;application_name=medsa-studio")
                          .arg(address.connectTimeoutSeconds);
    if (!address.sslmode.isEmpty()) options += QStringLiteral(";sslmode=") + address.sslmode;
    db.setConnectOptions(options);
    if (!db.open()) {
      const Error error{ErrorCode::Unavailable,
                        "cannot connect to the project database: " +
                            db.lastError().text().trimmed().toStdString(),
                        address.display().toStdString()};
      db = QSqlDatabase();
      QSqlDatabase::removeDatabase(name);
      return error;
    }
    QSqlQuery query(db);
    // Timestamps we write are text in UTC; the session's own zone must not matter.
    query.exec(QStringLiteral("SET TIME ZONE 'UTC'"));
  }
  return name;
}

void close(const QString& name) {
  {
    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (db.isValid()) db.close();
  }
  QSqlDatabase::removeDatabase(name);
}

}  // namespace database
}  // namespace medsa::annotations
