// Fault injection: a scripted annotation session (session_fault_child: open, click, accept,
// brush, save, next case) is killed with SIGKILL at random moments, many times, in one work
// folder. After every kill, each edit the session had reported durable must be in what the
// next start finds: an orphaned autosave or the case's saved label file. The next run of the
// child recovers and goes on, so recovery itself is killed too. The count of lost edits is
// printed, and must be 0.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <map>

#include "medsa/annotations/autosave_folder.h"
#include "medsa/annotations/label_map_io.h"

namespace {

constexpr int kCases = 10;
constexpr int kKills = 40;

/// Label values present in each case's recoverable state, by case name.
using Present = std::map<QString, QSet<quint16>>;

void addValues(QSet<quint16>& into, const medsa::Image& labels) {
  const auto* data = labels.data<std::uint16_t>();
  for (std::size_t i = 0; i < labels.voxelCount(); ++i)
    if (data[i]) into.insert(data[i]);
}

/// What a next start finds: every orphaned autosave (read, then left in place) and every label
/// file saved beside a case.
Present recoverable(const QDir& work, QStringList* problems) {
  Present present;
  std::vector<medsa::annotations::OrphanedAutosave> orphans =
      medsa::annotations::AutosaveFolder(work.filePath(QStringLiteral("autosave"))).claimOrphans();
  for (const medsa::annotations::OrphanedAutosave& orphan : orphans) {
    auto snapshot = orphan.claim->store().read();
    if (!snapshot) {
      *problems << QString::fromStdString(snapshot.error().describe());
      continue;
    }
    addValues(present[QFileInfo(snapshot->imagePath).completeBaseName()], snapshot->labelImage);
  }
  const medsa::Image reference =
      medsa::Image::create({96, 96, 32, 1}, 1, medsa::PixelType::U8).value();
  for (const QString& name : work.entryList({QStringLiteral("case*_labels.nii.gz")}, QDir::Files)) {
    auto loaded = medsa::annotations::loadLabelMap(work.filePath(name), reference);
    if (!loaded) {
      *problems << QString::fromStdString(loaded.error().describe());
      continue;
    }
    addValues(present[name.left(name.indexOf(QStringLiteral("_labels")))], loaded->map.image());
  }
  return present;
}

}  // namespace

class TestFaultInjection : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void killedSessionsLoseNoDurableEdit() {
    QTemporaryDir dir;
    const QDir work(dir.path());
    for (int c = 1; c <= kCases; ++c) {
      QFile file(work.filePath(QStringLiteral("case%1.nii").arg(c, 2, 10, QLatin1Char('0'))));
      QVERIFY(file.open(QIODevice::WriteOnly));  // the child's reader makes the volume
    }
    // Seeded so a failure can be replayed; the seed is printed.
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("fault injection seed %u", seed);
    QRandomGenerator random(seed);
    std::map<QString, QSet<quint16>> durable;  // what the killed runs reported
    int kills = 0, lost = 0, checked = 0, recoveries = 0, completed = 0;
    std::size_t edits = 0;
    while (kills < kKills) {
      bool finished = false;
      QProcess child;
      child.start(QStringLiteral(MEDSA_FAULT_CHILD), {work.path()});
      QVERIFY(child.waitForStarted());
      // Kill somewhere in the first 1.5 s: start-up, recovery, edits, autosaves, saves.
      const int killAt = random.bounded(50, 1500);
      QByteArray out;
      QElapsedTimer clock;
      clock.start();
      while (clock.elapsed() < killAt && child.state() == QProcess::Running)
        child.waitForReadyRead(killAt - static_cast<int>(clock.elapsed()));
      if (child.state() == QProcess::Running) {
        child.kill();
        ++kills;
      }
      QVERIFY(child.state() == QProcess::NotRunning || child.waitForFinished(30000));
      out += child.readAllStandardOutput();
      for (const QByteArray& line : out.split('\n')) {
        const QList<QByteArray> words = line.split(' ');
        if (words.value(0) == "durable" && words.size() == 3)
          durable[QString::fromLatin1(words[1])].insert(static_cast<quint16>(words[2].toInt()));
        if (words.value(0) == "recovered") ++recoveries;
        if (words.value(0) == "finished") finished = true;
      }
      if (!finished && child.exitStatus() == QProcess::NormalExit) {
        QFAIL(qPrintable(QStringLiteral("the scripted session failed (exit %1): %2")
                             .arg(child.exitCode())
                             .arg(QString::fromLatin1(out + child.readAllStandardError()))));
      }
      // After each run: every durable edit must be recoverable.
      QStringList problems;
      const Present present = recoverable(work, &problems);
      QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
      for (const auto& [name, edits] : durable) {
        const QSet<quint16> there = present.count(name) ? present.at(name) : QSet<quint16>{};
        for (quint16 k : edits) {
          ++checked;
          if (!there.contains(k)) {
            ++lost;
            qWarning("lost: edit %d of %s after kill %d", k, qPrintable(name), kills);
          }
        }
      }
      if (finished) {
        // The whole dataset is labelled: start it again, so the kills go on landing in work.
        ++completed;
        for (const auto& [name, set] : durable) edits += static_cast<std::size_t>(set.size());
        durable.clear();
        for (const QString& name : work.entryList({QStringLiteral("case*_labels*")}, QDir::Files))
          QVERIFY(QFile::remove(work.filePath(name)));
      }
    }
    for (const auto& [name, set] : durable) edits += static_cast<std::size_t>(set.size());
    qInfo(
        "fault injection: %d kills (SIGKILL), %d recoveries, %d durable edits, %d checks "
        "after kills, %d lost",
        kills, recoveries, static_cast<int>(edits), checked, lost);
    qInfo("the scripted session ran to its end %d times", completed);
    QCOMPARE(lost, 0);
    QVERIFY(recoveries >= 1);
  }
};

QTEST_GUILESS_MAIN(TestFaultInjection)
#include "test_fault_injection.moc"
