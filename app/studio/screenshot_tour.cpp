#include "screenshot_tour.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QImage>
#include <QMouseEvent>
#include <QTemporaryDir>

#include <algorithm>
#include <functional>

#include "demo_phantom.h"
#include "demo_photo.h"
#include "kidney_project.h"
#include "medsa/annotations/label_map.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_store.h"
#include "medsa/io/image_writer.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/new_project_dialog.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/propagation_controller.h"
#include "medsa/ui/propagation_settings_dialog.h"
#include "medsa/ui/recovery_dialog.h"
#include "medsa/ui/series_picker_dialog.h"
#include "medsa/ui/shortcuts_dialog.h"
#include "medsa/ui/slice_view.h"
#include "medsa/ui/tool_controller.h"
#include "medsa/ui/trainer_client.h"
#include "medsa/ui/viewer_area.h"

namespace medsa::app {
namespace {

using ui::MainWindow;
using ui::Tool;

bool waitUntil(const std::function<bool()>& done, int ms) {
  QElapsedTimer clock;
  clock.start();
  while (!done()) {
    if (clock.elapsed() > ms) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return true;
}

void settle() {
  for (int i = 0; i < 5; ++i) QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

/// The display pixel of a voxel in a plane: where a user would click on it.
QPointF pixelOf(ui::Document& document, SliceAxis axis, const std::array<std::size_t, 3>& voxel) {
  document.setCursor(voxel);
  const auto p = document.cursorInPlane(axis);
  return {p[0] + 0.5, p[1] + 0.5};
}

/// The middle of the brightest part of a picture: the optic disc of a fundus photograph.
QPointF brightestBlob(const Image& image) {
  std::vector<double> grey;
  grey.reserve(image.size(0) * image.size(1));
  for (std::size_t y = 0; y < image.size(1); ++y)
    for (std::size_t x = 0; x < image.size(0); ++x)
      grey.push_back(image.value(x, y, 0, 0, 0) + image.value(x, y, 0, 0, 1));
  std::vector<double> sorted = grey;
  const std::size_t top = sorted.size() - sorted.size() / 400;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(top), sorted.end());
  const double threshold = sorted[top];
  double sx = 0, sy = 0, n = 0;
  for (std::size_t i = 0; i < grey.size(); ++i) {
    if (grey[i] < threshold) continue;
    sx += static_cast<double>(i % image.size(0));
    sy += static_cast<double>(i / image.size(0));
    ++n;
  }
  return n > 0 ? QPointF(sx / n, sy / n) : QPointF(image.size(0) / 2.0, image.size(1) / 2.0);
}

class Tour {
 public:
  Tour(MainWindow& window, QString folder) : window_(window), folder_(std::move(folder)) {
    // The tour's labels are props: moving on to the next picture discards them, no dialog.
    window_.setUnsavedLabelsAsker([](const QString&) { return ui::UnsavedChoice::Discard; });
  }

  int run() {
    QDir().mkpath(folder_);
    shot(QStringLiteral("01-first-start"));
    window_.openDemo();
    settle();
    // With a model given, its pictures show the AI tool in use; without one, the manual tools.
    const bool ai = window_.engine()->isLoading()
                        ? waitUntil([this] { return !window_.engine()->isLoading(); }, 120000) &&
                              window_.engine()->hasEngine()
                        : window_.engine()->hasEngine();
    shot(QStringLiteral("02-demo"));
    ui::Document& document = *window_.document();
    ui::ToolController& tools = *window_.tools();
    ui::SliceView* axial = window_.viewerArea()->view(SliceAxis::Axial);
    axial->setFocus();
    const std::array<std::size_t, 3> liver{64, 74, 44}, lesion{56, 66, 48};
    if (ai) {
      tools.setTool(Tool::Ai);
      const QPointF at = pixelOf(document, SliceAxis::Axial, liver);
      tools.addPoint(SliceAxis::Axial, document.sliceIndex(SliceAxis::Axial), at.x(), at.y(), true);
      waitForCandidate();
      shot(QStringLiteral("03-ai-point"));
      const QPointF away = pixelOf(document, SliceAxis::Axial, lesion);
      tools.addPoint(SliceAxis::Axial, document.sliceIndex(SliceAxis::Axial), away.x(), away.y(),
                     false);
      waitForCandidate();
      shot(QStringLiteral("04-ai-negative-point"));
      tools.discard();
      const QPointF a = pixelOf(document, SliceAxis::Axial, {26, 38, 44});
      const QPointF b = pixelOf(document, SliceAxis::Axial, {102, 110, 44});
      tools.setBox(SliceAxis::Axial, document.sliceIndex(SliceAxis::Axial),
                   {std::min(a.x(), b.x()), std::min(a.y(), b.y()), std::max(a.x(), b.x()),
                    std::max(a.y(), b.y())});
      waitForCandidate();
      shot(QStringLiteral("05-ai-box"));
      tools.accept();
      settle();
      shot(QStringLiteral("06-accepted"));
    }
    tools.setTool(Tool::Brush);
    const QPointF hover = axial->toWidget(pixelOf(document, SliceAxis::Axial, lesion));
    QMouseEvent move(QEvent::MouseMove, hover, axial->mapToGlobal(hover), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(axial, &move);
    settle();
    shot(QStringLiteral("07-brush"));
    tools.setTool(Tool::Polygon);
    for (const auto& v : {std::array<std::size_t, 3>{120, 60, 44}, {150, 70, 44}, {140, 95, 44}}) {
      const QPointF p = pixelOf(document, SliceAxis::Axial, v);
      tools.addPolygonVertex(SliceAxis::Axial, document.sliceIndex(SliceAxis::Axial), p.x(), p.y());
    }
    settle();
    shot(QStringLiteral("08-polygon"));
    tools.cancelPolygon();
    photo(ai);
    dialogs();
    project();
    trainerPanel();
    return failures_ == 0 ? 0 : 1;
  }

 private:
  void waitForCandidate() {
    ui::ToolController& tools = *window_.tools();
    waitUntil([&tools] { return !tools.isPredicting(); }, 60000);
    settle();
  }

  void shot(const QString& name) { save(window_.grab().toImage(), name); }

  void save(const QImage& image, const QString& name) {
    if (image.isNull() || !image.save(QDir(folder_).filePath(name + QStringLiteral(".png")))) {
      ++failures_;
      qWarning("screenshot %s could not be written", qPrintable(name));
    }
  }

  void shotOf(QWidget& dialog, const QString& name) {
    dialog.show();
    settle();
    save(dialog.grab().toImage(), name);
    dialog.close();
  }

  void photo(bool ai) {
    window_.openDemoPhoto();
    settle();
    if (ai) {
      window_.tools()->setTool(Tool::Ai);
      const QPointF disc = brightestBlob(*window_.document()->image());
      window_.tools()->addPoint(SliceAxis::Axial, 0, disc.x(), disc.y(), true);
      waitForCandidate();
    }
    shot(QStringLiteral("09-photo"));
    window_.tools()->discard();
  }

  void dialogs() {
    ui::ShortcutsDialog shortcuts(window_.actions() + window_.viewerArea()->actions(), &window_);
    shotOf(shortcuts, QStringLiteral("10-shortcuts"));
    const std::vector<ui::SeriesEntry> series{
        {QStringLiteral("1.2.826.0.1.3680043.2.1125.1.101"), QStringLiteral("T1 MPRAGE"),
         QStringLiteral("MR"), 3, 256, 256, 176, 176, QStringLiteral("sagittal"),
         QStringLiteral("101502")},
        {QStringLiteral("1.2.826.0.1.3680043.2.1125.1.102"), QStringLiteral("T1 MPRAGE"),
         QStringLiteral("MR"), 4, 256, 256, 40, 40, QStringLiteral("axial"),
         QStringLiteral("102210")},
        {QStringLiteral("1.2.826.0.1.3680043.2.1125.1.103"), QStringLiteral("Localizer"),
         QStringLiteral("MR"), 1, 256, 256, 3, 3, QStringLiteral("oblique"),
         QStringLiteral("100944")}};
    ui::SeriesPickerDialog picker(QStringLiteral("/data/study-0042"), series, {}, &window_);
    shotOf(picker, QStringLiteral("11-series-picker"));
    ui::PropagationSettingsDialog propagation(window_.propagation()->rules(), &window_);
    shotOf(propagation, QStringLiteral("12-propagation-settings"));
    ui::NewProjectDialog newProject(&window_);
    newProject.setValues(QStringLiteral("Liver CT"), QStringLiteral("/data/projects/liver"),
                         QStringLiteral("liver, lesion, kidney"));
    shotOf(newProject, QStringLiteral("13-new-project"));
    // The recovery dialog lists what a crashed session left: make one in a folder of its own.
    QTemporaryDir autosaves;
    {
      ui::Document crashed;
      ui::DocumentSession session(&crashed);
      session.setAutosaveFolder(autosaves.path());
      session.open(makeDemoPhantom(), QStringLiteral("/data/ct/abdomen_0042.nii.gz"),
                   QStringLiteral("/data/ct/abdomen_0042.nii.gz"));
      annotations::LabelSet set = crashed.labelSet();
      set.add(QStringLiteral("lesion"));
      crashed.setLabelSet(set);
      session.autosaveNow();
      session.waitForWrites();
    }
    ui::Document document;
    ui::DocumentSession next(&document);
    next.setAutosaveFolder(autosaves.path());
    next.findOrphans();
    waitUntil([&next] { return !next.orphans().empty(); }, 10000);
    ui::RecoveryDialog recovery(&next, &window_);
    shotOf(recovery, QStringLiteral("14-recovery"));
    next.releaseOrphans();
  }

  /// A project of three cases, one of them done, with the Cases panel open on another.
  void project() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("images"));
    QDir().mkpath(images);
    for (int i = 1; i <= 3; ++i) {
      std::shared_ptr<Image> volume = makeDemoPhantom();
      volume->setValue(0, 0, 0, 0, 0, i);  // three distinct images
      io::writeImage(*volume,
                     QStringLiteral("%1/abdomen_%2.nii.gz").arg(images).arg(i).toStdString());
    }
    annotations::LabelSet labels;
    for (const char* name : {"liver", "lesion", "kidney"}) labels.add(QString::fromLatin1(name));
    const QString folder = dir.filePath(QStringLiteral("Liver CT"));
    {
      auto store = annotations::ProjectStore::create(folder, QStringLiteral("Liver CT"), labels);
      if (!store || !annotations::importIntoProject(*store.value(), images)) {
        ++failures_;
        return;
      }
      store.value()->setStatus(store.value()->cases()->front().id, annotations::CaseStatus::Done);
    }
    ui::ProjectController& project = *window_.project();
    project.open(folder);
    waitUntil([&project] { return project.isOpen(); }, 10000);
    project.openCase(project.cases().at(1).id);
    waitUntil([&project] { return project.currentCase().has_value(); }, 20000);
    // The case became in-progress on the project thread; the list follows.
    waitUntil([&project] { return project.cases().at(1).status != annotations::CaseStatus::New; },
              5000);
    settle();
    shot(QStringLiteral("15-project"));
    project.close();
  }

  /// The Trainer panel after one training on a project of three phantoms whose kidneys are
  /// labelled and done (one of them held out).
  void trainerPanel() {
    ui::TrainerClient* trainer = window_.trainer();
    if (!trainer || !window_.engine()->hasEngine()) return;
    QTemporaryDir dir;
    const Result<QString> made = makeKidneyProject(dir.path());
    if (!made) {
      qWarning("trainer: %s", made.error().describe().c_str());
      return fail();
    }
    const QString folder = made.value();
    ui::ProjectController& project = *window_.project();
    project.open(folder);
    waitUntil([&project] { return project.isOpen(); }, 10000);
    waitUntil([trainer] { return trainer->status().state == ui::TrainerStatus::State::Idle; },
              10000);
    trainer->trainNow();
    waitUntil([trainer] { return trainer->status().state == ui::TrainerStatus::State::Failed; },
              3000);
    if (trainer->status().state == ui::TrainerStatus::State::Failed) {
      qWarning("trainer: %s", qPrintable(trainer->status().message));
      project.close();
      return fail();
    }
    if (!waitUntil(
            [trainer] {
              return !trainer->versions().empty() &&
                     trainer->status().state != ui::TrainerStatus::State::Preparing &&
                     trainer->status().state != ui::TrainerStatus::State::Training &&
                     trainer->status().state != ui::TrainerStatus::State::Evaluating;
            },
            300000)) {
      qWarning("trainer: %s", qPrintable(trainer->status().message));
      project.close();
      return fail();
    }
    if (auto* dock = window_.findChild<QDockWidget*>(QStringLiteral("trainerDock"))) dock->raise();
    settle();
    shot(QStringLiteral("16-trainer"));
    project.close();
  }

  void fail() { ++failures_; }

  MainWindow& window_;
  QString folder_;
  int failures_ = 0;
};

}  // namespace

int runScreenshotTour(MainWindow& window, const QString& folder) {
  return Tour(window, folder).run();
}

}  // namespace medsa::app
