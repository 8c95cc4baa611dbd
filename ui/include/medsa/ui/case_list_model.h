#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <optional>

#include "medsa/annotations/project_types.h"

namespace medsa::ui {

class ProjectController;

/// The project's cases as a table: name, status, labels present, active time, clicks, assignee.
/// Follows the controller; the case on screen is shown in bold.
class CaseListModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    NameColumn,
    StatusColumn,
    LabelsColumn,
    TimeColumn,
    ClicksColumn,
    AssigneeColumn,
    Columns
  };
  static constexpr int kCaseIdRole = Qt::UserRole;
  static constexpr int kStatusRole = Qt::UserRole + 1;

  explicit CaseListModel(ProjectController* project, QObject* parent = nullptr);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  /// A status as the list shows it, translated.
  static QString statusText(annotations::CaseStatus status);

 private:
  ProjectController* project_;
};

/// Filters the case list by status and by a search text (over name and labels); sorts by any
/// column (time and clicks as numbers).
class CaseFilter : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  /// Which cases show: all, the unfinished ones, or one status.
  enum class Show { All, Unfinished, Status };
  using QSortFilterProxyModel::QSortFilterProxyModel;
  void setShow(Show show, annotations::CaseStatus status = annotations::CaseStatus::New);
  void setSearch(const QString& text);

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;
  bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

 private:
  Show show_ = Show::All;
  annotations::CaseStatus status_ = annotations::CaseStatus::New;
  QString search_;
};

}  // namespace medsa::ui
