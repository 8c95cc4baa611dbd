#include "medsa/ui/model_menu.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>

#include "medsa/ui/error_text.h"
#include "medsa/ui/main_window.h"
#include "medsa/ui/model_manager_dialog.h"

namespace medsa::ui {
namespace {

void showModelManager(MainWindow* window) {
  // One dialog per window, kept while hidden: a download goes on after it is closed.
  auto* dialog = window->findChild<ModelManagerDialog*>(QStringLiteral("modelManagerDialog"));
  if (!dialog) {
    Result<ModelCatalogue> catalogue = ModelCatalogue::builtin();
    if (!catalogue) {
      QMessageBox::critical(window, MainWindow::tr("Manage Models"), errorText(catalogue.error()));
      return;
    }
    dialog = new ModelManagerDialog(
        ModelStore(std::move(catalogue).value(), ModelStore::defaultFolder()), window);
    QObject::connect(dialog, &ModelManagerDialog::useModel, window, [window](const QString& path) {
      QSettings().setValue(QStringLiteral("model/checkpoint"), path);
      window->loadModel(path);
    });
  }
  dialog->show();
  dialog->raise();
  dialog->activateWindow();
}

}  // namespace

QMenu* addModelMenu(MainWindow* window) {
  auto* menu = new QMenu(MainWindow::tr("&Model"), window);
  menu->setObjectName(QStringLiteral("modelMenu"));
  QAction* manage = menu->addAction(MainWindow::tr("&Manage Models\u2026"));
  manage->setObjectName(QStringLiteral("manageModelsAction"));
  manage->setStatusTip(MainWindow::tr("Download, verify and choose SAM and MedSAM checkpoints"));
  QObject::connect(manage, &QAction::triggered, window, [window] { showModelManager(window); });
  QMenuBar* bar = window->menuBar();
  const QMenu* help = window->findChild<QMenu*>(QStringLiteral("helpMenu"));
  bar->insertMenu(help ? help->menuAction() : nullptr, menu);
  return menu;
}

}  // namespace medsa::ui
