// medsa-studio: the desktop application. Composes the layers: the UI, and (as the issues land)
// the engine worker, the trainer scheduler and the project store.
#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include "engine_summary.h"
#include "medsa/core/build_info.h"
#include "medsa/io/backends.h"
#include "medsa/ui/main_window.h"

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

  medsa::ui::MainWindow window;
  window.setEngineDescription(toQString(medsa::app::configureAndDescribeEngine()));
  window.setAboutDetails(libraryDetails());
  window.show();
  return QApplication::exec();
}
