#pragma once

#include <QWidget>

#include <array>

#include "medsa/core/slice.h"

class QGridLayout;

namespace medsa::ui {

class Document;
class SliceView;
class ToolController;

/// The central area where image views live: a single view for photographs, and for volumes
/// three linked orthogonal views (axial, coronal, sagittal) or one of them alone. With no
/// image open it invites the user to open one.
class ViewerArea : public QWidget {
  Q_OBJECT

 public:
  /// Without a document (a bare placeholder, as before an image can be opened).
  explicit ViewerArea(QWidget* parent = nullptr);
  ViewerArea(Document* document, ToolController* tools, QWidget* parent = nullptr);

  /// The text shown while nothing is open.
  QString placeholderText() const;
  /// The line under it: how to open something.
  QString placeholderHint() const;
  /// Replaces that line (an open project says how to open a case); empty restores it.
  void setPlaceholderHint(const QString& hint);

  bool isSingleLayout() const { return single_; }
  void setSingleLayout(bool single);
  /// The plane the user last worked in: the one slice tools act on.
  SliceAxis activeAxis() const { return active_; }
  void setActiveAxis(SliceAxis axis);
  SliceView* view(SliceAxis axis) const { return views_[static_cast<std::size_t>(axis)]; }
  void resetViews();

 signals:
  void hovered(bool valid, std::size_t x, std::size_t y, std::size_t z);
  void activeAxisChanged(medsa::SliceAxis axis);

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  void arrange();
  Document* document_ = nullptr;
  std::array<SliceView*, 3> views_{nullptr, nullptr, nullptr};
  QGridLayout* grid_ = nullptr;
  bool single_ = false;
  QString placeholderHint_;  ///< set by the window; empty: the default line
  SliceAxis active_ = SliceAxis::Axial;
};

}  // namespace medsa::ui
