#pragma once

#include <QDialog>
#include <QList>

class QAction;

namespace medsa::ui {

/// Help → Keyboard Shortcuts: every action with a key (each key text once), then the mouse
/// gestures, in columns as wide as their text.
class ShortcutsDialog : public QDialog {
  Q_OBJECT

 public:
  ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);
};

}  // namespace medsa::ui
