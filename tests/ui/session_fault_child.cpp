// Helper for test_fault_injection: a scripted annotation session in the real window (offscreen,
// fake engine), run again and again in one work folder and killed at random moments by the
// test. Each run first recovers what the killed run left (as medsa-studio's next start does),
// then goes on with the script where the work stands:
//   for every case (caseNN.nii) without a saved label file: open it; for k = 1..kEdits: a new
//   label k, a box on slice 8 + k, the candidate accepted, a brush dab of it; save the labels
//   next to the case; go to the next case.
// It prints "durable CASE K" once the autosave holding accept K of CASE has been written,
// "saved CASE" once the case's label file was written, and "finished" at the end. The test
// checks after every kill that each durable edit is in what a next start would find.
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <cstdio>

#include "fake_engine.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/tool_controller.h"

using medsa::SliceAxis;
using medsa::ui::MainWindow;

namespace {

constexpr int kEdits = 5;
constexpr int kTimeoutMs = 20000;

/// A 96 x 96 x 32 u8 volume with a bright sphere: large enough that its autosaves and label
/// files take a moment to write (the test wants to land kills inside writes, too).
std::shared_ptr<medsa::Image> makeCase() {
  auto image = std::make_shared<medsa::Image>(
      medsa::Image::create({96, 96, 32, 1}, 1, medsa::PixelType::U8).value());
  for (std::size_t z = 0; z < 32; ++z)
    for (std::size_t y = 0; y < 96; ++y)
      for (std::size_t x = 0; x < 96; ++x)
        image->setValue(
            x, y, z, 0, 0,
            std::hypot(std::hypot(x - 48.0, y - 48.0), (z - 16.0) * 2) <= 30 ? 220 : 30);
  return image;
}

void say(const QString& line) {
  std::printf("%s\n", qPrintable(line));
  std::fflush(stdout);
}

QString caseName(const QString& path) { return QFileInfo(path).completeBaseName(); }

QString labelsFor(const QString& casePath) {
  return QFileInfo(casePath).dir().filePath(caseName(casePath) + QStringLiteral("_labels.nii.gz"));
}

bool waitFor(const std::function<bool()>& done) { return QTest::qWaitFor(done, kTimeoutMs); }

/// One accepted edit of label `k`, made durable: returns once its autosave is on disk.
bool edit(MainWindow& window, int k) {
  medsa::ui::Document* document = window.document();
  medsa::ui::ToolController* tools = window.tools();
  medsa::annotations::LabelSet set = document->labelSet();
  if (!set.find(static_cast<quint16>(k))) {
    set.insert({static_cast<quint16>(k), QStringLiteral("edit %1").arg(k),
                medsa::annotations::defaultLabelColour(static_cast<quint16>(k)), true, false});
    document->setLabelSet(set);
  }
  document->setActiveLabel(static_cast<quint16>(k));
  const std::size_t slice = 8 + static_cast<std::size_t>(k);
  document->setSliceIndex(SliceAxis::Axial, slice);
  tools->setTool(medsa::ui::Tool::Ai);
  tools->setBox(SliceAxis::Axial, slice, medsa::PromptBox{20, 20, 76, 76});
  if (!waitFor([tools] { return !tools->candidate().empty() && !tools->isPredicting(); }))
    return false;
  if (!tools->accept()) return false;
  tools->setTool(medsa::ui::Tool::Brush);
  tools->beginStroke(SliceAxis::Axial, slice, 10 + k, 10, false);
  tools->continueStroke(14 + k, 14);
  tools->endStroke();
  window.autosaveNow();
  const quint64 generation = document->editGeneration();
  medsa::ui::DocumentSession* session = window.session();
  return waitFor([session, generation] { return session->autosavedGeneration() >= generation; });
}

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  if (argc < 2) return 2;
  const QDir work(QString::fromLocal8Bit(argv[1]));
  QStringList cases;
  for (const QString& name : work.entryList({QStringLiteral("case*.nii")}, QDir::Files, QDir::Name))
    cases << work.filePath(name);

  MainWindow window;
  window.setAutosaveFolder(work.filePath(QStringLiteral("autosave")));
  window.setImageReader(
      [](const std::string&, const std::string&, medsa::ProgressSink*,
         medsa::CancellationToken) -> medsa::Result<medsa::Image> { return *makeCase(); });
  // A close or next case never asks here: the script saves first.
  window.setUnsavedLabelsAsker([](const QString&) { return medsa::ui::UnsavedChoice::Cancel; });
  window.show();
  QSignalSpy loaded(window.engine(), &medsa::ui::EngineController::engineLoaded);
  window.engine()->load(
      []() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
        return std::unique_ptr<medsa::SegmentationEngine>(new FakeEngine());
      },
      QStringLiteral("fake"));
  if (!loaded.wait(kTimeoutMs)) return 3;

  // The next start: a killed run's work comes back first.
  QSignalSpy checked(&window, &MainWindow::recoveryChecked);
  QSignalSpy recovered(window.session(), &medsa::ui::DocumentSession::recovered);
  if (!window.offerRecovery(/*ask=*/false) || !checked.wait(kTimeoutMs)) return 4;
  QString current;
  if (checked.first().first().toBool()) {
    if (recovered.isEmpty() && !recovered.wait(kTimeoutMs)) return 5;
    current = window.document()->path();
    say(QStringLiteral("recovered ") + caseName(current));
  }

  for (const QString& path : cases) {
    if (QFileInfo::exists(labelsFor(path))) continue;  // saved by an earlier run
    if (path != current) {
      QSignalSpy opened(&window, &MainWindow::imageLoaded);
      window.openPath(path);
      if (!opened.wait(kTimeoutMs)) return 6;
    }
    for (int k = 1; k <= kEdits; ++k) {
      if (window.document()->labels().count(static_cast<quint16>(k)) > 0) continue;  // recovered
      if (!edit(window, k)) return 7;
      say(QStringLiteral("durable %1 %2").arg(caseName(path)).arg(k));
    }
    std::optional<medsa::Status> saved;
    window.session()->save(labelsFor(path), [&saved](const medsa::Status& s) { saved = s; });
    if (!waitFor([&saved] { return saved.has_value(); }) || !*saved) return 8;
    say(QStringLiteral("saved ") + caseName(path));
    window.session()->waitForWrites();
  }
  say(QStringLiteral("finished"));
  window.close();
  return 0;
}
