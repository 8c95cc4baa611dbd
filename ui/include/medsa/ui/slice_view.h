#pragma once

#include <QImage>
#include <QPointF>
#include <QWidget>

#include <optional>

class QPainter;
class QTimer;

#include "medsa/core/prompt.h"
#include "medsa/core/slice.h"

namespace medsa::ui {

class Document;
class ToolController;

/// One plane of the open image: the slice through the linked cursor, the label overlay, the AI
/// candidate and prompts, the brush and the crosshair. Wheel scrolls slices (Ctrl: zoom, Shift:
/// brush size), middle drag pans, right drag in the navigation tool (Ctrl+right drag in any
/// tool) sets window/level; the left button belongs to the active tool.
class SliceView : public QWidget {
  Q_OBJECT

 public:
  /// Prompt points are small markers: the structure under them stays visible.
  static constexpr double kPointRadius = 5;
  SliceView(Document* document, ToolController* tools, SliceAxis axis, QWidget* parent = nullptr);

  SliceAxis axis() const { return axis_; }
  double zoom() const { return zoom_; }
  void resetView();
  /// Widget position of a continuous display-pixel position, and back.
  QPointF toWidget(QPointF pixel) const;
  QPointF toPixel(QPointF widget) const;

 signals:
  /// The mouse is over voxel (x, y, z) (or left the image: valid = false).
  void hovered(bool valid, std::size_t x, std::size_t y, std::size_t z);
  void activated(medsa::SliceAxis axis);
  void maximizeRequested(medsa::SliceAxis axis);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void leaveEvent(QEvent* event) override;
  void focusInEvent(QFocusEvent* event) override;

 private:
  enum class Drag { None, Pan, Window, Box, Stroke, Cursor, PendingClick, Lasso };
  void paintStroke(QPainter& painter, const QRectF& target) const;
  void paintPrompts(QPainter& painter, const QRectF& target) const;
  void paintPolygon(QPainter& painter) const;
  void paintCrosshair(QPainter& painter) const;
  void paintRubberBand(QPainter& painter) const;
  void paintBrushOutline(QPainter& painter) const;
  void paintTitles(QPainter& painter) const;
  void paintFocusFrame(QPainter& painter) const;
  void rebuildImage();
  void rebuildOverlay();
  QImage candidateImage() const;
  void moveCursorTo(QPointF widget);
  void reportHover(QPointF widget);
  bool showsPromptPlane() const;
  bool showsStroke() const;
  bool showsPolygon() const;
  bool showsBrushOutline() const;
  bool showsToolLayers() const;
  /// The box a drag from the press to `widget` sets (clamped to the slice); none when it is
  /// under a pixel wide or high.
  std::optional<PromptBox> boxTo(QPointF widget) const;
  /// Asks the tools to start on the box a release at `widget` would set.
  void anticipateBox(QPointF widget);
  /// Whether a display pixel position lies on the slice.
  bool insideSlice(QPointF pixel) const;
  double scaleX() const;
  double scaleY() const;
  QPointF origin() const;

  Document* document_;
  ToolController* tools_;
  SliceAxis axis_;
  QImage image_;
  QImage overlay_;
  bool imageDirty_ = true;
  bool overlayDirty_ = true;
  bool paintedToolLayers_ = false;  ///< whether the last paint drew a layer of the tools
  double zoom_ = 1;
  QPointF pan_{0, 0};
  Drag drag_ = Drag::None;
  Qt::MouseButton dragButton_ = Qt::NoButton;
  QPointF pressWidget_, lastWidget_;
  QTimer* boxRest_;  ///< a box drag resting: anticipate the box (see the constructor)
  static constexpr int kBoxRestMs = 20;  ///< over a display frame: moves come every 16 ms
  QPointF lassoVertex_;  // where the last freehand vertex was added, in widget pixels
  bool lassoDragged_ = false;
  std::optional<QPointF> hover_;
};

}  // namespace medsa::ui
