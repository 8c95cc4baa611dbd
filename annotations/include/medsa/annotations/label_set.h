#pragma once

#include <QColor>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "medsa/core/error.h"

namespace medsa::annotations {

/// A coded concept as DICOM writes it (Code Sequence Macro), e.g. {"SCT", "10200004", "Liver"}:
/// what DICOM SEG and other coded exports say a label is. Empty when the user gave none.
struct LabelCode {
  QString scheme;   ///< Coding Scheme Designator: "SCT" (SNOMED CT), "DCM", ...
  QString value;    ///< Code Value in that scheme
  QString meaning;  ///< Code Meaning, in words
  bool isEmpty() const { return scheme.isEmpty() && value.isEmpty() && meaning.isEmpty(); }
  friend bool operator==(const LabelCode&, const LabelCode&) = default;
};

/// One structure the user segments: the voxel value it is stored as, and how it is shown.
struct Label {
  quint16 value = 0;  ///< voxel value in the label map; 0 is background and never a Label
  QString name;
  QColor colour;
  bool visible = true;
  bool locked = false;  ///< locked labels are never overwritten by AI, brush or fill
  /// What the structure is (DICOM SEG's Segmented Property Type), optional.
  LabelCode code{};
  /// The kind of structure (Segmented Property Category: "Anatomical Structure", ...), optional.
  LabelCode category{};
  friend bool operator==(const Label&, const Label&) = default;
};

/// The labels of one annotation, saved beside the label map. Values are unique and non-zero.
class LabelSet {
 public:
  /// Adds a label with the smallest unused value and the next colour of a palette chosen so that
  /// neighbouring labels stay distinguishable. Returns its value, or 0 when all 65535 are used.
  quint16 add(const QString& name);
  /// Inserts or replaces the label with label.value; false for value 0.
  bool insert(const Label& label);
  bool remove(quint16 value);

  const Label* find(quint16 value) const;
  Label* find(quint16 value);
  bool isLocked(quint16 value) const;
  const QList<Label>& labels() const { return labels_; }
  int size() const { return static_cast<int>(labels_.size()); }
  bool isEmpty() const { return labels_.isEmpty(); }

  QJsonObject toJson() const;
  /// Validates everything it reads: a malformed document yields an Error, never a partial set.
  static Result<LabelSet> fromJson(const QJsonObject& json);

  friend bool operator==(const LabelSet&, const LabelSet&) = default;

 private:
  QList<Label> labels_;  ///< sorted by value
};

/// The colour the n-th label (1-based) gets by default.
QColor defaultLabelColour(quint16 value);

}  // namespace medsa::annotations
