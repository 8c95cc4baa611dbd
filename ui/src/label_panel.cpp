#include "medsa/ui/label_panel.h"

#include <QColorDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSlider>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>
#include <cmath>

#include "medsa/ui/document.h"

namespace medsa::ui {

LabelPanel::LabelPanel(Document* document, QWidget* parent) : QWidget(parent), document_(document) {
  setObjectName(QStringLiteral("labelPanel"));
  table_ = new QTableWidget(0, 4, this);
  table_->setObjectName(QStringLiteral("labelTable"));
  table_->setHorizontalHeaderLabels({QString(), tr("Label"), tr("Show"), tr("Lock")});
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
  for (int c : {ColourColumn, VisibleColumn, LockedColumn}) {
    table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  }
  table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);

  auto* add = new QPushButton(tr("Add"), this);
  add->setObjectName(QStringLiteral("addLabelButton"));
  remove_ = new QPushButton(tr("Remove"), this);
  remove_->setObjectName(QStringLiteral("removeLabelButton"));
  opacity_ = new QSlider(Qt::Horizontal, this);
  opacity_->setObjectName(QStringLiteral("opacitySlider"));
  opacity_->setRange(0, 100);
  opacity_->setValue(static_cast<int>(std::lround(document_->opacity() * 100)));
  opacity_->setToolTip(tr("Opacity of the label overlay"));

  auto* buttons = new QHBoxLayout;
  buttons->addWidget(add);
  buttons->addWidget(remove_);
  auto* opacityRow = new QHBoxLayout;
  opacityRow->addWidget(new QLabel(tr("Opacity"), this));
  opacityRow->addWidget(opacity_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(table_);
  layout->addLayout(buttons);
  layout->addLayout(opacityRow);

  connect(add, &QPushButton::clicked, this, &LabelPanel::addLabel);
  connect(remove_, &QPushButton::clicked, this, &LabelPanel::removeActiveLabel);
  connect(opacity_, &QSlider::valueChanged, this,
          [this](int value) { document_->setOpacity(value / 100.0); });
  connect(table_, &QTableWidget::cellChanged, this, &LabelPanel::onItemChanged);
  connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int column) {
    if (column == ColourColumn) chooseColour(row);
  });
  connect(table_, &QTableWidget::currentCellChanged, this, [this](int row) {
    if (!rebuilding_ && row >= 0) document_->setActiveLabel(valueAt(row));
  });
  connect(document_, &Document::labelSetChanged, this, &LabelPanel::rebuild);
  connect(document_, &Document::activeLabelChanged, this, &LabelPanel::rebuild);
  rebuild();
}

quint16 LabelPanel::valueAt(int row) const {
  const QTableWidgetItem* item = table_->item(row, NameColumn);
  return item ? static_cast<quint16>(item->data(Qt::UserRole).toUInt()) : 0;
}

void LabelPanel::rebuild() {
  rebuilding_ = true;
  const auto& labels = document_->labelSet().labels();
  table_->setRowCount(static_cast<int>(labels.size()));
  int activeRow = -1;
  for (int row = 0; row < labels.size(); ++row) {
    const annotations::Label& label = labels[row];
    // The swatch cell is never selected: the selection highlight would paint over (or tint)
    // the colour, and the active label's colour is the one the user most needs to see.
    auto* colour = new QTableWidgetItem;
    QPixmap swatch(14, 14);
    swatch.fill(label.colour);
    colour->setData(Qt::DecorationRole, swatch);
    colour->setFlags(Qt::ItemIsEnabled);
    colour->setToolTip(tr("Double-click to change the colour"));
    auto* name = new QTableWidgetItem(label.name);
    name->setData(Qt::UserRole, label.value);
    name->setToolTip(tr("Value %1 in the label map").arg(label.value));
    auto* visible = new QTableWidgetItem;
    visible->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    visible->setCheckState(label.visible ? Qt::Checked : Qt::Unchecked);
    auto* locked = new QTableWidgetItem;
    locked->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    locked->setCheckState(label.locked ? Qt::Checked : Qt::Unchecked);
    table_->setItem(row, ColourColumn, colour);
    table_->setItem(row, NameColumn, name);
    table_->setItem(row, VisibleColumn, visible);
    table_->setItem(row, LockedColumn, locked);
    if (label.value == document_->activeLabel()) activeRow = row;
  }
  if (activeRow >= 0) table_->setCurrentCell(activeRow, NameColumn);
  remove_->setEnabled(labels.size() > 1);
  rebuilding_ = false;
}

void LabelPanel::onItemChanged(int row, int column) {
  if (rebuilding_) return;
  annotations::LabelSet set = document_->labelSet();
  annotations::Label* label = set.find(valueAt(row));
  if (!label) return;
  const QTableWidgetItem* item = table_->item(row, column);
  switch (column) {
    case NameColumn:
      if (item->text().trimmed().isEmpty()) {
        rebuild();  // a label needs a name: put the old one back
        return;
      }
      label->name = item->text().trimmed();
      break;
    case VisibleColumn:
      label->visible = item->checkState() == Qt::Checked;
      break;
    case LockedColumn:
      label->locked = item->checkState() == Qt::Checked;
      break;
    default:
      return;
  }
  document_->setLabelSet(set);
}

void LabelPanel::chooseColour(int row) {
  annotations::LabelSet set = document_->labelSet();
  annotations::Label* label = set.find(valueAt(row));
  if (!label) return;
  const QColor colour = QColorDialog::getColor(label->colour, this, tr("Label Colour"));
  if (!colour.isValid()) return;
  label->colour = colour;
  document_->setLabelSet(set);
}

void LabelPanel::addLabel() {
  annotations::LabelSet set = document_->labelSet();
  const quint16 value = set.add(tr("Label %1").arg(set.size() + 1));
  if (value == 0) return;
  document_->setLabelSet(set);
  document_->setActiveLabel(value);
}

void LabelPanel::removeActiveLabel() {
  const quint16 value = document_->activeLabel();
  const annotations::Label* label = document_->labelSet().find(value);
  if (!label || document_->labelSet().size() <= 1) return;
  if (label->locked) {
    QMessageBox::information(this, tr("Remove Label"),
                             tr("%1 is locked; unlock it to remove it.").arg(label->name));
    return;
  }
  const std::size_t voxels = document_->labels().isEmpty() ? 0 : document_->labels().count(value);
  if (voxels > 0) {
    const auto answer = QMessageBox::question(
        this, tr("Remove Label"),
        tr("Remove %1 and erase its %n voxel(s)? Edit \u2192 Undo brings both back.", nullptr,
           static_cast<int>(std::min<std::size_t>(voxels, INT_MAX)))
            .arg(label->name),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes) return;
  }
  document_->removeLabel(value);
}

}  // namespace medsa::ui
