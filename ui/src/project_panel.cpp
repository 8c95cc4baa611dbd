#include "medsa/ui/project_panel.h"

#include <QComboBox>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

#include "medsa/ui/case_list_model.h"
#include "medsa/ui/project_controller.h"

namespace medsa::ui {

using annotations::CaseStatus;

ProjectPanel::ProjectPanel(ProjectController* project, QWidget* parent)
    : QWidget(parent), project_(project) {
  setObjectName(QStringLiteral("projectPanel"));
  setMinimumWidth(360);  // name, status, labels and time readable side by side
  model_ = new CaseListModel(project_, this);
  filter_ = new CaseFilter(this);
  filter_->setSourceModel(model_);
  filter_->setSortRole(Qt::DisplayRole);

  progress_ = new QLabel(this);
  progress_->setObjectName(QStringLiteral("projectProgress"));
  show_ = new QComboBox(this);
  show_->setObjectName(QStringLiteral("caseFilter"));
  show_->addItem(tr("All cases"));
  show_->addItem(tr("Unfinished"));
  for (CaseStatus status : {CaseStatus::New, CaseStatus::InProgress, CaseStatus::Done,
                            CaseStatus::Reviewed, CaseStatus::Skipped})
    show_->addItem(CaseListModel::statusText(status), static_cast<int>(status));
  search_ = new QLineEdit(this);
  search_->setObjectName(QStringLiteral("caseSearch"));
  search_->setPlaceholderText(tr("Search cases and labels"));
  search_->setClearButtonEnabled(true);
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("caseTable"));
  table_->setModel(filter_);
  table_->setSortingEnabled(true);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // project order until a header is clicked
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  // Every column as wide as its content, the case name first: a stretched name column shrank to
  // "f…" in a narrow dock once the other columns filled it.
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setStretchLastSection(true);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(progress_);
  auto* row = new QHBoxLayout;
  row->addWidget(show_);
  row->addWidget(search_, 1);
  layout->addLayout(row);
  layout->addWidget(table_, 1);

  connect(show_, &QComboBox::currentIndexChanged, this, [this](int index) {
    if (index == 0)
      filter_->setShow(CaseFilter::Show::All);
    else if (index == 1)
      filter_->setShow(CaseFilter::Show::Unfinished);
    else
      filter_->setShow(CaseFilter::Show::Status,
                       static_cast<CaseStatus>(show_->itemData(index).toInt()));
  });
  connect(search_, &QLineEdit::textChanged, filter_, &CaseFilter::setSearch);
  const auto activate = [this](const QModelIndex& index) {
    if (index.isValid()) emit caseActivated(index.data(CaseListModel::kCaseIdRole).toLongLong());
  };
  connect(table_, &QTableView::doubleClicked, this, activate);
  connect(table_, &QTableView::activated, this, activate);  // Enter on a row
  connect(project_, &ProjectController::casesChanged, this, &ProjectPanel::update);
  connect(project_, &ProjectController::opened, this, &ProjectPanel::update);
  update();
}

void ProjectPanel::update() {
  progress_->setText(project_->isOpen()
                         ? tr("<b>%1</b> \u2014 %2")
                               .arg(project_->name().toHtmlEscaped(), project_->progressText())
                         : tr("No project open (Project \u2192 New or Open)"));
  setEnabled(project_->isOpen());
  progress_->setEnabled(true);
}

}  // namespace medsa::ui
