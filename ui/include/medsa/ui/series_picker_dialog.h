#pragma once

#include <QDialog>
#include <QString>

#include <vector>

class QDialogButtonBox;
class QTableWidget;

namespace medsa::ui {

struct SeriesEntry;

/// Lists the image series found in a DICOM folder (number, description, modality, size, UID) so
/// that the user picks the one to open. `preferredUid` (the series chosen last time in this
/// folder) starts selected when listed, else the largest; a double click or OK opens the
/// selected one.
class SeriesPickerDialog : public QDialog {
  Q_OBJECT

 public:
  SeriesPickerDialog(const QString& folder, const std::vector<SeriesEntry>& series,
                     const QString& preferredUid = {}, QWidget* parent = nullptr);

  QTableWidget* table() const { return table_; }
  /// The SeriesInstanceUID of the selected row ("" when none is selected).
  QString selectedUid() const;
  /// A plane as the table shows it, translated ("axial" -> "轴位").
  static QString planeName(const QString& plane);

  /// The row a user most likely wants: the most images, then the most pixels per image.
  static int largestIndex(const std::vector<SeriesEntry>& series);

 private:
  QTableWidget* table_;
  QDialogButtonBox* buttons_;
};

}  // namespace medsa::ui
