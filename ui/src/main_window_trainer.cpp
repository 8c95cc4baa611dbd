// MainWindow's trainer side: the Trainer dock and the status-bar note when a better adapter went
// live. The trainer itself is composed by the app (it needs the model layer).
#include <QDockWidget>
#include <QLocale>

#include "medsa/ui/main_window.h"
#include "medsa/ui/status_line.h"
#include "medsa/ui/trainer_panel.h"

namespace medsa::ui {

void MainWindow::setTrainer(TrainerClient* trainer) {
  trainer_ = trainer;
  auto* panel = new TrainerPanel(trainer, project_, this);
  auto* dock = new QDockWidget(tr("Trainer"), this);
  dock->setObjectName(QStringLiteral("trainerDock"));
  dock->setWidget(panel);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  if (QDockWidget* history = findChild<QDockWidget*>(QStringLiteral("historyDock")))
    tabifyDockWidget(history, dock);
  connect(trainer, &TrainerClient::promoted, this,
          [this](int version, double before, double after, int heldOutCases) {
            // Spelled out per count: English plurals need no translation file this way.
            const QString cases = heldOutCases == 1 ? tr("1 held-out case")
                                                    : tr("%1 held-out cases").arg(heldOutCases);
            status_->showMessage(tr("Adapter v%1: Dice %2 \u2192 %3 on %4")
                                     .arg(version)
                                     .arg(QLocale().toString(before, 'f', 2),
                                          QLocale().toString(after, 'f', 2), cases),
                                 15000);
          });
}

}  // namespace medsa::ui
