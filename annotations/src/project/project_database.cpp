#include "project_database.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

#include <map>
#include <mutex>

#include "project_sql.h"

#include <libpq-fe.h>

namespace medsa::annotations {
namespace {

const QString kPostgresDriver = QStringLiteral("QPSQL");

/// Every write of a project takes this transaction-scoped advisory lock (one database holds one
/// project, so one key is enough): the PostgreSQL counterpart of SQLite's BEGIN IMMEDIATE.
constexpr qint64 kWriteLockKey = 0x6d65647361;  // "medsa"

QString newConnectionName() {
  return QStringLiteral("medsa-project-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/// The channels each connection listens on, kept here: QPSQL forgets them when a connection is
/// closed, and a reopen that fails once must not lose them for good.
std::mutex channelsMutex;
std::map<QString, QStringList>& channelsByConnection() {
  static std::map<QString, QStringList> channels;
  return channels;
}

/// Every session: timestamps in UTC; a lock waited for at most 30 s (an annotator's save never
/// hangs on another's); a transaction left open by a vanished client ended after 60 s, so its
/// advisory lock cannot block everyone's saves.
void configureSession(QSqlDatabase& db) {
  QSqlQuery query(db);
  query.exec(QStringLiteral("SET TIME ZONE 'UTC'"));
  query.exec(QStringLiteral("SET lock_timeout = '30s'"));
  query.exec(QStringLiteral("SET idle_in_transaction_session_timeout = '60s'"));
}

/// Whether libpq knows the connection is gone (QtSql does not say; for other drivers: false).
bool connectionLost(const QSqlDriver* driver) {
  if (!driver) return false;
  const QVariant handle = driver->handle();
  // QPSQL hands out libpq's PGconn*, whose struct is named pg_conn.
  if (!handle.isValid() ||
      (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
    return false;
  const PGconn* connection = *static_cast<PGconn* const*>(handle.constData());
  return connection && PQstatus(connection) == CONNECTION_BAD;
}

}  // namespace

namespace sql {

Backend backendOf(const QSqlDatabase& db) {
  return db.driverName() == kPostgresDriver ? Backend::PostgreSQL : Backend::SQLite;
}

void listen(const QString& name, const QString& channel) {
  const std::lock_guard<std::mutex> lock(channelsMutex);
  QStringList& channels = channelsByConnection()[name];
  if (!channels.contains(channel)) channels << channel;
}

QSqlDatabase connection(const QString& name) {
  QSqlDatabase db = QSqlDatabase::database(name, false);
  // QPSQL may mark a connection it found broken as closed; ours are only closed on purpose by
  // removing them, so a closed one here was lost too.
  if (db.isValid() && db.driverName() == kPostgresDriver &&
      (!db.isOpen() || connectionLost(db.driver()))) {
    // Reopening drops the driver's subscriptions; the caller's signal connections stay, since
    // the driver object is the same.
    db.close();
    if (db.open()) {
      configureSession(db);
      QStringList channels;
      {
        const std::lock_guard<std::mutex> lock(channelsMutex);
        channels = channelsByConnection()[name];
      }
      for (const QString& channel : channels) db.driver()->subscribeToNotification(channel);
    }
  }
  return db;
}

Error sqlError(const QSqlQuery& query, const QString& where, const std::string& what) {
  const QSqlError error = query.lastError();
  const QString code = error.nativeErrorCode();
  bool retry = false;
  if (query.driver() && query.driver()->dbmsType() == QSqlDriver::PostgreSQL) {
    // Lost connections (also one that could not be opened again), serialization failures,
    // deadlocks and lock timeouts pass; the next attempt can work.
    retry = !query.driver()->isOpen() || connectionLost(query.driver()) ||
            code == QStringLiteral("55P03") || code.startsWith(QStringLiteral("08")) ||
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
  text += (socket ? QStringLiteral("localhost") : host) + QLatin1Char(':') + QString::number(port) +
          QLatin1Char('/') + database;
  if (socket) text += QStringLiteral("?host=") + host;
  return text;
}

Result<PostgresAddress> parseUrl(const QString& text) {
  const auto bad = [&](const std::string& why) {
    // The message never repeats the URL's password, nor its query (where one could be too).
    QUrl shown(text);
    shown.setPassword({});
    shown.setQuery(QString());
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
      static const QStringList modes = {QStringLiteral("disable"),   QStringLiteral("allow"),
                                        QStringLiteral("prefer"),    QStringLiteral("require"),
                                        QStringLiteral("verify-ca"), QStringLiteral("verify-full")};
      if (!modes.contains(value))
        return bad("sslmode is disable, allow, prefer, require, verify-ca or verify-full");
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
    // timeout keeps a wrong host or a silent server from hanging the caller; keepalives notice
    // a server that vanished (a half-open connection would otherwise wait for hours).
    QString options = QStringLiteral(
                          "connect_timeout=%1;application_name=medsa-studio;"
                          "keepalives=1;keepalives_idle=30;keepalives_interval=10;"
                          "keepalives_count=3")
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
    configureSession(db);
  }
  return name;
}

void close(const QString& name) {
  {
    const std::lock_guard<std::mutex> lock(channelsMutex);
    channelsByConnection().erase(name);
  }
  {
    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (db.isValid()) db.close();
  }
  QSqlDatabase::removeDatabase(name);
}

}  // namespace database
}  // namespace medsa::annotations
