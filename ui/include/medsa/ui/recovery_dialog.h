#pragma once

#include <QDialog>

class QTableWidget;

namespace medsa::ui {

class DocumentSession;

/// Lists every autosave that sessions which did not end cleanly left behind (the session's
/// orphans): image, time, labels. The user recovers one, deletes some (after confirming), or
/// leaves them for the next start.
class RecoveryDialog : public QDialog {
  Q_OBJECT

 public:
  RecoveryDialog(DocumentSession* session, QWidget* parent = nullptr);
  /// The orphan to recover, after exec() returned Accepted.
  int chosenIndex() const { return chosen_; }

 private:
  void fill();
  int selectedIndex() const;
  void deleteSelected();

  DocumentSession* session_;
  QTableWidget* table_;
  int chosen_ = -1;
};

}  // namespace medsa::ui
