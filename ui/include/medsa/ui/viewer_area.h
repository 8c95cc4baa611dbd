#pragma once

#include <QWidget>

namespace medsa::ui {

/// The central area where image views live. With no image open it invites the user to open one.
class ViewerArea : public QWidget {
  Q_OBJECT

 public:
  explicit ViewerArea(QWidget* parent = nullptr);

  /// The text shown while nothing is open.
  QString placeholderText() const;

 protected:
  void paintEvent(QPaintEvent* event) override;
};

}  // namespace medsa::ui
