#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace medsa::ui {

class CaseFilter;
class CaseListModel;
class ProjectController;

/// The project's cases beside the views: the progress ("37 of 120 done"), a status filter, a
/// search field and the case table (sortable); a double click (or Enter) opens a case.
class ProjectPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ProjectPanel(ProjectController* project, QWidget* parent = nullptr);
  QTableView* table() const { return table_; }
  CaseFilter* filter() const { return filter_; }

 signals:
  void caseActivated(qint64 id);

 private:
  void update();

  ProjectController* project_;
  CaseListModel* model_;
  CaseFilter* filter_;
  QLabel* progress_;
  QComboBox* show_;
  QLineEdit* search_;
  QTableView* table_;
};

}  // namespace medsa::ui
