#include "medsa/ui/recovery_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include "medsa/ui/document_session.h"

namespace medsa::ui {
namespace {

enum Column { ImageColumn, SavedColumn, LabelsColumn, Columns };

QTableWidgetItem* cell(const QString& text) {
  auto* item = new QTableWidgetItem(text);
  item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
  return item;
}

}  // namespace

RecoveryDialog::RecoveryDialog(DocumentSession* session, QWidget* parent)
    : QDialog(parent), session_(session) {
  setObjectName(QStringLiteral("recoveryDialog"));
  setWindowTitle(tr("Recover Annotations"));
  auto* intro = new QLabel(tr("Med-SA Studio did not close normally. These annotations were "
                              "autosaved and can be recovered:"),
                           this);
  intro->setWordWrap(true);
  table_ = new QTableWidget(0, Columns, this);
  table_->setObjectName(QStringLiteral("recoveryTable"));
  table_->setHorizontalHeaderLabels({tr("Image"), tr("Autosaved"), tr("Labels")});
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setWordWrap(false);
  table_->setTextElideMode(Qt::ElideMiddle);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(ImageColumn, QHeaderView::Stretch);

  auto* buttons = new QDialogButtonBox(this);
  QPushButton* recover = buttons->addButton(tr("&Recover"), QDialogButtonBox::AcceptRole);
  recover->setObjectName(QStringLiteral("recoverButton"));
  QPushButton* remove = buttons->addButton(tr("&Delete\u2026"), QDialogButtonBox::DestructiveRole);
  remove->setObjectName(QStringLiteral("deleteAutosaveButton"));
  QPushButton* later = buttons->addButton(tr("&Not Now"), QDialogButtonBox::RejectRole);
  later->setObjectName(QStringLiteral("notNowButton"));
  later->setToolTip(tr("Keep the autosaves; they are offered again at the next start"));
  connect(recover, &QPushButton::clicked, this, [this] {
    chosen_ = selectedIndex();
    if (chosen_ >= 0) accept();
  });
  connect(remove, &QPushButton::clicked, this, &RecoveryDialog::deleteSelected);
  connect(later, &QPushButton::clicked, this, &QDialog::reject);
  connect(table_, &QTableWidget::cellDoubleClicked, recover, &QPushButton::click);
  connect(table_, &QTableWidget::itemSelectionChanged, this, [this, recover, remove] {
    const int index = selectedIndex();
    const bool usable =
        index >= 0 && session_->orphans()[static_cast<std::size_t>(index)].error.isEmpty();
    recover->setEnabled(usable);
    remove->setEnabled(index >= 0);
  });

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addWidget(table_);
  layout->addWidget(buttons);
  fill();
  resize(720, 320);
}

void RecoveryDialog::fill() {
  const std::vector<RecoverableWork>& orphans = session_->orphans();
  table_->setRowCount(static_cast<int>(orphans.size()));
  int first = -1;
  for (int row = 0; row < static_cast<int>(orphans.size()); ++row) {
    const RecoverableWork& work = orphans[static_cast<std::size_t>(row)];
    const QString image = work.imagePath.isEmpty() ? tr("Built-in demo (%1)").arg(work.imageId)
                                                   : QDir::toNativeSeparators(work.imagePath);
    auto* name = cell(
        work.error.isEmpty()
            ? image
            : tr("%1 (cannot be recovered: %2)").arg(QFileInfo(work.file).fileName(), work.error));
    name->setToolTip(work.file);
    name->setData(Qt::UserRole, row);
    table_->setItem(row, ImageColumn, name);
    table_->setItem(row, SavedColumn,
                    cell(QLocale().toString(work.savedAt.toLocalTime(), QLocale::ShortFormat)));
    table_->setItem(row, LabelsColumn, cell(work.labelNames.join(QStringLiteral(", "))));
    if (first < 0 && work.error.isEmpty()) first = row;
  }
  table_->selectRow(std::max(first, 0));
}

int RecoveryDialog::selectedIndex() const {
  const QList<QTableWidgetItem*> selected = table_->selectedItems();
  for (const QTableWidgetItem* item : selected)
    if (item->column() == ImageColumn) return item->data(Qt::UserRole).toInt();
  return -1;
}

void RecoveryDialog::deleteSelected() {
  const int index = selectedIndex();
  if (index < 0) return;
  const auto answer = QMessageBox::question(
      this, tr("Delete Autosave"),
      tr("Delete these autosaved annotations for good? They cannot be recovered afterwards."),
      QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
  if (answer != QMessageBox::Yes) return;
  session_->deleteOrphan(index);
  table_->item(index, ImageColumn)->setFlags(Qt::NoItemFlags);
  table_->item(index, ImageColumn)->setText(tr("(deleted)"));
  table_->clearSelection();
}

}  // namespace medsa::ui
