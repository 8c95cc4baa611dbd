#include "medsa/ui/startup_sequence.h"

#include <QFileInfo>
#include <QTimer>

#include "medsa/annotations/project_store.h"
#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/status_line.h"

namespace medsa::ui {
namespace {

void openRequested(MainWindow& window, const StartRequest& request) {
  if (isProjectLocation(request.image)) {
    window.project()->open(request.image);  // returns to the case the user was on
    return;
  }
  if (!request.labels.isEmpty()) {
    QObject::connect(
        &window, &MainWindow::imageLoaded, &window,
        [&window, labels = request.labels] { window.openLabelsFile(labels); },
        Qt::SingleShotConnection);
  }
  if (!request.image.isEmpty()) {
    window.openPath(request.image);
  } else if (request.demoPhoto) {
    window.openDemoPhoto();
  } else if (request.demo) {
    window.openDemo();
  }
}

bool samePath(const QString& a, const QString& b) {
  return !a.isEmpty() && !b.isEmpty() &&
         QFileInfo(a).absoluteFilePath() == QFileInfo(b).absoluteFilePath();
}

/// The recovered labels are on screen: a label map from the command line is offered over them
/// only when it belongs to the same image.
void afterRecovery(MainWindow& window, const StartRequest& request) {
  if (request.labels.isEmpty()) return;
  if (!samePath(window.document()->path(), request.image)) {
    window.statusLine()->showMessage(
        MainWindow::tr("%1 was not opened: the recovered annotations belong to another image")
            .arg(request.labels),
        10000);
    return;
  }
  window.openLabelsFile(request.labels);  // asks first: the recovered labels are unsaved
}

}  // namespace

bool isProjectLocation(const QString& path) {
  using annotations::ProjectStore;
  return ProjectStore::isDatabaseUrl(path) ||
         (QFileInfo(path).isDir() && ProjectStore::exists(QFileInfo(path).absoluteFilePath()));
}

void runStartup(MainWindow& window, const StartRequest& request) {
  DocumentSession* session = window.session();
  QObject::connect(
      &window, &MainWindow::recoveryChecked, &window,
      [&window, session, request](bool recovering) {
        if (!recovering) {
          openRequested(window, request);
          return;
        }
        auto* context = new QObject(&window);  // ends both connections at the first outcome
        QObject::connect(session, &DocumentSession::recovered, context,
                         [&window, request, context] {
                           context->deleteLater();
                           afterRecovery(window, request);
                         });
        QObject::connect(session, &DocumentSession::recoveryFailed, context,
                         [&window, request, context] {
                           context->deleteLater();
                           openRequested(window, request);
                         });
      },
      Qt::SingleShotConnection);
  QTimer::singleShot(0, &window, [&window, request] {
    if (!window.offerRecovery(request.askBeforeRecovery)) openRequested(window, request);
  });
}

}  // namespace medsa::ui
