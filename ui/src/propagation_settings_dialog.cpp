#include "medsa/ui/propagation_settings_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace medsa::ui {
namespace {
constexpr int kMaxSlices = 4096;
}  // namespace

PropagationSettingsDialog::PropagationSettingsDialog(const annotations::PropagationRequest& rules,
                                                     QWidget* parent)
    : QDialog(parent), rules_(rules) {
  setObjectName(QStringLiteral("propagationSettingsDialog"));
  setWindowTitle(tr("Propagation Settings"));
  auto fraction = [this](double value, const QString& name) {
    auto* box = new QDoubleSpinBox(this);
    box->setObjectName(name);
    box->setRange(0.0, 1.0);
    box->setSingleStep(0.05);
    box->setDecimals(2);
    box->setValue(std::clamp(value, 0.0, 1.0));
    return box;
  };
  minIou_ = fraction(rules.minIou, QStringLiteral("minIou"));
  minIou_->setToolTip(
      tr("Stop when the model's own quality estimate for a slice falls below this."));
  minOverlap_ = fraction(rules.minOverlap, QStringLiteral("minOverlap"));
  minOverlap_->setToolTip(
      tr("Stop when a slice's mask overlaps the previous one less than this (share of the smaller "
         "mask): the object moved away or another one was found."));
  minPixels_ = new QSpinBox(this);
  minPixels_->setObjectName(QStringLiteral("minPixels"));
  minPixels_->setRange(1, 1000000);
  minPixels_->setValue(static_cast<int>(std::clamp<std::size_t>(rules.minPixels, 1, 1000000)));
  minPixels_->setToolTip(tr("Stop when the object gets smaller than this: it has ended."));
  maxSlices_ = new QSpinBox(this);
  maxSlices_->setObjectName(QStringLiteral("maxSlices"));
  // No volume has thousands of slices each way: 0 reads "no limit" instead of a huge number.
  maxSlices_->setRange(0, kMaxSlices);
  maxSlices_->setSpecialValueText(tr("no limit"));
  maxSlices_->setValue(rules.maxSlices > kMaxSlices ? 0 : static_cast<int>(rules.maxSlices));
  maxSlices_->setToolTip(tr("At most this many slices above and below the start slice."));

  auto* form = new QFormLayout;
  form->addRow(tr("Minimum predicted IoU:"), minIou_);
  form->addRow(tr("Minimum overlap with the previous slice:"), minOverlap_);
  form->addRow(tr("Minimum object size (pixels):"), minPixels_);
  form->addRow(tr("Slices per direction at most:"), maxSlices_);
  auto* buttons = new QDialogButtonBox(
      QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] {
    const annotations::PropagationRequest defaults;
    minIou_->setValue(defaults.minIou);
    minOverlap_->setValue(defaults.minOverlap);
    minPixels_->setValue(static_cast<int>(defaults.minPixels));
    maxSlices_->setValue(defaults.maxSlices > kMaxSlices ? 0
                                                         : static_cast<int>(defaults.maxSlices));
  });
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);
}

annotations::PropagationRequest PropagationSettingsDialog::rules() const {
  annotations::PropagationRequest edited = rules_;
  edited.minIou = minIou_->value();
  edited.minOverlap = minOverlap_->value();
  edited.minPixels = static_cast<std::size_t>(minPixels_->value());
  edited.maxSlices = maxSlices_->value() == 0 ? annotations::PropagationRequest{}.maxSlices
                                              : static_cast<std::size_t>(maxSlices_->value());
  return edited;
}

}  // namespace medsa::ui
