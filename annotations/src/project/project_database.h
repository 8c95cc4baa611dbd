#pragma once
// Opening the project's database: a SQLite file in a project folder, or a PostgreSQL database
// named by a URL. Not part of the API; ProjectStore is.

#include <QString>

#include "medsa/core/error.h"

namespace medsa::annotations::database {

/// Whether a project location is a PostgreSQL URL (postgresql:// or postgres://) rather than a
/// folder.
bool isUrl(const QString& location);

/// A parsed postgresql://[user@]host[:port]/dbname[?host=/socket/dir&sslmode=M&connect_timeout=S]
/// URL. A password in the URL is refused: it would end up in settings files and process lists;
/// libpq takes it from PGPASSWORD or ~/.pgpass instead.
struct PostgresAddress {
  QString host;  ///< a name, an address or (from ?host=) a socket folder
  int port = 5432;
  QString user;  ///< empty: libpq's default (PGUSER, else the OS user)
  QString database;
  QString sslmode;
  int connectTimeoutSeconds = 10;
  /// The URL without anything secret, for messages and the recent-projects list.
  QString display() const;
};
Result<PostgresAddress> parseUrl(const QString& url);

/// Each returns the name of a new QtSql connection of the calling thread.
Result<QString> openSqlite(const QString& path);
Result<QString> openPostgres(const PostgresAddress& address);
void close(const QString& name);

}  // namespace medsa::annotations::database
