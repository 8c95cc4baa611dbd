#include "train_watch.h"

#include <QDateTime>
#include <QEventLoop>
#include <QTimer>

#include "command_registry.h"

namespace medsa::cli {
namespace {

using annotations::ProjectStore;

Result<int> labelledCases(const ProjectStore& store) {
  Result<std::vector<annotations::CaseRecord>> cases = store.cases();
  if (!cases) return cases.error();
  int n = 0;
  for (const annotations::CaseRecord& c : cases.value())
    if (annotations::isLabelled(c.status) && c.latest) ++n;
  return n;
}

/// How many labelled cases the newest adapter version was trained and measured on (0: none).
int labelledAtLastVersion(const ProjectStore& store) {
  Result<std::vector<annotations::AdapterVersion>> versions = store.adapterVersions();
  if (!versions || versions->empty()) return 0;
  const QJsonObject& data = versions->back().dataSummary;
  return data.value(QStringLiteral("train_cases")).toInt() +
         data.value(QStringLiteral("heldout_cases")).toInt();
}

}  // namespace

int watchProject(ProjectStore& store, const WatchOptions& options,
                 const std::function<int()>& cycle, const std::function<bool()>& stopRequested,
                 std::ostream& err) {
  QEventLoop loop;
  QTimer tick;  // wakes the wait to look at the stop flag and, now and then, to poll
  tick.setInterval(250);
  QObject::connect(&tick, &QTimer::timeout, &loop, &QEventLoop::quit);
  tick.start();
  bool changed = true;
  const bool notified = store.watch(&loop, [&](const QString& change) {
    if (change.startsWith(QStringLiteral("case:"))) {
      changed = true;
      loop.quit();
    }
  });
  err << "watching " << store.location().toStdString() << " ("
      << (notified ? "notified of changes" : "polling") << "); a cycle starts after "
      << options.minNew << " newly labelled cases\n";
  int baseline = labelledAtLastVersion(store);
  int status = kExitOk;
  int done = 0;
  qint64 lastPoll = 0;
  while (!stopRequested()) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (changed || now - lastPoll >= qint64(options.pollSeconds * 1000)) {
      changed = false;
      lastPoll = now;
      Result<int> labelled = labelledCases(store);
      if (!labelled) {
        err << "medsa train: " << labelled.error().describe() << " (trying again)\n";
      } else if (labelled.value() - baseline >= options.minNew && labelled.value() >= 2) {
        err << labelled.value() - baseline << " newly labelled cases: training\n";
        status = cycle();
        baseline = labelled.value();
        if (options.cycles > 0 && ++done >= options.cycles) break;
        continue;
      }
    }
    loop.exec();
  }
  return status;
}

}  // namespace medsa::cli
