#include "medsa/ui/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "medsa/ui/main_window.h"

namespace medsa::ui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent)
    : QDialog(parent) {
  setObjectName(QStringLiteral("shortcutsDialog"));
  setWindowTitle(tr("Keyboard Shortcuts"));
  auto* table = new QTableWidget(this);
  table->setObjectName(QStringLiteral("shortcutsTable"));
  table->setColumnCount(2);
  table->setHorizontalHeaderLabels({tr("Action"), tr("Keys")});
  table->verticalHeader()->hide();
  // Both columns as wide as their text; the dialog grows to fit them.
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->horizontalHeader()->setStretchLastSection(true);
  table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  QList<QPair<QString, QString>> rows;
  for (QAction* action : actions) {
    if (action->shortcuts().isEmpty()) continue;
    QStringList keys;
    for (const QKeySequence& key : action->shortcuts()) {
      // Return and Enter read the same in some languages ("回车"): list each text once.
      const QString text = key.toString(QKeySequence::NativeText);
      if (!keys.contains(text)) keys << text;
    }
    rows.append({withoutMnemonic(action->text()), keys.join(QStringLiteral(", "))});
  }
  // Mouse gestures have no QAction; list them too.
  rows.append(
      {tr("AI: positive point / negative point"), tr("Left click / right click (or Shift+click)")});
  rows.append({tr("AI: box prompt"), tr("Left drag")});
  rows.append({tr("Brush size"), tr("[ and ], or Shift+wheel")});
  rows.append({tr("Scroll slices"), tr("Wheel, Up/Down")});
  rows.append({tr("Zoom"), tr("Ctrl+wheel")});
  rows.append({tr("Pan"), tr("Middle drag")});
  rows.append({tr("Window/level"), tr("Right drag (Navigate tool) or Ctrl+right drag")});
  rows.append({tr("Maximise a view"), tr("Double-click (Navigate tool)")});
  table->setRowCount(static_cast<int>(rows.size()));
  for (int i = 0; i < rows.size(); ++i) {
    table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
    table->setItem(i, 1, new QTableWidgetItem(rows[i].second));
  }
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table);
  layout->addWidget(buttons);
  table->resizeColumnsToContents();
  const int wanted = table->verticalHeader()->width() + table->columnWidth(0) +
                     table->columnWidth(1) + table->frameWidth() * 2 + 40;
  resize(std::clamp(wanted, 480, 1000), 640);
}

}  // namespace medsa::ui
