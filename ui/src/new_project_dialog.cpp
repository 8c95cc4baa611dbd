#include "medsa/ui/new_project_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace medsa::ui {

NewProjectDialog::NewProjectDialog(QWidget* parent) : QDialog(parent) {
  setObjectName(QStringLiteral("newProjectDialog"));
  setWindowTitle(tr("New Project"));
  name_ = new QLineEdit(this);
  name_->setObjectName(QStringLiteral("projectName"));
  name_->setPlaceholderText(tr("Liver CT 2026"));
  folder_ = new QLineEdit(this);
  folder_->setObjectName(QStringLiteral("projectFolder"));
  folder_->setPlaceholderText(tr("a new or empty folder"));
  auto* browse = new QPushButton(tr("Browse\u2026"), this);
  labels_ = new QLineEdit(this);
  labels_->setObjectName(QStringLiteral("projectLabels"));
  labels_->setText(tr("Label 1"));
  labels_->setToolTip(tr("Comma-separated; they get the values 1, 2, 3, ... in this order"));
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(folder_, 1);
  folderRow->addWidget(browse);
  auto* form = new QFormLayout;
  form->addRow(tr("Name:"), name_);
  form->addRow(tr("Folder:"), folderRow);
  form->addRow(tr("Labels:"), labels_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText(tr("Create"));
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Project Folder"));
    if (!chosen.isEmpty()) folder_->setText(chosen);
  });
  for (QLineEdit* edit : {name_, folder_, labels_})
    connect(edit, &QLineEdit::textChanged, this, &NewProjectDialog::validate);
  validate();
  resize(520, sizeHint().height());
}

QString NewProjectDialog::name() const { return name_->text().trimmed(); }

QString NewProjectDialog::folder() const { return folder_->text().trimmed(); }

annotations::LabelSet NewProjectDialog::labels() const {
  annotations::LabelSet set;
  for (const QString& label : labels_->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
    if (!label.trimmed().isEmpty()) set.add(label.trimmed());
  return set;
}

void NewProjectDialog::setValues(const QString& name, const QString& folder,
                                 const QString& labels) {
  name_->setText(name);
  folder_->setText(folder);
  labels_->setText(labels);
}

void NewProjectDialog::validate() {
  ok_->setEnabled(!name().isEmpty() && !folder().isEmpty() && !labels().isEmpty());
}

}  // namespace medsa::ui
