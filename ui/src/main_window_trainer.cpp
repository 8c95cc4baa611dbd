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
  connect(trainer, &TrainerClient::promoted, this, [this](const AdapterGain& gain) {
    // Spelled out per count: English plurals need no translation file this way.
    const QString cases = gain.heldOutCases == 1 ? tr("1 held-out case")
                                                 : tr("%1 held-out cases").arg(gain.heldOutCases);
    const auto dice = [](double value) { return QLocale().toString(value, 'f', 2); };
    status_->showMessage(tr("Adapter v%1 is live: Dice after a box %2 \u2192 %3, after a click "
                            "%4 \u2192 %5, on %6")
                             .arg(gain.version)
                             .arg(dice(gain.boxBefore), dice(gain.boxAfter), dice(gain.clickBefore),
                                  dice(gain.clickAfter), cases),
                         15000);
  });
}

}  // namespace medsa::ui
