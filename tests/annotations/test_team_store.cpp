// The project store shared by a team: the same behaviour on SQLite (a folder) and PostgreSQL (a
// URL, on the throwaway cluster of the CTest fixture): case leases that hand each case to one
// annotator, expiry and renewal, saves kept as conflict versions, files read back through the
// database on another workstation, migrations, LISTEN/NOTIFY, a cut connection, and the errors a
// user sees for a bad URL, a wrong password, a silent server; the rights docs/team.md lists.
#include <QColor>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "medsa/annotations/label_map_io.h"
#include "medsa/annotations/project_store.h"
#include "medsa/core/sha256.h"
#include "project_schema.h"
#include "test_database.h"

using namespace medsa::annotations;
using medsa::test::TestDatabase;

namespace {

LabelSet oneLabel() {
  LabelSet set;
  set.add(QStringLiteral("lesion"));
  return set;
}

medsa::Image picture() {
  return medsa::Image::create({16, 16, 1, 1}, 1, medsa::PixelType::U8).value();
}

LabelMap painted(std::size_t pixels) {
  medsa::Image labels = LabelMap::createFor(picture())->image();
  for (std::size_t i = 0; i < pixels; ++i) labels.data<std::uint16_t>()[i] = 1;
  return LabelMap::fromImage(std::move(labels)).value();
}

NewCase aPicture(int n) {
  NewCase c;
  c.name = QStringLiteral("case%1").arg(n);
  c.imagePath = QStringLiteral("/data/case%1.png").arg(n);
  c.contentHash = QStringLiteral("hash%1").arg(n);
  c.picture = true;
  return c;
}

QString describe(const medsa::Error& error) { return QString::fromStdString(error.describe()); }

/// Writes `bytes` as an adapter file in the store's folder and records it as the next version.
medsa::Result<AdapterVersion> addAdapterFile(ProjectStore& store, const QString& name,
                                             const QByteArray& bytes) {
  const QString path = QDir(store.folder()).filePath(QStringLiteral("adapters/") + name);
  QFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size())
    return medsa::Error{medsa::ErrorCode::WriteFailed, "cannot write the adapter file",
                        path.toStdString()};
  out.close();
  AdapterVersion version;
  version.path = path;
  version.sha256 = QString::fromStdString(medsa::sha256Hex(bytes.toStdString()));
  return store.addAdapterVersion(version);
}

/// Where a test's project lives: a folder, or a fresh database with a cache folder per
/// "workstation".
struct Place {
  QTemporaryDir dir;
  TestDatabase database;
  QString location;
  bool postgres = false;

  ProjectStore::Options workstation(const QString& name) const {
    ProjectStore::Options options;
    if (postgres) options.cacheFolder = dir.filePath(QStringLiteral("cache-") + name);
    return options;
  }
  std::unique_ptr<ProjectStore> open(const QString& as = QStringLiteral("a")) const {
    auto store = ProjectStore::open(location, workstation(as));
    if (!store) qWarning("%s", store.error().describe().c_str());
    return store ? std::move(store).value() : nullptr;
  }
};

}  // namespace

class TestTeamStore : public QObject {
  Q_OBJECT

  /// Makes the place for the test's backend row; false when the test was skipped.
  bool prepare(Place& place) {
    QFETCH(QString, backend);
    return prepareOn(place, backend == QStringLiteral("postgresql"));
  }

  /// Makes a project on SQLite or PostgreSQL; false when the test was skipped.
  bool prepareOn(Place& place, bool postgres) {
    place.postgres = postgres;
    if (place.postgres) {
      QString why;
      if (!place.database.create(&why)) {
        if (TestDatabase::required()) qFatal("PostgreSQL is required in CI: %s", qPrintable(why));
        QTest::qSkip(qPrintable(why), __FILE__, __LINE__);
        return false;
      }
      place.location = place.database.url();
    } else {
      place.location = place.dir.filePath(QStringLiteral("project"));
    }
    auto made = ProjectStore::create(place.location, QStringLiteral("team"), oneLabel(),
                                     place.workstation(QStringLiteral("a")));
    if (!made) qFatal("cannot create the project: %s", made.error().describe().c_str());
    return true;
  }

  void backends() {
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    QTest::newRow("postgresql") << QStringLiteral("postgresql");
  }

 private slots:
  void leasesHandOutEachCaseOnce_data() { backends(); }
  void leasesHandOutEachCaseOnce() {
    Place place;
    if (!prepare(place)) return;
    {
      auto store = place.open();
      for (int n = 0; n < 24; ++n) QVERIFY(store->addCase(aPicture(n)));
      QVERIFY(store->setStatus(store->caseByName(QStringLiteral("case3"))->value().id,
                               CaseStatus::Done));  // finished cases are not handed out
    }
    // Six annotators, each with its own connection, take cases until none is left.
    std::mutex mutex;
    std::multiset<qint64> taken;
    std::atomic<int> failures{0};
    auto annotator = [&](int who) {
      auto store =
          ProjectStore::open(place.location, place.workstation(QStringLiteral("w%1").arg(who)));
      if (!store) {
        ++failures;
        return;
      }
      for (;;) {
        auto next = store.value()->takeNextCase(QStringLiteral("user%1").arg(who), 600);
        if (!next) {
          ++failures;
          return;
        }
        if (!next.value()) return;
        const std::lock_guard<std::mutex> lock(mutex);
        taken.insert(next.value()->id);
        if (next.value()->leaseHolder != QStringLiteral("user%1").arg(who)) ++failures;
      }
    };
    std::vector<std::thread> threads;
    for (int who = 0; who < 6; ++who) threads.emplace_back(annotator, who);
    for (std::thread& t : threads) t.join();
    QCOMPARE(failures.load(), 0);
    QCOMPARE(taken.size(), std::size_t(23));
    QCOMPARE(std::set<qint64>(taken.begin(), taken.end()).size(), std::size_t(23));
    // The case list shows who holds what.
    auto store = place.open();
    int held = 0;
    for (const CaseRecord& c : store->cases().value())
      if (c.leaseHolder.startsWith(QStringLiteral("user"))) {
        ++held;
        QVERIFY(c.leaseUntil > QDateTime::currentDateTimeUtc());
      }
    QCOMPARE(held, 23);
  }

  void leasesExpireAndRenew_data() { backends(); }
  void leasesExpireAndRenew() {
    Place place;
    if (!prepare(place)) return;
    auto store = place.open();
    const qint64 id = store->addCase(aPicture(1))->record.id;
    auto ann = store->takeNextCase(QStringLiteral("ann"), 1);
    QVERIFY(ann && ann.value() && ann.value()->id == id);
    QVERIFY(store->renewLease(id, QStringLiteral("ann"), 1));
    // Held: nobody else gets it, and the refusal names the holder.
    QVERIFY(!store->takeNextCase(QStringLiteral("bob"), 60).value());
    auto refused = store->takeCase(id, QStringLiteral("bob"), 60);
    QVERIFY(!refused);
    QVERIFY(describe(refused.error()).contains(QStringLiteral("ann")));
    // After a second of inactivity it is free again; ann's renewal then fails, naming bob.
    QTest::qWait(1300);
    QCOMPARE(store->caseById(id)->leaseHolder, QString());
    auto bob = store->takeNextCase(QStringLiteral("bob"), 60);
    QVERIFY(bob && bob.value() && bob.value()->id == id);
    const medsa::Status lost = store->renewLease(id, QStringLiteral("ann"), 60);
    QVERIFY(!lost);
    QCOMPARE(lost.error().code, medsa::ErrorCode::Conflict);  // not "try again"
    QVERIFY(describe(lost.error()).contains(QStringLiteral("bob")));
    // Next Case never hands out the case the caller is on.
    QVERIFY(!store->takeNextCase(QStringLiteral("bob"), 60, id).value());
    // Releasing gives it back; releasing what one does not hold changes nothing.
    QVERIFY(store->releaseCase(id, QStringLiteral("ann")));
    QCOMPARE(store->caseById(id)->leaseHolder, QStringLiteral("bob"));
    QVERIFY(store->releaseCase(id, QStringLiteral("bob")));
    QCOMPARE(store->caseById(id)->leaseHolder, QString());
    QVERIFY(store->takeCase(id, QStringLiteral("ann"), 60));
  }

  void conflictingSavesAreKeptAside_data() { backends(); }
  void conflictingSavesAreKeptAside() {
    Place place;
    if (!prepare(place)) return;
    auto store = place.open();
    const qint64 id = store->addCase(aPicture(1))->record.id;
    QVERIFY(store->takeCase(id, QStringLiteral("ann"), 600));
    // bob saves into a case ann holds: kept, as a conflict, and the case's labels stay.
    auto bobs = store->saveLabels(id, painted(7), oneLabel(), QStringLiteral("bob"), 0);
    QVERIFY2(bobs, bobs ? "" : bobs.error().describe().c_str());
    QVERIFY(bobs->conflict.contains(QStringLiteral("ann")));
    QVERIFY(QFileInfo(bobs->path).fileName().contains(QStringLiteral("conflict")));
    QVERIFY(!store->caseById(id)->latest);
    // ann's save, based on no version, is the case's labels.
    auto anns = store->saveLabels(id, painted(5), oneLabel(), QStringLiteral("ann"), 0);
    QVERIFY(anns && anns->conflict.isEmpty());
    QCOMPARE(store->caseById(id)->latest->version, anns->version);
    QVERIFY(store->releaseCase(id, QStringLiteral("ann")));
    // bob, still editing what he opened before ann's save (no version), is refused again:
    // the case changed since.
    auto stale = store->saveLabels(id, painted(9), oneLabel(), QStringLiteral("bob"), 0);
    QVERIFY(stale);
    QVERIFY(stale->conflict.contains(QStringLiteral("changed since")));
    QCOMPARE(store->caseById(id)->latest->voxels.value(1), qint64(5));
    // Based on ann's version, bob's save goes through.
    auto based =
        store->saveLabels(id, painted(11), oneLabel(), QStringLiteral("bob"), anns->version);
    QVERIFY(based && based->conflict.isEmpty());
    // Nothing was lost: every save is a version with its own file.
    auto versions = store->labelVersions(id).value();
    QCOMPARE(versions.size(), std::size_t(4));
    std::set<QString> files;
    for (const LabelVersion& v : versions) {
      QVERIFY(QFileInfo::exists(v.path));
      files.insert(v.path);
    }
    QCOMPARE(files.size(), std::size_t(4));
    QCOMPARE(versions[0].conflict.isEmpty(), false);
    QCOMPARE(versions[2].conflict.isEmpty(), false);
  }

  void labelsAddedAtOnceAreAllKept_data() { backends(); }
  void labelsAddedAtOnceAreAllKept() {
    Place place;
    if (!prepare(place)) return;
    std::atomic<int> failures{0};
    auto annotator = [&](int who) {
      auto store =
          ProjectStore::open(place.location, place.workstation(QStringLiteral("w%1").arg(who)));
      LabelSet mine = oneLabel();
      for (int i = 0; i < 5; ++i) {
        Label label{static_cast<quint16>(10 + who * 10 + i),
                    QStringLiteral("w%1_%2").arg(who).arg(i), QColor(Qt::red), true, false};
        mine.insert(label);
        if (!store || !store.value()->addLabels(mine)) ++failures;
      }
    };
    std::thread a(annotator, 1), b(annotator, 2);
    a.join();
    b.join();
    QCOMPARE(failures.load(), 0);
    const LabelSet labels = place.open()->labels().value();
    QCOMPARE(labels.labels().size(), std::size_t(11));         // lesion + 5 + 5
    QCOMPARE(labels.find(1)->name, QStringLiteral("lesion"));  // an existing label is kept as is
  }

  void twoWritersAtOnceLoseNothing_data() { backends(); }
  void twoWritersAtOnceLoseNothing() {
    Place place;
    if (!prepare(place)) return;
    const qint64 shared = place.open()->addCase(aPicture(0))->record.id;
    std::atomic<int> failures{0};
    auto writer = [&](int who) {
      auto store =
          ProjectStore::open(place.location, place.workstation(QStringLiteral("w%1").arg(who)));
      if (!store) {
        ++failures;
        return;
      }
      for (int i = 0; i < 10; ++i) {
        if (!store.value()->addCase(aPicture(100 * who + i))) ++failures;
        if (!store.value()->saveLabels(shared, painted(3), oneLabel(),
                                       QStringLiteral("w%1").arg(who)))
          ++failures;
      }
    };
    std::thread a(writer, 1), b(writer, 2), c(writer, 3);
    a.join();
    b.join();
    c.join();
    QCOMPARE(failures.load(), 0);
    auto store = place.open();
    QCOMPARE(store->cases()->size(), std::size_t(31));
    auto versions = store->labelVersions(shared).value();
    QCOMPARE(versions.size(), std::size_t(30));
    for (int v = 0; v < 30; ++v) QCOMPARE(versions.at(std::size_t(v)).version, v + 1);
  }

  // --- PostgreSQL only ---

  void anotherWorkstationReadsTheFilesFromTheDatabase() {
    Place place;
    place.postgres = true;
    MEDSA_NEED_DATABASE(place.database);
    place.location = place.database.url();
    QTemporaryDir data;
    ProjectStore::Options a = place.workstation(QStringLiteral("a"));
    a.dataRoot = data.path();
    auto made = ProjectStore::create(place.location, QStringLiteral("team"), oneLabel(), a);
    QVERIFY2(made, made ? "" : made.error().describe().c_str());
    auto& store = made.value();
    QVERIFY(store->shared());
    QVERIFY(!store->location().contains(QStringLiteral("password")));
    NewCase c = aPicture(1);
    c.imagePath = data.filePath(QStringLiteral("scans/case1.png"));
    const qint64 id = store->addCase(c)->record.id;
    auto saved = store->saveLabels(id, painted(6), oneLabel(), QStringLiteral("ann"));
    QVERIFY(saved);
    QVERIFY(addAdapterFile(*store, QStringLiteral("a.bin"), "adapter bytes"));

    // Workstation b mounts the data elsewhere and has an empty cache.
    QTemporaryDir otherMount;
    ProjectStore::Options b = place.workstation(QStringLiteral("b"));
    b.dataRoot = otherMount.path();
    auto other = ProjectStore::open(place.location, b);
    QVERIFY2(other, other ? "" : other.error().describe().c_str());
    QVERIFY(other.value()->folder() != store->folder());
    const CaseRecord record = other.value()->caseById(id).value();
    QCOMPARE(record.imagePath, otherMount.filePath(QStringLiteral("scans/case1.png")));
    QVERIFY(record.latest->path.startsWith(b.cacheFolder));
    // Listing the cases fetches nothing; reading a version's file fetches that one.
    QVERIFY(!QFileInfo::exists(record.latest->path));
    QCOMPARE(other.value()->labelFile(*record.latest).value(), record.latest->path);
    QCOMPARE(QString::fromStdString(medsa::sha256File(record.latest->path.toStdString()).value()),
             saved->sha256);
    // A file in the cache that is not this version's (a failed save's, or one from before a
    // restore) is replaced by the database's copy.
    {
      QFile stale(record.latest->path);
      QVERIFY(stale.open(QIODevice::WriteOnly | QIODevice::Truncate));
      stale.write("left by a save that failed");
    }
    QCOMPARE(other.value()->labelFile(*record.latest).value(), record.latest->path);
    QCOMPARE(QString::fromStdString(medsa::sha256File(record.latest->path.toStdString()).value()),
             saved->sha256);
    auto loaded = loadLabelMap(record.latest->path, picture());
    QVERIFY(loaded);
    QCOMPARE(loaded->map.count(1), std::size_t(6));
    // With the project's names and colours, not made-up ones that the next save would keep.
    QVERIFY(loaded->labels.find(1));
    QCOMPARE(loaded->labels.find(1)->name, QStringLiteral("lesion"));
    // A copy in the database that does not match its checksum is refused, and nothing written.
    QString why;
    QVERIFY2(place.database.run(
                 QStringLiteral("UPDATE label_versions SET content = 'garbage'::bytea"), &why),
             qPrintable(why));
    auto third = ProjectStore::open(place.location, place.workstation(QStringLiteral("c")));
    QVERIFY(third);
    const CaseRecord seen = third.value()->caseById(id).value();
    auto refused = third.value()->labelFile(*seen.latest);
    QVERIFY(!refused);
    QVERIFY(describe(refused.error()).contains(QStringLiteral("checksum")));
    QVERIFY(!QFileInfo::exists(seen.latest->path));
    const AdapterVersion adapter = other.value()->adapterVersions()->front();
    QVERIFY(adapter.path.startsWith(b.cacheFolder));
    QFile in(adapter.path);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QCOMPARE(in.readAll(), QByteArray("adapter bytes"));
  }

  void migratesAnOlderDatabaseOnce() {
    Place place;
    MEDSA_NEED_DATABASE(place.database);
    // A version-1 project, as the first release wrote it.
    QString why;
    for (const QString& statement :
         schema::migrationFrom(0, medsa::annotations::sql::Backend::PostgreSQL))
      QVERIFY2(place.database.run(statement, &why), qPrintable(why));
    QVERIFY(place.database.run(QStringLiteral("INSERT INTO meta VALUES ('schema_version', '1'), "
                                              "('name', 'old'), ('project_id', 'p1')"),
                               &why));
    QVERIFY(place.database.run(
        QStringLiteral("INSERT INTO cases (name, image_path, content_hash, kind, position, "
                       "created, updated) VALUES ('c', '/x.png', 'h', 'picture', 1, '', '')"),
        &why));
    // Three workstations open it at once: it is migrated once, and all of them work.
    std::atomic<int> opened{0};
    std::vector<std::thread> threads;
    QTemporaryDir caches;
    for (int i = 0; i < 3; ++i)
      threads.emplace_back([&, i] {
        ProjectStore::Options options;
        options.cacheFolder = caches.filePath(QString::number(i));
        auto store = ProjectStore::open(place.database.url(), options);
        if (store && store.value()->schemaVersion() == schema::kCurrentVersion &&
            store.value()->cases()->size() == 1)
          ++opened;
      });
    for (std::thread& t : threads) t.join();
    QCOMPARE(opened.load(), 3);
    ProjectStore::Options options;
    options.cacheFolder = caches.filePath(QStringLiteral("x"));
    auto store = ProjectStore::open(place.database.url(), options).value();
    QCOMPARE(store->name(), QStringLiteral("old"));
    auto next = store->takeNextCase(QStringLiteral("ann"), 60);
    QVERIFY(next && next.value());
    // A newer schema is refused, as on SQLite.
    QVERIFY(place.database.run(
        QStringLiteral("UPDATE meta SET value = '99' WHERE key = 'schema_version'"), &why));
    auto newer = ProjectStore::open(place.database.url(), options);
    QVERIFY(!newer);
    QVERIFY(describe(newer.error()).contains(QStringLiteral("newer")));
  }

  void otherWorkstationsAreToldOfChanges() {
    Place place;
    if (!prepareOn(place, true)) return;
    auto watcher = place.open(QStringLiteral("a"));
    QStringList changes;
    QObject context;
    QVERIFY(watcher->watch(&context, [&](const QString& change) { changes << change; }));
    auto trainer = place.open(QStringLiteral("trainer"));
    const qint64 id = trainer->addCase(aPicture(1))->record.id;
    QVERIFY(trainer->takeCase(id, QStringLiteral("bob"), 60));
    QVERIFY(addAdapterFile(*trainer, QStringLiteral("v1.bin"), "x"));
    QVERIFY(trainer->setLiveAdapter(1));
    QTRY_VERIFY_WITH_TIMEOUT(changes.contains(QStringLiteral("live:1")), 10000);
    QVERIFY(changes.contains(QStringLiteral("case:%1").arg(id)));
    // A connection's own changes are not echoed to it.
    changes.clear();
    QVERIFY(watcher->releaseCase(id, QStringLiteral("bob")));
    QTest::qWait(300);
    QVERIFY(changes.isEmpty());
    // SQLite has no other workstation to hear from.
    QTemporaryDir folder;
    auto local = ProjectStore::create(folder.path(), QStringLiteral("solo"), oneLabel()).value();
    QVERIFY(!local->watch(&context, [](const QString&) {}));
  }

  void aCutConnectionIsOpenedAgain() {
    Place place;
    if (!prepareOn(place, true)) return;
    auto store = place.open();
    const qint64 id = store->addCase(aPicture(1))->record.id;
    QStringList changes;
    QObject context;
    QVERIFY(store->watch(&context, [&](const QString& change) { changes << change; }));
    QString why;
    QVERIFY(place.database.run(
        QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                       "application_name = 'medsa-studio' AND datname = current_database()"),
        &why));
    // The call that meets the cut fails as "try again"; the next one works on a new connection.
    auto first = store->caseById(id);
    if (!first)
      QVERIFY2(first.error().code == medsa::ErrorCode::Unavailable,
               first.error().describe().c_str());
    auto second = store->caseById(id);
    QVERIFY2(second, second ? "" : second.error().describe().c_str());
    QVERIFY(store->takeCase(id, QStringLiteral("ann"), 60));
    // Its notifications are subscribed again.
    auto other = place.open(QStringLiteral("b"));
    QVERIFY(other->releaseCase(id, QStringLiteral("ann")));
    QTRY_VERIFY_WITH_TIMEOUT(changes.contains(QStringLiteral("case:%1").arg(id)), 10000);
  }

  void badLocationsAndCredentialsSayWhatIsWrong() {
    Place place;
    if (!prepareOn(place, true)) return;
    ProjectStore::Options options = place.workstation(QStringLiteral("b"));
    // Refused before any connection.
    for (const auto& [url, expected] :
         {std::pair{QStringLiteral("postgresql://ann:secret@db.example:5432/p"),
                    QStringLiteral("password in the URL")},
          std::pair{QStringLiteral("postgresql://ann@db.example:5432/"),
                    QStringLiteral("no database")},
          std::pair{QStringLiteral("postgresql://ann@db.example/p?colour=red"),
                    QStringLiteral("unknown parameter")}}) {
      auto opened = ProjectStore::open(url, options);
      QVERIFY(!opened);
      QVERIFY2(describe(opened.error()).contains(expected), qPrintable(describe(opened.error())));
      QVERIFY(!describe(opened.error()).contains(QStringLiteral("secret")));
    }
    QString why;

    // The documented rights (docs/team.md) are enough for an annotator's work.
    const QStringList grants = {
        QStringLiteral("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "
                       "medsa_password"),
        QStringLiteral("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "
                       "medsa_password")};
    for (const QString& grant : grants) QVERIFY2(place.database.run(grant, &why), qPrintable(why));
    const QString asAnnotator = place.database.url(QStringLiteral("medsa_password"));
    qputenv("PGPASSWORD", "wrong-password");
    auto wrong = ProjectStore::open(asAnnotator, options);
    QVERIFY(!wrong);
    QVERIFY2(describe(wrong.error()).contains(QStringLiteral("password authentication failed")),
             qPrintable(describe(wrong.error())));
    qunsetenv("PGPASSWORD");
    // The password from a password file (what ~/.pgpass is; PGPASSFILE points at it here).
    QTemporaryDir home;
    const QString pgpass = home.filePath(QStringLiteral("pgpass"));
    {
      QFile out(pgpass);
      QVERIFY(out.open(QIODevice::WriteOnly));
      out.write("*:*:*:medsa_password:right-password\n");
      out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    qputenv("PGPASSFILE", pgpass.toLocal8Bit());
    auto annotator = ProjectStore::open(asAnnotator, options);
    qunsetenv("PGPASSFILE");
    QVERIFY2(annotator, annotator ? "" : annotator.error().describe().c_str());
    auto& store = annotator.value();
    const qint64 id = store->addCase(aPicture(1))->record.id;
    QVERIFY(store->takeNextCase(QStringLiteral("medsa_password"), 60).value());
    QVERIFY(store->saveLabels(id, painted(3), oneLabel(), QStringLiteral("medsa_password")));
    QVERIFY(store->setStatus(id, CaseStatus::Done));
    QVERIFY(store->setLabels(oneLabel()));
    QVERIFY(store->releaseCase(id, QStringLiteral("medsa_password")));
    // A save whose row cannot be recorded leaves no file behind: another machine may record
    // that version number with other content.
    QVERIFY2(place.database.run(
                 QStringLiteral("REVOKE INSERT ON label_versions FROM medsa_password"), &why),
             qPrintable(why));
    auto unrecorded =
        store->saveLabels(id, painted(4), oneLabel(), QStringLiteral("medsa_password"));
    QVERIFY(!unrecorded);
    QVERIFY(
        !QFileInfo::exists(QDir(store->folder()).filePath(QStringLiteral("labels/case1/v2.png"))));
    QCOMPARE(store->labelVersions(id)->size(), std::size_t(1));

    // A server that accepts the connection and then says nothing: the connect timeout ends it.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    QElapsedTimer clock;
    clock.start();
    auto hung =
        ProjectStore::open(QStringLiteral("postgresql://ann@127.0.0.1:%1/p?connect_timeout=2")
                               .arg(silent.serverPort()),
                           options);
    QVERIFY(!hung);
    QVERIFY(clock.elapsed() < 15000);
    QVERIFY2(describe(hung.error()).contains(QStringLiteral("timeout")),
             qPrintable(describe(hung.error())));
    // Nobody listening.
    const quint16 closed = silent.serverPort();
    silent.close();
    auto refused =
        ProjectStore::open(QStringLiteral("postgresql://ann@127.0.0.1:%1/p").arg(closed), options);
    QVERIFY(!refused);
    QVERIFY2(describe(refused.error()).contains(QStringLiteral("cannot connect")),
             qPrintable(describe(refused.error())));
  }
};

QTEST_GUILESS_MAIN(TestTeamStore)
#include "test_team_store.moc"
