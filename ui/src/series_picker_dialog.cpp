#include "medsa/ui/series_picker_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "medsa/ui/image_opener.h"

namespace medsa::ui {
namespace {

enum Column {
  NumberColumn,
  DescriptionColumn,
  ModalityColumn,
  PlaneColumn,
  TimeColumn,
  SizeColumn,
  FilesColumn,
  UidColumn,
  Columns
};

/// "143015.25" -> "14:30:15" (a DICOM TM value as people read times).
QString readableTime(const QString& tm) {
  if (tm.size() < 4) return tm;
  QString text = tm.left(2) + QLatin1Char(':') + tm.mid(2, 2);
  if (tm.size() >= 6) text += QLatin1Char(':') + tm.mid(4, 2);
  return text;
}

QTableWidgetItem* cell(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  return item;
}

}  // namespace

SeriesPickerDialog::SeriesPickerDialog(const QString& folder,
                                       const std::vector<SeriesEntry>& series,
                                       const QString& preferredUid, QWidget* parent)
    : QDialog(parent) {
  setObjectName(QStringLiteral("seriesPickerDialog"));
  setWindowTitle(tr("Choose a DICOM Series"));
  auto* intro = new QLabel(tr("%n image series found in %1. Choose the one to open:", nullptr,
                              static_cast<int>(series.size()))
                               .arg(QDir::toNativeSeparators(folder)),
                           this);
  intro->setWordWrap(true);

  table_ = new QTableWidget(static_cast<int>(series.size()), Columns, this);
  table_->setObjectName(QStringLiteral("seriesTable"));
  // Series often share a description; the plane, the time and the counts tell them apart.
  table_->setHorizontalHeaderLabels({tr("Number"), tr("Description"), tr("Modality"), tr("Plane"),
                                     tr("Acquired"), tr("Size"), tr("Files"), tr("Series UID")});
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  // Descriptions read in full; the long UID takes what is left, elided in the middle.
  table_->setWordWrap(false);
  table_->setTextElideMode(Qt::ElideMiddle);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(UidColumn, QHeaderView::Stretch);
  for (int row = 0; row < static_cast<int>(series.size()); ++row) {
    const SeriesEntry& entry = series[static_cast<std::size_t>(row)];
    auto* number = cell(QString::number(entry.seriesNumber));
    number->setData(Qt::UserRole, entry.uid);
    table_->setItem(row, NumberColumn, number);
    table_->setItem(row, DescriptionColumn,
                    cell(entry.description.isEmpty() ? tr("(no description)") : entry.description));
    table_->setItem(row, ModalityColumn, cell(entry.modality));
    table_->setItem(
        row, SizeColumn,
        cell(tr("%1 \u00d7 %2 \u00d7 %3").arg(entry.columns).arg(entry.rows).arg(entry.images)));
    table_->setItem(row, PlaneColumn, cell(planeName(entry.plane)));
    table_->setItem(row, TimeColumn, cell(readableTime(entry.acquisitionTime)));
    table_->setItem(row, FilesColumn, cell(QString::number(entry.files)));
    table_->setItem(row, UidColumn, cell(entry.uid));
    table_->item(row, UidColumn)->setToolTip(entry.uid);
  }

  buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons_->button(QDialogButtonBox::Ok)->setText(tr("Open"));
  connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this] {
    if (!selectedUid().isEmpty()) accept();
  });
  // Nothing to open without a selection (the user may clear it with Ctrl+click).
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(!table_->selectedItems().isEmpty());
  });
  int preselect = largestIndex(series);
  for (int row = 0; row < static_cast<int>(series.size()); ++row) {
    if (!preferredUid.isEmpty() && series[static_cast<std::size_t>(row)].uid == preferredUid)
      preselect = row;
  }
  table_->selectRow(preselect);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addWidget(table_);
  layout->addWidget(buttons_);
  // Tall enough for a typical study (a dozen series) without scrolling.
  const int rows = std::min(static_cast<int>(series.size()), 12);
  resize(980, std::max(360, 200 + rows * table_->verticalHeader()->defaultSectionSize()));
}

QString SeriesPickerDialog::planeName(const QString& plane) {
  if (plane == QStringLiteral("axial")) return tr("axial");
  if (plane == QStringLiteral("coronal")) return tr("coronal");
  if (plane == QStringLiteral("sagittal")) return tr("sagittal");
  if (plane == QStringLiteral("oblique")) return tr("oblique");
  return plane;
}

QString SeriesPickerDialog::selectedUid() const {
  const QList<QTableWidgetItem*> selected = table_->selectedItems();
  if (selected.isEmpty()) return {};
  const QTableWidgetItem* number = table_->item(selected.first()->row(), NumberColumn);
  return number ? number->data(Qt::UserRole).toString() : QString();
}

int SeriesPickerDialog::largestIndex(const std::vector<SeriesEntry>& series) {
  int best = series.empty() ? -1 : 0;
  for (int i = 1; i < static_cast<int>(series.size()); ++i) {
    const SeriesEntry& a = series[static_cast<std::size_t>(i)];
    const SeriesEntry& b = series[static_cast<std::size_t>(best)];
    if (a.images > b.images ||
        (a.images == b.images && qint64(a.rows) * a.columns > qint64(b.rows) * b.columns)) {
      best = i;
    }
  }
  return best;
}

}  // namespace medsa::ui
