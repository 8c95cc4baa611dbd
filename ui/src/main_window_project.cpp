// MainWindow's project side: the Project menu, the Cases dock and the wiring between the project
// controller, the opener and the session. The rules live in ProjectController and
// DocumentSession; this file asks the user and connects.
#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QUndoStack>

#include "medsa/ui/document.h"
#include "medsa/ui/document_session.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/new_project_dialog.h"
#include "medsa/ui/project_controller.h"
#include "medsa/ui/project_panel.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/tool_controller.h"

namespace medsa::ui {

using annotations::CaseStatus;

void MainWindow::createProject() {
  project_ = new ProjectController(session_, this);
  projectPanel_ = new ProjectPanel(project_, this);
  auto* dock = new QDockWidget(tr("Cases"), this);
  dock->setObjectName(QStringLiteral("casesDock"));
  dock->setWidget(projectPanel_);
  addDockWidget(Qt::LeftDockWidgetArea, dock);
  dock->hide();  // until a project is open
  connect(project_, &ProjectController::opened, dock, &QWidget::show);
  connect(project_, &ProjectController::closed, dock, &QWidget::hide);
  connect(project_, &ProjectController::opened, this, &MainWindow::updateHint);
  connect(project_, &ProjectController::closed, this, &MainWindow::updateHint);

  connect(projectPanel_, &ProjectPanel::caseActivated, this,
          [this](qint64 id) { whenLabelsAreSafe([this, id] { project_->openCase(id); }); });
  connect(project_, &ProjectController::openCaseRequested, this,
          [this](const QString& path, const QString& series) {
            if (series.isEmpty() || !opener_->read(path, series)) openPath(path);
          });
  connect(this, &MainWindow::imageLoaded, project_, [this] {
    project_->imageShown(document_->path(),
                         QString::fromStdString(document_->image()->metadata.seriesInstanceUid));
  });
  connect(project_, &ProjectController::opened, this, [this](const QString& name) {
    status_->showMessage(tr("Project %1: %2").arg(name, project_->progressText()), 6000);
    // A URL is remembered only once it opened: one with a password never does.
    QSettings().setValue(
        project_->isShared() ? QStringLiteral("project/lastUrl") : QStringLiteral("project/last"),
        project_->folder());
  });
  connect(project_, &ProjectController::imported, this, [this](int added, int total) {
    status_->showMessage(tr("Imported %1 new case(s) of %2 found").arg(added).arg(total), 8000);
  });
  connect(project_, &ProjectController::failed, this,
          [this](const QString& title, const Error& error) { showError(title, error); });
  connect(project_, &ProjectController::message, this,
          [this](const QString& text) { status_->showMessage(text, 6000); });
  connect(project_, &ProjectController::imageMissing, this, [this](qint64 id, const QString& path) {
    const auto answer = QMessageBox::question(
        this, tr("Image Missing"),
        tr("The case's image is not at\n%1\nany more. Locate it? (Its content is checked.)")
            .arg(path),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) return;
    const annotations::CaseRecord* record = project_->findCase(id);
    const QString found =
        record && !record->series.isEmpty()
            ? QFileDialog::getExistingDirectory(this, tr("Locate the DICOM Folder"))
            : QFileDialog::getOpenFileName(this, tr("Locate the Image"));
    if (!found.isEmpty()) project_->relink(id, found);
  });
  // The interaction log and the effort of the case on screen.
  connect(tools_, &ToolController::interaction, project_, &ProjectController::recordInteraction);
  connect(findChild<QAction*>(QStringLiteral("undoAction")), &QAction::triggered, project_,
          [this] { project_->recordInteraction(QStringLiteral("undo"), {}, -1); });
  connect(findChild<QAction*>(QStringLiteral("redoAction")), &QAction::triggered, project_,
          [this] { project_->recordInteraction(QStringLiteral("redo"), {}, -1); });
  connect(engine_, &EngineController::engineLoaded, project_,
          [this](const QString& name) { project_->setModelName(name, {}); });
  createProjectMenu();
}

void MainWindow::createProjectMenu() {
  auto* menu = new QMenu(tr("&Project"), this);
  menu->setObjectName(QStringLiteral("projectMenu"));
  menuBar()->insertMenu(menuBar()->actions().value(1), menu);  // after File
  connect(
      addToolAction(menu, tr("&New Project\u2026"), QKeySequence(),
                    QStringLiteral("newProjectAction")),
      &QAction::triggered, this, [this] {
        NewProjectDialog dialog(this);
        if (dialog.exec() != QDialog::Accepted) return;
        whenLabelsAreSafe([this, name = dialog.name(), folder = dialog.folder(),
                           labels = dialog.labels()] { project_->create(folder, name, labels); });
      });
  connect(addToolAction(menu, tr("&Open Project\u2026"), QKeySequence(tr("Ctrl+Shift+P")),
                        QStringLiteral("openProjectAction")),
          &QAction::triggered, this, [this] {
            const QString folder = QFileDialog::getExistingDirectory(
                this, tr("Open Project"),
                QSettings().value(QStringLiteral("project/last")).toString());
            if (!folder.isEmpty()) whenLabelsAreSafe([this, folder] { project_->open(folder); });
          });
  // A team's project: a PostgreSQL URL (the password comes from PGPASSWORD or ~/.pgpass).
  connect(addToolAction(menu, tr("Open &Team Project\u2026"), QKeySequence(),
                        QStringLiteral("openTeamProjectAction")),
          &QAction::triggered, this, [this] {
            bool ok = false;
            const QString last = QSettings().value(QStringLiteral("project/lastUrl")).toString();
            const QString url = QInputDialog::getText(
                this, tr("Open Team Project"),
                tr("PostgreSQL URL (postgresql://user@host:port/database); the password is "
                   "read from PGPASSWORD or ~/.pgpass:"),
                QLineEdit::Normal, last.isEmpty() ? QStringLiteral("postgresql://") : last, &ok);
            if (!ok || url.trimmed().isEmpty()) return;
            whenLabelsAreSafe([this, url = url.trimmed()] { project_->open(url); });
          });
  connect(addToolAction(menu, tr("&Import Images\u2026"), QKeySequence(),
                        QStringLiteral("importFilesAction")),
          &QAction::triggered, this, [this] {
            if (!project_->isOpen()) return;
            for (const QString& file : QFileDialog::getOpenFileNames(this, tr("Import Images")))
              project_->import(file);
          });
  connect(addToolAction(menu, tr("Import &Folder\u2026"), QKeySequence(),
                        QStringLiteral("importFolderAction")),
          &QAction::triggered, this, [this] {
            if (!project_->isOpen()) return;
            const QString folder = QFileDialog::getExistingDirectory(
                this, tr("Import a Folder of Images or DICOM Series"));
            if (!folder.isEmpty()) project_->import(folder);
          });
  menu->addSeparator();
  // Done and Skip move on to the next unfinished case; Done saves the case first.
  const auto mark = [this](CaseStatus status, bool advance) {
    if (!project_->currentCase()) {
      status_->showMessage(tr("No project case is open."), 5000);
      return;
    }
    // The case the user marked, even when the save ends after another case was opened.
    const qint64 marked = *project_->currentCase();
    const auto finish = [this, status, advance, marked] {
      project_->setStatus(marked, status);
      if (advance && project_->currentCase() == marked) openNeighbourCase(+1);
    };
    if (status != CaseStatus::Skipped && session_->isModified() && session_->hasLabelTarget()) {
      session_->saveToTarget([finish](const Status& saved) {
        if (saved) finish();
      });
    } else {
      finish();
    }
  };
  connect(addToolAction(menu, tr("Mark &Done"), QKeySequence(tr("Ctrl+D")),
                        QStringLiteral("markDoneAction")),
          &QAction::triggered, this, [mark] { mark(CaseStatus::Done, true); });
  connect(addToolAction(menu, tr("Mark &Reviewed"), QKeySequence(tr("Ctrl+Shift+D")),
                        QStringLiteral("markReviewedAction")),
          &QAction::triggered, this, [mark] { mark(CaseStatus::Reviewed, false); });
  connect(addToolAction(menu, tr("&Skip Case"), QKeySequence(tr("Ctrl+K")),
                        QStringLiteral("skipCaseAction")),
          &QAction::triggered, this, [mark] { mark(CaseStatus::Skipped, true); });
  menu->addSeparator();
  connect(addToolAction(menu, tr("&Close Project"), QKeySequence(),
                        QStringLiteral("closeProjectAction")),
          &QAction::triggered, this, [this] { whenLabelsAreSafe([this] { project_->close(); }); });
}

bool MainWindow::openNeighbourProjectCase(int step) {
  if (project_->isShared() && step > 0) {  // a team's project: the next case nobody holds
    whenLabelsAreSafe([this] { project_->openNextFree(); });
    return true;
  }
  const std::optional<qint64> next = project_->neighbourUnfinished(step);
  if (!next) {
    status_->showMessage(
        step > 0 ? tr("No unfinished case after this one: %1").arg(project_->progressText())
                 : tr("No unfinished case before this one."),
        6000);
    return false;
  }
  whenLabelsAreSafe([this, id = *next] { project_->openCase(id); });
  return true;
}

}  // namespace medsa::ui
