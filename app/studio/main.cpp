// medsa-studio: the desktop application. Composes the layers: the image reader (medsa_io), the
// SAM engine (medsa_model) and the UI (medsa_ui), which only sees core interfaces.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTemporaryDir>
#include <QTranslator>

#include <cstdio>
#include <iostream>
#include <optional>

#include "click_bench.h"
#include "demo_phantom.h"
#include "demo_photo.h"
#include "engine_summary.h"
#include "image_sources.h"
#include "medsa/core/build_info.h"
#include "medsa/io/backends.h"
#include "medsa/model/predictor.h"
#include "medsa/model/runtime.h"
#include "medsa/model/sam_model.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/model_menu.h"
#include "medsa/ui/startup_sequence.h"
#include "medsa/ui/window_geometry.h"
#include "model_config.h"
#include "screenshot_tour.h"
#include "trainer_service.h"

namespace {

QString toQString(std::string_view text) {
  return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

// Qt's own strings (dialog buttons) and ours, for the user's locale; English needs neither.
void installTranslators(QApplication& app) {
  auto* qtTranslator = new QTranslator(&app);
  if (qtTranslator->load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                         QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QApplication::installTranslator(qtTranslator);
  }
  auto* appTranslator = new QTranslator(&app);
  if (appTranslator->load(QLocale(), QStringLiteral("medsa"), QStringLiteral("_"),
                          QStringLiteral(":/i18n"))) {
    QApplication::installTranslator(appTranslator);
  }
}

/// The starter model shipped with the program: share/medsa-studio/models beside bin/, in an
/// installed package as in the build tree ("" when this build has none).
QString starterModelPath() {
  const QString path =
      QDir(QCoreApplication::applicationDirPath())
          .absoluteFilePath(QStringLiteral("../share/medsa-studio/models/starter.safetensors"));
  return QFileInfo::exists(path) ? QFileInfo(path).canonicalFilePath() : QString();
}

/// The engine's options: this machine's preferred device and precision (a GPU when there is
/// one), and zoom-in as the user chose it in the Model menu; read when an engine is made, so that
/// a change applies to the next model load.
medsa::model::EngineOptions engineOptions() {
  medsa::model::EngineOptions options = medsa::model::preferredEngineOptions();
  const auto zoom = medsa::model::parseZoomIn(medsa::ui::zoomInSetting().toStdString());
  if (zoom) options.zoomIn = zoom.value();
  return options;
}

// The count an option gives, from `least` to `most`; nullopt after saying what is wrong.
std::optional<int> countOption(const QCommandLineParser& parser, const QCommandLineOption& option,
                               int least, int most) {
  bool ok = false;
  const int count = parser.value(option).toInt(&ok);
  if (ok && count >= least && count <= most) return count;
  std::fprintf(stderr, "medsa-studio: --%s needs a count from %d to %d, not '%s'\n",
               qPrintable(option.names().constFirst()), least, most,
               qPrintable(parser.value(option)));
  return std::nullopt;
}

QString libraryDetails() {
  QString details = QStringLiteral("<p>");
  for (const medsa::io::Backend& backend : medsa::io::imageBackends()) {
    details += toQString(backend.name) + QLatin1Char(' ') + toQString(backend.version) +
               QStringLiteral("<br>");
  }
  return details + QStringLiteral("Qt ") + QString::fromLatin1(qVersion()) + QStringLiteral("</p>");
}

}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("Med-SA Studio"));
  QApplication::setOrganizationName(QStringLiteral("Med-SA Studio"));
  QApplication::setApplicationVersion(toQString(medsa::projectVersion()));
  QApplication::setDesktopFileName(QStringLiteral("org.medsa.Studio"));
  installTranslators(app);

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QApplication::translate("main", "Interactive medical image annotation"));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption demoOption(
      QStringLiteral("demo"), QApplication::translate("main", "Open the built-in demo volume."));
  const QCommandLineOption modelOption(
      QStringLiteral("model"),
      QApplication::translate("main",
                              "SAM / Med-SA checkpoint (.pth or .safetensors), or 'starter' for "
                              "the shipped starter model (the default until another is chosen)."),
      QStringLiteral("checkpoint"));
  const QCommandLineOption configOption(
      QStringLiteral("model-config"),
      QApplication::translate("main",
                              "Geometry of the --model checkpoint as JSON (default: inferred); "
                              "models chosen later use their own."),
      QStringLiteral("json"));
  const QCommandLineOption autosaveOption(
      QStringLiteral("autosave-dir"),
      QApplication::translate("main", "Folder for autosaves (default: the user's data folder)."),
      QStringLiteral("folder"));
  const QCommandLineOption labelsOption(
      QStringLiteral("labels"),
      QApplication::translate("main", "Label map to open with the image (NIfTI, NRRD, PNG)."),
      QStringLiteral("file"));
  const QCommandLineOption demoPhotoOption(
      QStringLiteral("demo-photo"),
      QApplication::translate("main", "Open the built-in demo fundus photograph."));
  const QCommandLineOption screenshotsOption(
      QStringLiteral("screenshots"),
      QApplication::translate("main",
                              "Write screenshots of the window's states and dialogs to a folder, "
                              "then quit."),
      QStringLiteral("folder"));
  const QCommandLineOption benchClicksOption(
      QStringLiteral("bench-clicks"),
      QApplication::translate("main",
                              "Open the demo, send N clicks to the axial view with the AI tool, "
                              "print the latencies (mouse release to candidate painted, and the "
                              "engine's part) as JSON, then quit."),
      QStringLiteral("N"));
  const QCommandLineOption benchTrainingOption(
      QStringLiteral("bench-while-training"),
      QApplication::translate("main",
                              "With --bench-clicks: click while the background trainer trains "
                              "on a demo project."));
  const QCommandLineOption benchCorrectionsOption(
      QStringLiteral("bench-corrections"),
      QApplication::translate("main",
                              "With --bench-clicks: after each first click, C correction clicks "
                              "on the same object (negative and positive points, the last "
                              "answer's mask sent along), timed apart from the first clicks."),
      QStringLiteral("C"));
  const QCommandLineOption benchHoldOption(
      QStringLiteral("bench-hold"),
      QApplication::translate("main",
                              "With --bench-clicks: hold the button MS milliseconds between "
                              "press and release, as a hand does (default 0); the engine starts "
                              "on a click's point when the button goes down."),
      QStringLiteral("MS"));
  const QCommandLineOption benchBoxesOption(
      QStringLiteral("bench-boxes"),
      QApplication::translate("main",
                              "With --bench-clicks: then drag B boxes around the same objects "
                              "(eight mouse moves 16 ms apart, the hold before the release), "
                              "timed apart from the clicks."),
      QStringLiteral("B"));
  parser.addOptions({demoOption, demoPhotoOption, modelOption, configOption, autosaveOption,
                     labelsOption, screenshotsOption, benchClicksOption, benchTrainingOption,
                     benchCorrectionsOption, benchHoldOption, benchBoxesOption});
  parser.addPositionalArgument(
      QStringLiteral("image"),
      QApplication::translate("main",
                              "Image file or DICOM folder, or a project: its folder or its "
                              "postgresql://user@host:port/database URL."));
  parser.process(app);
  const QString startPath = parser.positionalArguments().value(0);
  if (parser.isSet(labelsOption) && medsa::ui::isProjectLocation(startPath)) {
    std::cerr << "medsa-studio: --labels goes with an image; " << startPath.toStdString()
              << " is a project, which keeps its cases' labels\n";
    return 2;
  }

  medsa::ui::MainWindow window;
  window.setEngineDescription(toQString(medsa::app::configureAndDescribeEngine()));
  window.setAboutDetails(libraryDetails());
  if (parser.isSet(autosaveOption)) window.setAutosaveFolder(parser.value(autosaveOption));
  medsa::app::installImageSources(window);
  window.setDemoProvider([] { return medsa::app::makeDemoPhantom(); });
  window.setDemoPhotoProvider([] { return medsa::app::makeDemoFundus(); });
  // The model: --model (`starter` names the shipped one), else the one chosen last time, else
  // the shipped starter model, so that clicking gives a mask in the first minute.
  const QString starter = starterModelPath();
  QString checkpoint = parser.value(modelOption);
  if (checkpoint == QStringLiteral("starter")) checkpoint = starter;
  if (checkpoint.isEmpty()) {
    checkpoint = QSettings().value(QStringLiteral("model/checkpoint")).toString();
    if (!QFileInfo::exists(checkpoint)) checkpoint = starter;
  } else {
    QSettings().setValue(QStringLiteral("model/checkpoint"),
                         QFileInfo(checkpoint).absoluteFilePath());
  }
  // --model-config is that checkpoint's geometry only, never that of models chosen later.
  const medsa::app::ModelConfigs configs(checkpoint, parser.value(configOption));
  // An engine for a checkpoint, with an adapter file of the project's trainer ("" = none).
  const medsa::app::AdapterEngineFactory engines = [configs](const QString& chosen,
                                                             const QString& adapter) {
    return
        [configs, chosen, adapter]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
          auto config = configs.configFor(chosen);
          if (!config) return config.error();
          medsa::model::EngineOptions options = engineOptions();
          options.adapterFile = adapter.toStdString();
          auto model = medsa::model::SamModel::load(chosen.toStdString(), config.value(), options);
          if (!model) return model.error();
          return std::unique_ptr<medsa::SegmentationEngine>(
              std::make_unique<medsa::model::Predictor>(model.value()));
        };
  };
  window.setModelLoader([engines](const QString& chosen) { return engines(chosen, QString()); });
  // Only the engine thread keeps LibTorch's parallel workers (runtime.h says why).
  window.engine()->setLoaderCleanup([] { medsa::model::releaseParallelWorkers(); });
  // The background trainer learns from the open project's labelled cases.
  medsa::app::TrainerSettings trainerSettings = medsa::app::TrainerSettings::load();
  if (parser.isSet(screenshotsOption)) {
    trainerSettings.steps = 20;            // a short run to show
    trainerSettings.idlePriority = false;  // the tour runs beside other tests in CI
  }
  if (parser.isSet(benchTrainingOption)) {
    trainerSettings.steps = 100000;  // still training when the last click comes
    trainerSettings.automatic = false;
  }
  const medsa::app::BaseModelLoader loadBase =
      [configs](const QString& chosen) -> medsa::Result<std::shared_ptr<medsa::model::SamModel>> {
    auto config = configs.configFor(chosen);
    if (!config) return config.error();
    return medsa::model::SamModel::load(chosen.toStdString(), config.value(), engineOptions());
  };
  medsa::app::TrainerService trainer(window, engines, loadBase, trainerSettings);
  window.setTrainer(&trainer);
  if (parser.isSet(screenshotsOption)) {
    // The same size every time, with autosaves out of the user's way.
    QTemporaryDir autosaves;
    window.setAutosaveFolder(autosaves.path());
    window.resize(1400, 880);
    window.show();
    if (!checkpoint.isEmpty()) window.loadModel(checkpoint);
    const int status = medsa::app::runScreenshotTour(window, parser.value(screenshotsOption));
    window.session()->discardChanges();  // the tour's labels are not the user's work
    window.session()->finishCleanly();   // before the temporary autosave folder goes
    return status;
  }
  if (parser.isSet(benchClicksOption)) {
    const std::optional<int> clicks = countOption(parser, benchClicksOption, 1, 100000);
    // The bench's other counts are 0 unless given.
    const auto optionalCount = [&parser](const QCommandLineOption& option, int most) {
      return parser.isSet(option) ? countOption(parser, option, 0, most) : std::optional<int>(0);
    };
    const std::optional<int> corrections = optionalCount(benchCorrectionsOption, 1000);
    const std::optional<int> hold = optionalCount(benchHoldOption, 10000);
    const std::optional<int> boxes = optionalCount(benchBoxesOption, 100000);
    if (!clicks || !corrections || !hold || !boxes) return 2;
    QTemporaryDir autosaves;
    window.setAutosaveFolder(autosaves.path());
    window.resize(1400, 880);
    window.show();
    if (!checkpoint.isEmpty()) window.loadModel(checkpoint);
    medsa::app::ClickBenchOptions bench;
    bench.clicks = *clicks;
    bench.corrections = *corrections;
    bench.holdMs = *hold;
    bench.boxes = *boxes;
    bench.whileTraining = parser.isSet(benchTrainingOption);
    const int status = medsa::app::runClickBench(window, bench, std::cout);
    window.session()->discardChanges();
    window.session()->finishCleanly();
    return status;
  }
  medsa::ui::restoreWindowGeometry(window);
  window.show();
  if (!checkpoint.isEmpty()) window.loadModel(checkpoint);

  // After the window is up: a leftover autosave comes first, then what was asked for.
  medsa::ui::StartRequest request;
  request.image = startPath;
  request.labels = parser.value(labelsOption);
  request.demo = parser.isSet(demoOption);
  request.demoPhoto = parser.isSet(demoPhotoOption);
  medsa::ui::runStartup(window, request);
  return QApplication::exec();
}
