#include "medsa/ui/main_window.h"

#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>

#include "medsa/core/build_info.h"
#include "medsa/ui/viewer_area.h"

namespace medsa::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setObjectName(QStringLiteral("mainWindow"));
  setWindowTitle(tr("Med-SA Studio"));
  resize(1280, 800);

  viewerArea_ = new ViewerArea(this);
  setCentralWidget(viewerArea_);

  engineLabel_ = new QLabel(this);
  engineLabel_->setObjectName(QStringLiteral("engineLabel"));
  statusBar()->addPermanentWidget(engineLabel_);
  statusBar()->showMessage(tr("Ready"));

  createMenus();
}

void MainWindow::createMenus() {
  QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
  fileMenu->setObjectName(QStringLiteral("fileMenu"));
  QAction* quitAction = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
  quitAction->setObjectName(QStringLiteral("quitAction"));
  quitAction->setShortcut(QKeySequence::Quit);

  QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
  helpMenu->setObjectName(QStringLiteral("helpMenu"));
  QAction* aboutAction =
      helpMenu->addAction(tr("&About Med-SA Studio"), this, &MainWindow::showAbout);
  aboutAction->setObjectName(QStringLiteral("aboutAction"));
  aboutAction->setMenuRole(QAction::AboutRole);
  QAction* aboutQtAction = helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
  aboutQtAction->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::setEngineDescription(const QString& text) { engineLabel_->setText(text); }

QString MainWindow::engineDescription() const { return engineLabel_->text(); }

void MainWindow::setAboutDetails(const QString& details) { aboutDetails_ = details; }

void MainWindow::showAbout() {
  const QString version = QString::fromUtf8(projectVersion().data(), projectVersion().size());
  QMessageBox::about(
      this, tr("About Med-SA Studio"),
      tr("<h3>Med-SA Studio %1</h3>"
         "<p>Interactive medical image annotation with an in-process "
         "Segment Anything engine and medical adapters that learn from your work.</p>"
         "<p>Licensed under the Apache License 2.0.</p>")
              .arg(version) +
          aboutDetails_);
}

}  // namespace medsa::ui
