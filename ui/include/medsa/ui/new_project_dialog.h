#pragma once

#include <QDialog>

#include "medsa/annotations/label_set.h"

class QLineEdit;
class QPushButton;

namespace medsa::ui {

/// Project → New Project: a name, a folder (new or empty) and the labels (comma-separated, values
/// 1..N in that order).
class NewProjectDialog : public QDialog {
  Q_OBJECT

 public:
  explicit NewProjectDialog(QWidget* parent = nullptr);
  QString name() const;
  QString folder() const;
  annotations::LabelSet labels() const;
  /// Fills the fields (tests, and the folder chosen with Browse).
  void setValues(const QString& name, const QString& folder, const QString& labels);

 private:
  void validate();
  QLineEdit* name_;
  QLineEdit* folder_;
  QLineEdit* labels_;
  QPushButton* ok_;
};

}  // namespace medsa::ui
