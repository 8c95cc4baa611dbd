#include "medsa/ui/model_menu.h"

#include <QAction>
#include <QActionGroup>
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

// Model → Zoom In: where boxes and correction clicks are answered (the engine's zoom-in; the
// setting is read when an engine is made, so a change reloads the model).
void addZoomInMenu(QMenu* menu, MainWindow* window) {
  QMenu* zoom = menu->addMenu(MainWindow::tr("&Zoom In on Boxes and Corrections"));
  zoom->setObjectName(QStringLiteral("zoomInMenu"));
  auto* group = new QActionGroup(zoom);
  const QString current = zoomInSetting();
  const struct {
    const char* value;
    QString text, tip;
  } choices[] = {
      {"auto", MainWindow::tr("&Automatic (Small Models)"),
       MainWindow::tr("Boxes and correction clicks are answered in a crop around the object for "
                      "models with a small input, such as the starter model")},
      {"on", MainWindow::tr("A&lways"),
       MainWindow::tr("Also for SAM-sized models: each new crop costs an image encoding")},
      {"off", MainWindow::tr("&Never"),
       MainWindow::tr("Every prompt is answered in the whole picture")},
  };
  for (const auto& choice : choices) {
    const QString value = QString::fromLatin1(choice.value);
    QAction* action = zoom->addAction(choice.text);
    action->setObjectName(QStringLiteral("zoomIn_") + value);
    action->setStatusTip(choice.tip);
    action->setCheckable(true);
    action->setChecked(value == current);
    group->addAction(action);
    QObject::connect(action, &QAction::triggered, window, [window, value] {
      if (zoomInSetting() == value) return;
      QSettings().setValue(QStringLiteral("model/zoomIn"), value);
      if (!window->modelCheckpoint().isEmpty()) window->loadModel(window->modelCheckpoint());
    });
  }
}

}  // namespace

QString zoomInSetting() {
  const QString value = QSettings().value(QStringLiteral("model/zoomIn")).toString();
  return value == QStringLiteral("on") || value == QStringLiteral("off") ? value
                                                                         : QStringLiteral("auto");
}

QMenu* addModelMenu(MainWindow* window) {
  auto* menu = new QMenu(MainWindow::tr("&Model"), window);
  menu->setObjectName(QStringLiteral("modelMenu"));
  QAction* manage = menu->addAction(MainWindow::tr("&Manage Models\u2026"));
  manage->setObjectName(QStringLiteral("manageModelsAction"));
  manage->setStatusTip(MainWindow::tr("Download, verify and choose SAM and MedSAM checkpoints"));
  QObject::connect(manage, &QAction::triggered, window, [window] { showModelManager(window); });
  addZoomInMenu(menu, window);
  QMenuBar* bar = window->menuBar();
  const QMenu* help = window->findChild<QMenu*>(QStringLiteral("helpMenu"));
  bar->insertMenu(help ? help->menuAction() : nullptr, menu);
  return menu;
}

}  // namespace medsa::ui
