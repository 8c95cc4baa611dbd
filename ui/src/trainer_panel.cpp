#include "medsa/ui/trainer_panel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "medsa/ui/line_chart.h"
#include "medsa/ui/project_controller.h"

namespace medsa::ui {
namespace {

enum Column { VersionColumn, StateColumn, BoxColumn, ClickColumn, NocColumn, CasesColumn, Columns };

QTableWidgetItem* cell(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
  return item;
}

}  // namespace

QString TrainerPanel::stateText(const TrainerStatus& status) {
  switch (status.state) {
    case TrainerStatus::State::Off:
      return tr("Off: open a project to train on its accepted cases");
    case TrainerStatus::State::Idle:
      return status.automatic ? tr("Idle: trains after %n more accepted case(s)", nullptr,
                                   std::max(0, status.every - status.newCases))
                              : tr("Idle");
    case TrainerStatus::State::Preparing:
      return tr("Preparing the cases\u2026");
    case TrainerStatus::State::Training:
      return tr("Training");
    case TrainerStatus::State::Evaluating:
      return tr("Measuring on the held-out cases\u2026");
    case TrainerStatus::State::Paused:
      return tr("Paused");
    case TrainerStatus::State::Failed:
      return tr("Failed");
  }
  return {};
}

TrainerPanel::TrainerPanel(TrainerClient* trainer, ProjectController* project, QWidget* parent)
    : QWidget(parent), trainer_(trainer), project_(project) {
  setObjectName(QStringLiteral("trainerPanel"));
  state_ = new QLabel(this);
  state_->setObjectName(QStringLiteral("trainerState"));
  state_->setWordWrap(true);
  plan_ = new QLabel(this);
  plan_->setObjectName(QStringLiteral("trainerPlan"));
  plan_->setWordWrap(true);
  plan_->setStyleSheet(QStringLiteral("color: gray"));
  progress_ = new QProgressBar(this);
  progress_->setObjectName(QStringLiteral("trainerProgress"));
  trainNow_ = new QPushButton(tr("Train Now"), this);
  trainNow_->setObjectName(QStringLiteral("trainNowButton"));
  pause_ = new QPushButton(tr("Pause"), this);
  pause_->setObjectName(QStringLiteral("pauseTrainingButton"));
  stop_ = new QPushButton(tr("Stop"), this);
  stop_->setObjectName(QStringLiteral("stopTrainingButton"));
  automatic_ = new QCheckBox(tr("Train after every"), this);
  automatic_->setObjectName(QStringLiteral("automaticTraining"));
  every_ = new QSpinBox(this);
  every_->setObjectName(QStringLiteral("trainEvery"));
  every_->setRange(1, 1000);
  every_->setSuffix(tr(" accepted cases"));
  loss_ = new LineChart(this);
  loss_->setObjectName(QStringLiteral("lossChart"));
  loss_->setTitle(tr("Training loss"));
  loss_->setAxisTitles(tr("step"), tr("loss"));
  dice_ = new LineChart(this);
  dice_->setObjectName(QStringLiteral("diceChart"));
  dice_->setTitle(tr("Held-out Dice by version"));
  dice_->setWholeNumberX(true);
  dice_->setAxisTitles(tr("adapter version"), tr("Dice"));
  dice_->setYRange(0, 1);
  effort_ = new LineChart(this);
  effort_->setObjectName(QStringLiteral("effortChart"));
  effort_->setTitle(tr("Effort per accepted case"));
  effort_->setWholeNumberX(true);
  effort_->setAxisTitles(tr("case, in the order done"), tr("clicks / minutes"));
  versions_ = new QTableWidget(0, Columns, this);
  versions_->setObjectName(QStringLiteral("versionTable"));
  versions_->setHorizontalHeaderLabels({tr("Version"), tr("State"), tr("Dice (box)"),
                                        tr("Dice (click)"), tr("NoC@90"), tr("Cases")});
  versions_->verticalHeader()->hide();
  versions_->setSelectionBehavior(QAbstractItemView::SelectRows);
  versions_->setSelectionMode(QAbstractItemView::SingleSelection);
  versions_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  versions_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  makeLive_ = new QPushButton(tr("Make Live"), this);
  makeLive_->setObjectName(QStringLiteral("makeLiveButton"));
  makeLive_->setToolTip(tr("Use the selected version (an older one: a rollback)"));
  baseOnly_ = new QPushButton(tr("Base Model Only"), this);
  baseOnly_->setObjectName(QStringLiteral("baseOnlyButton"));

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(trainNow_);
  buttons->addWidget(pause_);
  buttons->addWidget(stop_);
  auto* automaticRow = new QHBoxLayout;
  automaticRow->addWidget(automatic_);
  automaticRow->addWidget(every_, 1);
  auto* versionButtons = new QHBoxLayout;
  versionButtons->addWidget(makeLive_);
  versionButtons->addWidget(baseOnly_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(state_);
  layout->addWidget(plan_);
  layout->addWidget(progress_);
  layout->addLayout(buttons);
  layout->addLayout(automaticRow);
  layout->addWidget(loss_, 1);
  layout->addWidget(dice_, 1);
  layout->addWidget(effort_, 1);
  layout->addWidget(versions_, 1);
  layout->addLayout(versionButtons);

  connect(trainNow_, &QPushButton::clicked, trainer_, &TrainerClient::trainNow);
  connect(pause_, &QPushButton::clicked, this, [this] {
    if (!trainer_) return;
    if (trainer_->status().state == TrainerStatus::State::Paused)
      trainer_->resume();
    else
      trainer_->pause();
  });
  connect(stop_, &QPushButton::clicked, trainer_, &TrainerClient::stop);
  const auto automatic = [this] {
    if (trainer_) trainer_->setAutomatic(automatic_->isChecked(), every_->value());
  };
  connect(automatic_, &QCheckBox::toggled, this, automatic);
  connect(every_, &QSpinBox::valueChanged, this, automatic);
  connect(makeLive_, &QPushButton::clicked, this, [this] {
    const QList<QTableWidgetItem*> selected = versions_->selectedItems();
    if (!selected.isEmpty() && trainer_)
      trainer_->makeLive(
          versions_->item(selected.first()->row(), VersionColumn)->data(Qt::UserRole).toInt());
  });
  connect(baseOnly_, &QPushButton::clicked, this, [this] {
    if (trainer_) trainer_->makeLive(0);
  });
  connect(versions_, &QTableWidget::itemSelectionChanged, this, &TrainerPanel::refreshStatus);
  connect(trainer_, &TrainerClient::statusChanged, this, &TrainerPanel::refreshStatus);
  connect(trainer_, &TrainerClient::curvesChanged, this, &TrainerPanel::refreshCurves);
  connect(trainer_, &TrainerClient::versionsChanged, this, &TrainerPanel::refreshVersions);
  if (project_) {
    connect(project_, &ProjectController::casesChanged, this, &TrainerPanel::refreshEffort);
  }
  refreshStatus();
  refreshCurves();
  refreshVersions();
}

void TrainerPanel::refreshStatus() {
  if (!trainer_) return;
  const TrainerStatus s = trainer_->status();
  QString text = stateText(s);
  if (s.state == TrainerStatus::State::Training && s.steps > 0) {
    text += tr(": step %1 of %2").arg(s.step).arg(s.steps);
    if (s.secondsLeft >= 0)
      text += tr(", about %1 left")
                  .arg(s.secondsLeft >= 90
                           ? tr("%n min", nullptr, static_cast<int>(s.secondsLeft / 60 + 0.5))
                           : tr("%n s", nullptr, static_cast<int>(s.secondsLeft + 0.5)));
  }
  if (!s.message.isEmpty()) text += QStringLiteral("\n") + s.message;
  state_->setText(text);
  plan_->setText(s.plan);
  const bool running = s.state == TrainerStatus::State::Preparing ||
                       s.state == TrainerStatus::State::Training ||
                       s.state == TrainerStatus::State::Evaluating;
  progress_->setVisible(running || s.state == TrainerStatus::State::Paused);
  progress_->setRange(0, std::max(1, s.steps));
  progress_->setValue(s.step);
  trainNow_->setEnabled(s.state == TrainerStatus::State::Idle ||
                        s.state == TrainerStatus::State::Failed);
  pause_->setEnabled(running || s.state == TrainerStatus::State::Paused);
  pause_->setText(s.state == TrainerStatus::State::Paused ? tr("Resume") : tr("Pause"));
  stop_->setEnabled(running || s.state == TrainerStatus::State::Paused);
  const QSignalBlocker a(automatic_), e(every_);
  automatic_->setChecked(s.automatic);
  every_->setValue(s.every);
  automatic_->setEnabled(s.state != TrainerStatus::State::Off);
  makeLive_->setEnabled(!versions_->selectedItems().isEmpty());
  baseOnly_->setEnabled(s.state != TrainerStatus::State::Off);
}

void TrainerPanel::refreshCurves() {
  if (!trainer_) return;
  LineChart::Series loss{tr("loss"), QColor(0xd0, 0x40, 0x30), {}, {}, false};
  for (const auto& [step, value] : trainer_->lossCurve()) {
    loss.x.push_back(step);
    loss.y.push_back(value);
  }
  loss_->setSeries({loss});
}

void TrainerPanel::refreshVersions() {
  if (!trainer_) return;
  const std::vector<TrainerVersion> versions = trainer_->versions();
  versions_->setRowCount(static_cast<int>(versions.size()));
  LineChart::Series box{tr("after one box"), QColor(0x30, 0x70, 0xd0), {}, {}, true};
  LineChart::Series click{tr("after one click"), QColor(0x20, 0xa0, 0x40), {}, {}, true};
  for (int row = 0; row < static_cast<int>(versions.size()); ++row) {
    const TrainerVersion& v = versions[static_cast<std::size_t>(row)];
    auto* version = cell(v.version == 0 ? tr("base") : QStringLiteral("v%1").arg(v.version));
    version->setData(Qt::UserRole, v.version);
    version->setToolTip(v.decision);
    versions_->setItem(row, VersionColumn, version);
    versions_->setItem(row, StateColumn, cell(v.state));
    versions_->setItem(row, BoxColumn, cell(QLocale().toString(v.diceBox, 'f', 3)));
    versions_->setItem(row, ClickColumn, cell(QLocale().toString(v.diceClick, 'f', 3)));
    versions_->setItem(row, NocColumn, cell(QLocale().toString(v.noc90, 'f', 1)));
    versions_->setItem(row, CasesColumn, cell(tr("%1 + %2").arg(v.trainCases).arg(v.heldOutCases)));
    if (v.state == QStringLiteral("live")) {
      QFont bold = versions_->font();
      bold.setBold(true);
      for (int c = 0; c < Columns; ++c) versions_->item(row, c)->setFont(bold);
    }
    box.x.push_back(v.version);
    box.y.push_back(v.diceBox);
    click.x.push_back(v.version);
    click.y.push_back(v.diceClick);
  }
  dice_->setSeries({box, click});
  refreshEffort();
  refreshStatus();
}

void TrainerPanel::refreshEffort() {
  if (!project_ || !trainer_) return;
  // Accepted cases in the order they were done: clicks and minutes each took.
  std::vector<const annotations::CaseRecord*> done;
  for (const annotations::CaseRecord& c : project_->cases())
    if (annotations::isLabelled(c.status) && c.doneAt.isValid()) done.push_back(&c);
  std::sort(done.begin(), done.end(),
            [](const auto* a, const auto* b) { return a->doneAt < b->doneAt; });
  LineChart::Series clicks{tr("clicks"), QColor(0x80, 0x40, 0xc0), {}, {}, true};
  LineChart::Series minutes{tr("minutes"), QColor(0xe0, 0x90, 0x20), {}, {}, true};
  for (std::size_t i = 0; i < done.size(); ++i) {
    clicks.x.push_back(static_cast<double>(i + 1));
    clicks.y.push_back(static_cast<double>(done[i]->clicks));
    minutes.x.push_back(static_cast<double>(i + 1));
    minutes.y.push_back(done[i]->seconds / 60.0);
  }
  // Each adapter version marked where it arrived: after the cases done before it.
  std::vector<LineChart::Marker> markers;
  for (const TrainerVersion& v : trainer_->versions()) {
    if (v.version == 0 || !v.created.isValid()) continue;
    const auto before = std::count_if(done.begin(), done.end(),
                                      [&v](const auto* c) { return c->doneAt <= v.created; });
    markers.push_back({static_cast<double>(before) + 0.5, QStringLiteral("v%1").arg(v.version)});
  }
  effort_->setSeries({clicks, minutes});
  effort_->setMarkers(markers);
}

}  // namespace medsa::ui
