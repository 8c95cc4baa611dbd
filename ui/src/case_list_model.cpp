#include "medsa/ui/case_list_model.h"

#include <QColor>
#include <QFont>
#include <QLocale>

#include "medsa/annotations/project_store.h"
#include "medsa/ui/project_controller.h"

namespace medsa::ui {
namespace {

QString minutes(double seconds) {
  const int total = static_cast<int>(seconds + 0.5);
  return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

CaseListModel::CaseListModel(ProjectController* project, QObject* parent)
    : QAbstractTableModel(parent), project_(project) {
  connect(project_, &ProjectController::casesChanged, this, [this] {
    beginResetModel();
    endResetModel();
  });
  connect(project_, &ProjectController::currentCaseChanged, this, [this] {
    if (rowCount() > 0) emit dataChanged(index(0, 0), index(rowCount() - 1, Columns - 1));
  });
}

int CaseListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(project_->cases().size());
}

int CaseListModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : Columns;
}

QString CaseListModel::statusText(annotations::CaseStatus status) {
  switch (status) {
    case annotations::CaseStatus::New:
      return tr("new");
    case annotations::CaseStatus::InProgress:
      return tr("in progress");
    case annotations::CaseStatus::Done:
      return tr("done");
    case annotations::CaseStatus::Reviewed:
      return tr("reviewed");
    case annotations::CaseStatus::Skipped:
      return tr("skipped");
  }
  return {};
}

QVariant CaseListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const annotations::CaseRecord& c = project_->cases()[static_cast<std::size_t>(index.row())];
  if (role == kCaseIdRole) return c.id;
  if (role == kStatusRole) return static_cast<int>(c.status);
  // On a team's project, a case someone else is annotating is greyed and italic.
  static const QString me = annotations::currentUser();
  const bool someoneElses = !c.leaseHolder.isEmpty() && c.leaseHolder != me;
  if (role == Qt::FontRole && (project_->currentCase() == c.id || someoneElses)) {
    QFont font;
    font.setBold(project_->currentCase() == c.id);
    font.setItalic(someoneElses);
    return font;
  }
  if (role == Qt::ForegroundRole && someoneElses) return QColor(Qt::gray);
  if (role == Qt::ForegroundRole && index.column() == StatusColumn) {
    switch (c.status) {
      case annotations::CaseStatus::Done:
        return QColor(0x20, 0x90, 0x30);
      case annotations::CaseStatus::Reviewed:
        return QColor(0x20, 0x60, 0xc0);
      case annotations::CaseStatus::Skipped:
        return QColor(Qt::gray);
      default:
        return {};
    }
  }
  if (role == Qt::ToolTipRole && (index.column() == NameColumn || someoneElses) &&
      !c.leaseHolder.isEmpty())
    return tr("Being annotated by %1 (held until %2)")
        .arg(c.leaseHolder,
             QLocale().toString(c.leaseUntil.toLocalTime().time(), QLocale::ShortFormat));
  if (role == Qt::ToolTipRole && index.column() == NameColumn) return c.imagePath;
  if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
  switch (index.column()) {
    case NameColumn:
      return c.name;
    case StatusColumn:
      return statusText(c.status);
    case LabelsColumn: {
      QStringList names;
      if (c.latest) {
        for (auto it = c.latest->voxels.begin(); it != c.latest->voxels.end(); ++it) {
          const annotations::Label* label = project_->labels().find(it.key());
          names << (label ? label->name : QString::number(it.key()));
        }
      }
      return names.join(QStringLiteral(", "));
    }
    case TimeColumn:
      return role == Qt::EditRole ? QVariant(c.seconds) : QVariant(minutes(c.seconds));
    case ClicksColumn:
      return c.clicks;
    case AssigneeColumn:
      // On a team's project: who is annotating the case right now.
      return c.leaseHolder.isEmpty() ? c.assignee : tr("%1 (annotating)").arg(c.leaseHolder);
    default:
      return {};
  }
}

QVariant CaseListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case NameColumn:
      return tr("Case");
    case StatusColumn:
      return tr("Status");
    case LabelsColumn:
      return tr("Labels");
    case TimeColumn:
      return tr("Time");
    case ClicksColumn:
      return tr("Clicks");
    case AssigneeColumn:
      return tr("Assignee");
    default:
      return {};
  }
}

void CaseFilter::setShow(Show show, annotations::CaseStatus status) {
  show_ = show;
  status_ = status;
  invalidateFilter();
}

void CaseFilter::setSearch(const QString& text) {
  search_ = text.trimmed();
  invalidateFilter();
}

bool CaseFilter::filterAcceptsRow(int row, const QModelIndex& parent) const {
  const QModelIndex name = sourceModel()->index(row, CaseListModel::NameColumn, parent);
  const auto status =
      static_cast<annotations::CaseStatus>(name.data(CaseListModel::kStatusRole).toInt());
  if (show_ == Show::Unfinished && !annotations::isUnfinished(status)) return false;
  if (show_ == Show::Status && status != status_) return false;
  if (search_.isEmpty()) return true;
  const QString labels =
      sourceModel()->index(row, CaseListModel::LabelsColumn, parent).data().toString();
  return name.data().toString().contains(search_, Qt::CaseInsensitive) ||
         labels.contains(search_, Qt::CaseInsensitive);
}

bool CaseFilter::lessThan(const QModelIndex& left, const QModelIndex& right) const {
  // Time sorts by seconds, not by its "m:ss" text.
  if (left.column() == CaseListModel::TimeColumn)
    return left.data(Qt::EditRole).toDouble() < right.data(Qt::EditRole).toDouble();
  return QSortFilterProxyModel::lessThan(left, right);
}

}  // namespace medsa::ui
