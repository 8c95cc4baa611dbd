#pragma once

#include <QWidget>

class QTableWidget;
class QSlider;
class QPushButton;

namespace medsa::ui {

class Document;

/// The label set: name and colour (editable), show/hide, lock, the active label (the selected
/// row) and the overlay opacity. Edits go straight into the document's label set.
class LabelPanel : public QWidget {
  Q_OBJECT

 public:
  explicit LabelPanel(Document* document, QWidget* parent = nullptr);
  QTableWidget* table() const { return table_; }

  void addLabel();
  void removeActiveLabel();

 private:
  enum Column { ColourColumn, NameColumn, VisibleColumn, LockedColumn };
  void rebuild();
  void onItemChanged(int row, int column);
  void chooseColour(int row);
  quint16 valueAt(int row) const;

  Document* document_;
  QTableWidget* table_;
  QSlider* opacity_;
  QPushButton* remove_;
  bool rebuilding_ = false;
};

}  // namespace medsa::ui
