// medsa project stress: many annotators on one project at once, with faults. Each annotator is a
// process of its own (`medsa project stress-worker`) that loops: take the next case (a lease),
// work on it for a moment, save a label map based on the version it saw, release it; it logs
// every step, flushed, to a file. Meanwhile the coordinator kills one annotator with SIGKILL and
// starts it again, and on PostgreSQL ends every session once (as a network failure would). Then
// it reads the logs and the store:
// - a double assignment is two annotators holding the same case at once. Each hold is counted
//   from after its take returned to before its release was sent, and never past the lease's
//   end (a worker that was killed or cut may outlive its lease; the case is rightly someone
//   else's then), so a correct store can never show one;
// - a lost save is a save its annotator was told succeeded that the store does not have, byte
//   for byte (the SHA-256 of the file).
#include "project_stress.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QUuid>

#include <algorithm>
#include <map>
#include <ostream>

#include "medsa/annotations/project_store.h"

#include <nlohmann/json.hpp>

namespace medsa::cli {
namespace {

using namespace medsa::annotations;

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

int stressUsage(CommandContext& context, const std::string& why) {
  context.err << "medsa project stress: " << why << '\n'
              << "Usage: medsa project stress LOCATION --annotators N --minutes M [--lease S] "
                 "[--json]\n";
  return kExitUsage;
}

LabelMap stressLabels(int pixels) {
  Image image = Image::create({32, 32, 1, 1}, 1, PixelType::U8).value();
  Image labels = LabelMap::createFor(image)->image();
  for (int i = 0; i < pixels; ++i) labels.data<std::uint16_t>()[i] = 1;
  return LabelMap::fromImage(std::move(labels)).value();
}

/// One annotator's log: a JSON object per line, flushed after each, so a SIGKILL loses at most
/// the line being written.
class EventLog {
 public:
  explicit EventLog(const QString& path) : file_(path) {
    ok_ = file_.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered);
  }
  bool ok() const { return ok_; }
  void write(QJsonObject event) {
    event.insert(QStringLiteral("t"), double(nowMs()));
    file_.write(QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n');
  }

 private:
  QFile file_;
  bool ok_ = false;
};

}  // namespace

int runProjectStressWorker(CommandContext& context, ArgumentParser& parser) {
  const std::optional<std::string> location = parser.positional();
  const std::optional<std::string> user = parser.option("--user");
  const std::optional<std::string> seconds = parser.option("--seconds");
  const std::optional<std::string> logPath = parser.option("--log");
  const std::optional<std::string> cache = parser.option("--cache");
  const std::optional<std::string> lease = parser.option("--lease");
  if (Status finished = parser.finish();
      !finished || !location || !user || !seconds || !logPath || !cache || !lease)
    return stressUsage(context,
                       "stress-worker needs LOCATION, --user, --seconds, --log, "
                       "--cache and --lease");
  const qint64 deadline = nowMs() + qint64(std::stod(*seconds) * 1000);
  const int leaseSeconds = std::stoi(*lease);
  const QString who = QString::fromStdString(*user);
  EventLog log(QString::fromStdString(*logPath));
  if (!log.ok()) return stressUsage(context, "cannot write the log " + *logPath);
  ProjectStore::Options options;
  options.cacheFolder = QString::fromStdString(*cache);
  Result<std::unique_ptr<ProjectStore>> opened =
      ProjectStore::open(QString::fromStdString(*location), options);
  if (!opened) {
    context.err << "stress-worker: " << opened.error().describe() << '\n';
    return kExitFailure;
  }
  ProjectStore& store = *opened.value();
  Result<LabelSet> labels = store.labels();
  if (!labels) return kExitFailure;
  auto error = [&](const char* step, const Error& e) {
    log.write({{QStringLiteral("event"), QStringLiteral("error")},
               {QStringLiteral("step"), QString::fromLatin1(step)},
               {QStringLiteral("message"), QString::fromStdString(e.describe())}});
    QThread::msleep(50);  // a cut connection is opened again by the next call
  };
  QRandomGenerator random(qHash(who) ^ quint32(nowMs()));
  while (nowMs() < deadline) {
    const qint64 sent = nowMs();
    Result<std::optional<CaseRecord>> taken = store.takeNextCase(who, leaseSeconds);
    const qint64 back = nowMs();
    if (!taken) {
      error("take", taken.error());
      continue;
    }
    if (!taken.value()) {
      QThread::msleep(20);  // every case is held: wait for one to come back
      continue;
    }
    const CaseRecord& record = *taken.value();
    const int based = record.latest ? record.latest->version : 0;
    log.write({{QStringLiteral("event"), QStringLiteral("take")},
               {QStringLiteral("case"), double(record.id)},
               {QStringLiteral("sent"), double(sent)},
               {QStringLiteral("back"), double(back)},
               {QStringLiteral("lease_end"), double(sent + leaseSeconds * 1000LL)}});
    QThread::msleep(10 + random.bounded(50));  // the annotator at work
    Result<LabelVersion> saved = store.saveLabels(record.id, stressLabels(1 + random.bounded(1000)),
                                                  labels.value(), who, based);
    if (saved) {
      log.write({{QStringLiteral("event"), QStringLiteral("save")},
                 {QStringLiteral("case"), double(record.id)},
                 {QStringLiteral("id"), double(saved->id)},
                 {QStringLiteral("sha256"), saved->sha256},
                 {QStringLiteral("conflict"), saved->conflict}});
    } else {
      error("save", saved.error());
    }
    log.write({{QStringLiteral("event"), QStringLiteral("release")},
               {QStringLiteral("case"), double(record.id)}});
    if (Status released = store.releaseCase(record.id, who); !released)
      error("release", released.error());
  }
  return kExitOk;
}

namespace {

struct Hold {
  qint64 from = 0;
  qint64 to = 0;
  QString log;
};

struct StressTally {
  int casesTaken = 0;
  int saves = 0;
  int conflicts = 0;
  int errors = 0;
  qint64 cutAt = 0;
  int savesAfterCut = 0;  // the annotators came back after the cut
  std::vector<double> takeMs;
  std::map<qint64, std::vector<Hold>> holds;           // case -> holds
  std::map<qint64, std::pair<qint64, QString>> saved;  // version id -> (case, sha256)
};

/// Reads one annotator's log into the tally.
void readLog(const QString& path, StressTally& tally) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return;
  std::map<qint64, Hold> open;  // case -> hold not yet released
  while (!file.atEnd()) {
    const QByteArray line = file.readLine().trimmed();
    const QJsonObject event = QJsonDocument::fromJson(line).object();
    if (event.isEmpty()) continue;  // the line a SIGKILL cut short
    const QString kind = event.value(QStringLiteral("event")).toString();
    const qint64 id = qint64(event.value(QStringLiteral("case")).toDouble());
    const qint64 t = qint64(event.value(QStringLiteral("t")).toDouble());
    if (kind == QStringLiteral("take")) {
      ++tally.casesTaken;
      const qint64 back = qint64(event.value(QStringLiteral("back")).toDouble());
      tally.takeMs.push_back(double(back - qint64(event.value(QStringLiteral("sent")).toDouble())));
      open[id] = Hold{back, qint64(event.value(QStringLiteral("lease_end")).toDouble()), path};
    } else if (kind == QStringLiteral("save")) {
      ++tally.saves;
      if (t > tally.cutAt) ++tally.savesAfterCut;
      if (!event.value(QStringLiteral("conflict")).toString().isEmpty()) ++tally.conflicts;
      tally.saved[qint64(event.value(QStringLiteral("id")).toDouble())] = {
          id, event.value(QStringLiteral("sha256")).toString()};
    } else if (kind == QStringLiteral("release")) {
      if (auto it = open.find(id); it != open.end()) {
        it->second.to = std::min(it->second.to, t);
        tally.holds[id].push_back(it->second);
        open.erase(it);
      }
    } else if (kind == QStringLiteral("error")) {
      ++tally.errors;
    }
  }
  // Killed while holding: the hold ends with the lease.
  for (auto& [id, hold] : open) tally.holds[id].push_back(hold);
}

int countDoubleAssignments(StressTally& tally) {
  int doubles = 0;
  for (auto& [id, holds] : tally.holds) {
    std::sort(holds.begin(), holds.end(),
              [](const Hold& a, const Hold& b) { return a.from < b.from; });
    qint64 reach = std::numeric_limits<qint64>::min();
    for (const Hold& hold : holds) {
      if (hold.from < reach) ++doubles;
      reach = std::max(reach, hold.to);
    }
  }
  return doubles;
}

}  // namespace

int runProjectStress(CommandContext& context, ArgumentParser& parser) {
  const bool asJson = parser.flag("--json");
  const std::optional<std::string> location = parser.positional();
  const std::optional<std::string> annotatorsText = parser.option("--annotators");
  const std::optional<std::string> minutesText = parser.option("--minutes");
  const std::optional<std::string> leaseText = parser.option("--lease");
  if (Status finished = parser.finish(); !finished)
    return stressUsage(context, finished.error().describe());
  if (!location || !annotatorsText || !minutesText)
    return stressUsage(context, "stress needs LOCATION, --annotators and --minutes");
  Result<long long> annotators = parseInteger(*annotatorsText, "--annotators");
  if (!annotators || annotators.value() < 1 || annotators.value() > 64)
    return stressUsage(context, "--annotators must be 1 to 64");
  Result<double> minutes = parseNumber(*minutesText, "--minutes");
  if (!minutes || !(minutes.value() > 0 && minutes.value() <= 60))
    return stressUsage(context, "--minutes must be above 0 and at most 60");
  long long lease = 30;
  if (leaseText) {
    Result<long long> parsed = parseInteger(*leaseText, "--lease");
    if (!parsed || parsed.value() < 1 || parsed.value() > 3600)
      return stressUsage(context, "--lease must be 1 to 3600 seconds");
    lease = parsed.value();
  }
  const int n = int(annotators.value());
  const double seconds = minutes.value() * 60;
  const QString where = QString::fromStdString(*location);

  QTemporaryDir work;
  ProjectStore::Options options;
  options.cacheFolder = work.filePath(QStringLiteral("cache-coordinator"));
  Result<std::unique_ptr<ProjectStore>> opened = ProjectStore::open(where, options);
  if (!opened) {
    context.err << "medsa project stress: " << opened.error().describe() << '\n';
    return kExitFailure;
  }
  ProjectStore& store = *opened.value();
  // Annotators take any unfinished case: on a real project they would write junk labels over
  // people's work (and the cut would end people's sessions).
  {
    Result<std::vector<CaseRecord>> cases = store.cases();
    if (!cases) {
      context.err << "medsa project stress: " << cases.error().describe() << '\n';
      return kExitFailure;
    }
    for (const CaseRecord& c : cases.value())
      if (!c.name.startsWith(QStringLiteral("stress-"))) {
        context.err << "medsa project stress: " << where.toStdString()
                    << ": the project has real cases (" << c.name.toStdString()
                    << "); run the stress test on a scratch project\n";
        return kExitFailure;
      }
  }
  // Two cases per annotator, so they contend for the pool without starving.
  for (int i = 1; i <= 2 * n; ++i) {
    NewCase added;
    added.name = QStringLiteral("stress-%1").arg(i);
    added.imagePath = QStringLiteral("stress/%1.png").arg(i);
    added.contentHash = QStringLiteral("stress-%1").arg(i);
    added.picture = true;
    if (Result<ProjectStore::Added> made = store.addCase(added); !made) {
      context.err << "medsa project stress: " << made.error().describe() << '\n';
      return kExitFailure;
    }
  }

  // Users unique to this run, so leases of an earlier run do not count.
  const QString run = QUuid::createUuid().toString(QUuid::Id128).left(6);
  std::vector<QString> logs;
  auto start = [&](int k, const QString& logName) {
    auto* process = new QProcess;
    process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process->setStandardOutputFile(QProcess::nullDevice());
    const QString log = work.filePath(logName);
    logs.push_back(log);
    process->start(
        QCoreApplication::applicationFilePath(),
        {QStringLiteral("project"), QStringLiteral("stress-worker"), where,
         QStringLiteral("--user"), QStringLiteral("stress-%1-%2").arg(run).arg(k),
         QStringLiteral("--seconds"), QString::number(seconds), QStringLiteral("--log"), log,
         QStringLiteral("--cache"), work.filePath(QStringLiteral("cache-%1").arg(k)),
         QStringLiteral("--lease"), QString::number(lease)});
    return process;
  };
  std::vector<std::unique_ptr<QProcess>> workers;
  for (int k = 0; k < n; ++k)
    workers.emplace_back(start(k, QStringLiteral("worker-%1.log").arg(k)));
  QElapsedTimer clock;
  clock.start();
  const qint64 total = qint64(seconds * 1000);

  // A third in: annotator 0 is killed (SIGKILL) and comes back.
  QThread::msleep(quint64(total / 3));
  workers[0]->kill();
  workers[0]->waitForFinished(5000);
  workers.emplace_back(start(0, QStringLiteral("worker-0-restarted.log")));
  // Two thirds in: every session is cut once, as a network failure would.
  QThread::msleep(quint64(std::max<qint64>(0, 2 * total / 3 - clock.elapsed())));
  int cut = 0;
  const qint64 cutAt = QDateTime::currentMSecsSinceEpoch();
  if (store.shared()) {
    Result<int> ended = store.cutOtherConnections();
    if (!ended) {
      context.err << "medsa project stress: " << ended.error().describe() << '\n';
      return kExitFailure;
    }
    cut = ended.value();
  }
  int crashed = 0;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    workers[i]->waitForFinished(int(total + 120000));
    if (i != 0 && (workers[i]->exitStatus() != QProcess::NormalExit || workers[i]->exitCode() != 0))
      ++crashed;
  }

  StressTally tally;
  tally.cutAt = cutAt;
  for (const QString& log : logs) readLog(log, tally);
  const int doubles = countDoubleAssignments(tally);
  // Every save an annotator was told succeeded must be in the store, byte for byte: its row
  // has the checksum the annotator computed, and the file read back through the store (on
  // PostgreSQL, from the database's copy) matches that checksum.
  int lost = 0;
  std::map<qint64, std::map<qint64, LabelVersion>> stored;  // case -> version id -> version
  for (const auto& [id, save] : tally.saved) {
    const qint64 caseId = save.first;
    if (!stored.count(caseId)) {
      Result<std::vector<LabelVersion>> versions = store.labelVersions(caseId);
      if (!versions) {
        context.err << "medsa project stress: " << versions.error().describe() << '\n';
        return kExitFailure;
      }
      for (const LabelVersion& v : versions.value()) stored[caseId][v.id] = v;
    }
    auto it = stored[caseId].find(id);
    if (it == stored[caseId].end() || it->second.sha256 != save.second ||
        !store.labelFile(it->second))
      ++lost;
  }
  std::sort(tally.takeMs.begin(), tally.takeMs.end());
  const double p95 = tally.takeMs.empty()
                         ? 0.0
                         : tally.takeMs[std::min(tally.takeMs.size() - 1,
                                                 std::size_t(0.95 * double(tally.takeMs.size())))];
  const nlohmann::json report = {{"annotators", n},
                                 {"minutes", minutes.value()},
                                 {"cases_taken", tally.casesTaken},
                                 {"double_assignments", doubles},
                                 {"saves", tally.saves},
                                 {"lost_saves", lost},
                                 {"conflicts", tally.conflicts},
                                 {"p95_take_ms", p95},
                                 {"errors_retried", tally.errors},
                                 {"sessions_cut", cut},
                                 {"saves_after_cut", tally.savesAfterCut},
                                 {"annotator_killed_and_restarted", true},
                                 {"workers_failed", crashed}};
  if (asJson) {
    context.out << report.dump() << '\n';
  } else {
    context.out << n << " annotators, " << minutes.value() << " min: " << tally.casesTaken
                << " cases taken, " << tally.saves << " saves (" << tally.conflicts
                << " conflicts), " << doubles << " double assignments, " << lost
                << " lost saves, p95 take " << p95 << " ms, " << tally.errors << " errors retried, "
                << cut << " sessions cut\n";
  }
  // A run where the annotators never came back after the cut proves nothing.
  return doubles == 0 && lost == 0 && crashed == 0 && tally.savesAfterCut > 0 ? kExitOk
                                                                              : kExitFailure;
}

}  // namespace medsa::cli
