#pragma once

#include <QPointer>
#include <QWidget>

#include "medsa/ui/trainer_client.h"

class QCheckBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace medsa::ui {

class LineChart;
class ProjectController;

/// The background trainer beside the views: its state and plan, progress and ETA, Train Now /
/// Pause / Stop, the automatic mode, the loss of the run and the held-out Dice of every version,
/// the effort per accepted case (clicks and minutes, in the order the cases were done, with the
/// adapter versions marked: the user sees the work get easier), and the versions with their
/// metrics, one of which can be made live (a rollback, or back to the base model).
class TrainerPanel : public QWidget {
  Q_OBJECT

 public:
  TrainerPanel(TrainerClient* trainer, ProjectController* project, QWidget* parent = nullptr);
  static QString stateText(const TrainerStatus& status);

 private:
  void refreshStatus();
  void refreshCurves();
  void refreshVersions();
  void refreshEffort();

  QPointer<TrainerClient> trainer_;  // may go before the panel (app shutdown)
  ProjectController* project_;
  QLabel* state_;
  QLabel* plan_;
  QProgressBar* progress_;
  QPushButton* trainNow_;
  QPushButton* pause_;
  QPushButton* stop_;
  QCheckBox* automatic_;
  QSpinBox* every_;
  LineChart* loss_;
  LineChart* dice_;
  LineChart* effort_;
  QTableWidget* versions_;
  QPushButton* makeLive_;
  QPushButton* baseOnly_;
};

}  // namespace medsa::ui
