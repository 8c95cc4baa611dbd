#pragma once

#include <QDialog>

#include "medsa/annotations/propagation.h"

class QDoubleSpinBox;
class QSpinBox;

namespace medsa::ui {

/// Tools → Propagation Settings: when 3D propagation stops. A fine-tuned model predicts its IoU
/// differently from the base model, and thin or fast-moving structures need looser overlap, so
/// users tune these per project.
class PropagationSettingsDialog : public QDialog {
  Q_OBJECT

 public:
  PropagationSettingsDialog(const annotations::PropagationRequest& rules, QWidget* parent);
  /// `rules` with the stop fields as edited (the other fields untouched).
  annotations::PropagationRequest rules() const;

 private:
  annotations::PropagationRequest rules_;
  QDoubleSpinBox* minIou_;
  QDoubleSpinBox* minOverlap_;
  QSpinBox* minPixels_;
  QSpinBox* maxSlices_;
};

}  // namespace medsa::ui
