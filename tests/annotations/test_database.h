#pragma once
// A fresh PostgreSQL database for one test, on the throwaway cluster that the CTest fixture
// (scripts/test-postgres.sh) starts; dropped when the test ends. Where PostgreSQL is absent the
// test skips, except in CI (MEDSA_REQUIRE_POSTGRES=1), where that fails.

#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

namespace medsa::test {

class TestDatabase {
 public:
  /// The cluster's superuser URL, or "" with `why` set.
  static QString serverUrl(QString* why) {
    const QString file = qEnvironmentVariable("MEDSA_TEST_POSTGRES");
    QFile in(file);
    if (file.isEmpty() || !in.open(QIODevice::ReadOnly)) {
      *why = QStringLiteral(
          "no test PostgreSQL (run the test through ctest: its fixture starts "
          "one)");
      return {};
    }
    const QString url = QString::fromUtf8(in.readAll()).trimmed();
    if (url == QStringLiteral("absent")) {
      *why = QStringLiteral("PostgreSQL is not installed (Debian: postgresql)");
      return {};
    }
    return url;
  }

  static bool required() { return qEnvironmentVariable("MEDSA_REQUIRE_POSTGRES") == "1"; }

  /// Makes the database; false (with `why`) when there is no server.
  bool create(QString* why) {
    server_ = serverUrl(why);
    if (server_.isEmpty()) return false;
    name_ = QStringLiteral("medsa_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
    if (!admin(QStringLiteral("CREATE DATABASE ") + name_, why)) return false;
    return true;
  }

  ~TestDatabase() {
    if (name_.isEmpty()) return;
    QString ignored;
    admin(QStringLiteral("DROP DATABASE IF EXISTS ") + name_ + QStringLiteral(" WITH (FORCE)"),
          &ignored);
  }

  /// The database's URL as the given role (default: the superuser).
  QString url(const QString& user = QStringLiteral("postgres")) const {
    QUrl url(server_);
    url.setUserName(user);
    url.setPath(QLatin1Char('/') + name_);
    return url.toString();
  }
  QString name() const { return name_; }

  /// Runs SQL as the superuser in this test's database (or the maintenance one).
  bool run(const QString& statement, QString* why, bool inTestDatabase = true) const {
    const QUrl url(server_);
    const QString connection = QUuid::createUuid().toString();
    bool ok = false;
    {
      QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
      db.setHostName(QUrlQuery(url).queryItemValue(QStringLiteral("host")));
      db.setPort(url.port(5432));
      db.setUserName(QStringLiteral("postgres"));
      db.setDatabaseName(inTestDatabase ? name_ : QStringLiteral("postgres"));
      if (!db.open()) {
        *why = db.lastError().text();
      } else {
        QSqlQuery q(db);
        ok = q.exec(statement);
        if (!ok) *why = q.lastError().text();
      }
    }
    QSqlDatabase::removeDatabase(connection);
    return ok;
  }

 private:
  bool admin(const QString& statement, QString* why) const { return run(statement, why, false); }

  QString server_;
  QString name_;
};

}  // namespace medsa::test

/// Skips the test (or fails it in CI) when no PostgreSQL is at hand.
#define MEDSA_NEED_DATABASE(database)                                     \
  do {                                                                    \
    QString why_;                                                         \
    if (!(database).create(&why_)) {                                      \
      if (medsa::test::TestDatabase::required()) QFAIL(qPrintable(why_)); \
      QSKIP(qPrintable(why_));                                            \
    }                                                                     \
  } while (false)
