#include "medsa/ui/slice_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTimer>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "medsa/ui/document.h"
#include "medsa/ui/tool_controller.h"

namespace medsa::ui {
namespace {

// Letters at the left, right, top and bottom edges (radiological convention of slice.h).
std::array<const char*, 4> orientationLetters(SliceAxis axis) {
  switch (axis) {
    case SliceAxis::Axial:
      return {"R", "L", "A", "P"};
    case SliceAxis::Coronal:
      return {"R", "L", "S", "I"};
    case SliceAxis::Sagittal:
      break;
  }
  return {"A", "P", "S", "I"};
}

QColor planeColour(SliceAxis axis) {
  switch (axis) {
    case SliceAxis::Axial:
      return QColor(0xe0, 0x40, 0x40);
    case SliceAxis::Coronal:
      return QColor(0x40, 0xc0, 0x40);
    case SliceAxis::Sagittal:
      break;
  }
  return QColor(0x40, 0x80, 0xff);
}

// Text over the image on a dark, translucent backing: where the image fills the view (zoomed
// in, or a slice as tall as its view) the plane colours on grey tissue were hard to read.
void drawOverlayText(QPainter& painter, const QRect& area, int flags, const QString& text,
                     QRect* bounds = nullptr) {
  const QRect box = painter.boundingRect(area, flags, text);
  painter.fillRect(box.adjusted(-2, 0, 2, 0), QColor(0, 0, 0, 160));
  painter.drawText(area, flags, text, bounds);
}

// A click's point is negative with the right button or with Shift held.
bool pointIsPositive(Qt::MouseButton button, Qt::KeyboardModifiers modifiers) {
  return button == Qt::LeftButton && !(modifiers & Qt::ShiftModifier);
}

}  // namespace

SliceView::SliceView(Document* document, ToolController* tools, SliceAxis axis, QWidget* parent)
    : QWidget(parent), document_(document), tools_(tools), axis_(axis) {
  setObjectName(QStringLiteral("sliceView_%1").arg(QString::fromLatin1(sliceAxisName(axis))));
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(160, 160);
  setAttribute(Qt::WA_OpaquePaintEvent);
  // A box drag that rests a moment is likely to end there: the engine starts on that box.
  // Not at every move: a run for a box passed over would hold up the box at the release.
  boxRest_ = new QTimer(this);
  boxRest_->setSingleShot(true);
  boxRest_->setInterval(kBoxRestMs);
  connect(boxRest_, &QTimer::timeout, this, [this] {
    if (drag_ == Drag::Box) anticipateBox(lastWidget_);
  });
  connect(document_, &Document::imageChanged, this, [this] {
    resetView();
    imageDirty_ = overlayDirty_ = true;
    update();
  });
  connect(document_, &Document::windowChanged, this, [this] {
    imageDirty_ = true;
    update();
  });
  // Only a change of this plane's slice needs new pixels; the crosshair moves regardless.
  connect(document_, &Document::cursorChanged, this, [this] {
    if (image_.text(QStringLiteral("slice")).toULongLong() != document_->sliceIndex(axis_)) {
      imageDirty_ = overlayDirty_ = true;
      if (hover_) reportHover(*hover_);  // the mouse stayed, the voxel under it changed
    }
    update();
  });
  connect(document_, &Document::labelMapChanged, this, [this] {
    overlayDirty_ = true;
    if (hover_) reportHover(*hover_);  // its label may have changed (Clear Slice, undo)
    update();
  });
  connect(document_, &Document::labelSetChanged, this, [this] {
    overlayDirty_ = true;
    update();
  });
  // A click or a candidate on one plane leaves the other views' pixels as they are: only views
  // that show a layer of the tools, or showed one at their last paint, repaint (each paint of
  // the three views took 0.6-2.2 ms of the UI thread per click, beside the engine's work).
  connect(tools_, &ToolController::overlayChanged, this, [this] {
    if (paintedToolLayers_ || showsToolLayers()) update();
  });
}

void SliceView::resetView() {
  zoom_ = 1;
  pan_ = {0, 0};
  update();
}

double SliceView::scaleX() const {
  if (!document_->hasImage()) return 1;
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  const auto& spacing = document_->image()->geometry.spacing;
  // Fit the physical extent (spacing-aware, so thick slices are not squashed) into the widget.
  const double w = l.width * spacing[l.xAxis], h = l.height * spacing[l.yAxis];
  const double fit = std::min(width() / std::max(w, 1e-9), height() / std::max(h, 1e-9));
  return fit * zoom_ * spacing[l.xAxis];
}

double SliceView::scaleY() const {
  if (!document_->hasImage()) return 1;
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  const auto& spacing = document_->image()->geometry.spacing;
  return scaleX() / spacing[l.xAxis] * spacing[l.yAxis];
}

QPointF SliceView::origin() const {
  if (!document_->hasImage()) return {0, 0};
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  return QPointF((width() - l.width * scaleX()) / 2, (height() - l.height * scaleY()) / 2) + pan_;
}

QPointF SliceView::toWidget(QPointF pixel) const {
  return origin() + QPointF(pixel.x() * scaleX(), pixel.y() * scaleY());
}

QPointF SliceView::toPixel(QPointF widget) const {
  const QPointF d = widget - origin();
  return {d.x() / scaleX(), d.y() / scaleY()};
}

std::optional<PromptBox> SliceView::boxTo(QPointF widget) const {
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  const QRectF r = QRectF(toPixel(pressWidget_), toPixel(widget)).normalized();
  const double x0 = std::clamp(r.left(), 0.0, double(l.width));
  const double y0 = std::clamp(r.top(), 0.0, double(l.height));
  const double x1 = std::clamp(r.right(), 0.0, double(l.width));
  const double y1 = std::clamp(r.bottom(), 0.0, double(l.height));
  if (x1 - x0 < 1 || y1 - y0 < 1) return std::nullopt;
  return PromptBox{x0, y0, x1, y1};
}

void SliceView::anticipateBox(QPointF widget) {
  if (const std::optional<PromptBox> box = boxTo(widget)) {
    tools_->anticipateBox(axis_, document_->sliceIndex(axis_), *box);
  } else {
    tools_->forgetAnticipation();
  }
}

bool SliceView::insideSlice(QPointF pixel) const {
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  return pixel.x() >= 0 && pixel.y() >= 0 && pixel.x() < l.width && pixel.y() < l.height;
}

void SliceView::rebuildImage() {
  imageDirty_ = false;
  const std::size_t index = document_->sliceIndex(axis_);
  const RgbImage rgb = document_->rgbSlice(axis_, index);
  if (!rgb.isValid()) {
    image_ = QImage();
    return;
  }
  image_ =
      QImage(rgb.pixels.data(), rgb.width, rgb.height, rgb.width * 3, QImage::Format_RGB888).copy();
  image_.setText(QStringLiteral("slice"), QString::number(index));
}

void SliceView::rebuildOverlay() {
  overlayDirty_ = false;
  overlay_ = QImage();
  if (!document_->hasImage()) return;
  Result<annotations::LabelSlice> slice =
      document_->labels().slice(axis_, document_->sliceIndex(axis_));
  if (!slice) return;
  const annotations::LabelSet& set = document_->labelSet();
  const int alpha = static_cast<int>(std::lround(document_->opacity() * 255));
  // One colour per value seen, looked up once.
  QHash<quint16, QRgb> colours;
  overlay_ = QImage(slice->width, slice->height, QImage::Format_ARGB32_Premultiplied);
  overlay_.fill(Qt::transparent);
  for (int y = 0; y < slice->height; ++y) {
    auto* row = reinterpret_cast<QRgb*>(overlay_.scanLine(y));
    for (int x = 0; x < slice->width; ++x) {
      const quint16 value = slice->at(x, y);
      if (!value) continue;
      auto it = colours.find(value);
      if (it == colours.end()) {
        const annotations::Label* label = set.find(value);
        // A value without a label (a label removed, a file with more values) keeps a colour
        // of its own at the usual opacity, never an opaque white that hides the image.
        QColor c = label ? label->colour : annotations::defaultLabelColour(value);
        const bool visible = !label || label->visible;
        c.setAlpha(visible ? alpha : 0);
        it = colours.insert(value, qPremultiply(c.rgba()));
      }
      row[x] = it.value();
    }
  }
}

QImage SliceView::candidateImage() const {
  const annotations::Mask& mask = tools_->candidate();
  if (mask.empty() || !document_->hasImage()) return {};
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  const int w = static_cast<int>(l.width), h = static_cast<int>(l.height);
  if (mask.size() != l.width * l.height) return {};
  QImage image(w, h, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::transparent);
  const QRgb fill = qPremultiply(qRgba(255, 220, 0, 90));
  const QRgb edge = qRgba(255, 230, 0, 255);
  auto inside = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < w && y < h && mask[static_cast<std::size_t>(y) * w + x];
  };
  for (int y = 0; y < h; ++y) {
    auto* row = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < w; ++x) {
      if (!inside(x, y)) continue;
      const bool border =
          !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1);
      row[x] = border ? edge : fill;
    }
  }
  return image;
}

bool SliceView::showsPromptPlane() const {
  return tools_->promptAxis() == axis_ && tools_->promptSlice() == document_->sliceIndex(axis_);
}

bool SliceView::showsStroke() const {
  return tools_->isStroking() && tools_->strokeAxis() == axis_ &&
         tools_->strokeSlice() == document_->sliceIndex(axis_);
}

bool SliceView::showsPolygon() const {
  return tools_->hasPolygon() && tools_->polygonAxis() == axis_ &&
         tools_->polygonSlice() == document_->sliceIndex(axis_);
}

bool SliceView::showsBrushOutline() const {
  return hover_ && (tools_->tool() == Tool::Brush || tools_->tool() == Tool::Eraser);
}

// Whether paintStroke, paintPrompts, paintPolygon or paintBrushOutline draws anything here.
bool SliceView::showsToolLayers() const {
  return showsPromptPlane() || showsStroke() || showsPolygon() || showsBrushOutline();
}

// Every layer paints inside its own save()/restore(): a pen or brush set for one layer (a filled
// point marker) must never leak into the next (the focus frame would fill the whole view).
void SliceView::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), Qt::black);
  paintedToolLayers_ = false;
  if (!document_->hasImage()) return;
  if (imageDirty_) rebuildImage();
  if (overlayDirty_) rebuildOverlay();
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  const QRectF target(toWidget({0, 0}), toWidget(QPointF(l.width, l.height)));
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);  // see the real pixels
  painter.drawImage(target, image_);
  painter.drawImage(target, overlay_);
  paintedToolLayers_ = showsToolLayers();
  paintStroke(painter, target);
  paintPrompts(painter, target);
  paintPolygon(painter);
  paintCrosshair(painter);
  paintRubberBand(painter);
  paintBrushOutline(painter);
  paintTitles(painter);
  paintFocusFrame(painter);
}

void SliceView::paintStroke(QPainter& painter, const QRectF& target) const {
  if (!showsStroke()) return;
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  QImage stroke(static_cast<int>(l.width), static_cast<int>(l.height),
                QImage::Format_ARGB32_Premultiplied);
  stroke.fill(Qt::transparent);
  const QRgb colour = tools_->strokeErases() ? qPremultiply(qRgba(0, 0, 0, 140))
                                             : qPremultiply(qRgba(255, 255, 255, 110));
  const annotations::Mask& mask = tools_->strokeMask();
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (mask[i])
      stroke.setPixel(static_cast<int>(i % l.width), static_cast<int>(i / l.width), colour);
  }
  painter.drawImage(target, stroke);
}

void SliceView::paintPrompts(QPainter& painter, const QRectF& target) const {
  if (!showsPromptPlane()) return;
  painter.save();
  painter.drawImage(target, candidateImage());
  painter.setRenderHint(QPainter::Antialiasing);
  if (const auto& box = tools_->box()) {
    painter.setPen(QPen(QColor(0x40, 0xd0, 0xff), 1.5, Qt::DashLine));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(QRectF(toWidget({box->x0, box->y0}), toWidget({box->x1, box->y1})));
  }
  for (const PromptPoint& p : tools_->points()) {
    painter.setPen(QPen(Qt::white, 1.5));
    painter.setBrush(p.positive ? QColor(0x20, 0xc0, 0x40) : QColor(0xe0, 0x30, 0x30));
    painter.drawEllipse(toWidget({p.x, p.y}), kPointRadius, kPointRadius);
  }
  painter.restore();
}

void SliceView::paintPolygon(QPainter& painter) const {
  if (!showsPolygon()) return;
  QPolygonF outline;
  for (std::size_t i = 0; i < tools_->polygonX().size(); ++i)
    outline << toWidget({tools_->polygonX()[i], tools_->polygonY()[i]});
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(QColor(0xff, 0xd0, 0x40), 1.5));
  painter.setBrush(QColor(0xff, 0xd0, 0x40, 50));
  painter.drawPolygon(outline);
  painter.setBrush(QColor(0xff, 0xd0, 0x40));
  for (const QPointF& v : outline) painter.drawEllipse(v, 2.5, 2.5);
  painter.restore();
}

void SliceView::paintCrosshair(QPainter& painter) const {
  if (!document_->isVolume()) return;  // only meaningful with other planes to link to
  const auto c = document_->cursorInPlane(axis_);
  const QPointF p = toWidget(QPointF(c[0] + 0.5, c[1] + 0.5));
  painter.save();
  painter.setPen(QPen(QColor(0x60, 0xa0, 0xff, 150), 1));
  painter.drawLine(QPointF(0, p.y()), QPointF(width(), p.y()));
  painter.drawLine(QPointF(p.x(), 0), QPointF(p.x(), height()));
  painter.restore();
}

void SliceView::paintRubberBand(QPainter& painter) const {
  if (drag_ != Drag::Box) return;  // the live box while it is dragged
  painter.save();
  painter.setPen(QPen(QColor(0x40, 0xd0, 0xff), 1, Qt::DashLine));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(QRectF(pressWidget_, lastWidget_).normalized());
  painter.restore();
}

void SliceView::paintBrushOutline(QPainter& painter) const {
  if (!showsBrushOutline()) return;
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(tools_->tool() == Tool::Brush ? Qt::white : QColor(0xff, 0x80, 0x80), 1));
  painter.setBrush(Qt::NoBrush);
  painter.drawEllipse(*hover_, tools_->brushRadius() * scaleX(), tools_->brushRadius() * scaleY());
  painter.restore();
}

void SliceView::paintTitles(QPainter& painter) const {
  if (!document_->isVolume()) return;
  painter.save();
  // Plane name and slice number at the top left; the orientation letters at the edges, the top
  // one moved below the title when a narrow view would make them meet.
  const QString title = tr("%1  %2 / %3")
                            .arg(axis_ == SliceAxis::Axial     ? tr("Axial")
                                 : axis_ == SliceAxis::Coronal ? tr("Coronal")
                                                               : tr("Sagittal"))
                            .arg(document_->sliceIndex(axis_) + 1)
                            .arg(document_->sliceCount(axis_));
  const QRect area = rect().adjusted(6, 4, -6, -4);
  painter.setPen(planeColour(axis_));
  QRect titleRect;
  drawOverlayText(painter, area, Qt::AlignTop | Qt::AlignLeft, title, &titleRect);
  const auto letters = orientationLetters(axis_);
  painter.setPen(QColor(0xd0, 0xd0, 0x60));
  const QFontMetrics metrics = painter.fontMetrics();
  const QRect r = rect().adjusted(4, 4, -4, -4);
  const int topLetterLeft = width() / 2 - metrics.horizontalAdvance(QLatin1Char('W'));
  const QRect top =
      titleRect.right() + 4 >= topLetterLeft ? r.adjusted(0, titleRect.height(), 0, 0) : r;
  drawOverlayText(painter, r, Qt::AlignLeft | Qt::AlignVCenter, QString::fromLatin1(letters[0]));
  drawOverlayText(painter, r, Qt::AlignRight | Qt::AlignVCenter, QString::fromLatin1(letters[1]));
  drawOverlayText(painter, top, Qt::AlignTop | Qt::AlignHCenter, QString::fromLatin1(letters[2]));
  drawOverlayText(painter, r, Qt::AlignBottom | Qt::AlignHCenter, QString::fromLatin1(letters[3]));
  painter.restore();
}

void SliceView::paintFocusFrame(QPainter& painter) const {
  if (!hasFocus()) return;
  painter.save();
  painter.setPen(QPen(planeColour(axis_), 2));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(rect().adjusted(1, 1, -1, -1));
  painter.restore();
}

void SliceView::moveCursorTo(QPointF widget) {
  if (!document_->hasImage()) return;
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  const QPointF p = toPixel(widget);
  const auto x = static_cast<std::size_t>(std::clamp(std::floor(p.x()), 0.0, l.width - 1.0));
  const auto y = static_cast<std::size_t>(std::clamp(std::floor(p.y()), 0.0, l.height - 1.0));
  document_->setCursor(document_->voxelAt(axis_, x, y));
}

void SliceView::reportHover(QPointF widget) {
  if (!document_->hasImage()) return;
  const SliceLayout l = sliceLayout(*document_->image(), axis_);
  const QPointF p = toPixel(widget);
  if (p.x() < 0 || p.y() < 0 || p.x() >= l.width || p.y() >= l.height) {
    emit hovered(false, 0, 0, 0);
    return;
  }
  const auto v =
      document_->voxelAt(axis_, static_cast<std::size_t>(p.x()), static_cast<std::size_t>(p.y()));
  emit hovered(true, v[0], v[1], v[2]);
}

void SliceView::mousePressEvent(QMouseEvent* event) {
  setFocus(Qt::MouseFocusReason);
  emit activated(axis_);
  if (!document_->hasImage()) return;
  pressWidget_ = lastWidget_ = event->position();
  dragButton_ = event->button();
  const bool ctrl = event->modifiers() & Qt::ControlModifier;
  const Tool tool = tools_->tool();
  const QPointF p = toPixel(event->position());
  if (event->button() == Qt::MiddleButton) {
    drag_ = Drag::Pan;
  } else if (event->button() == Qt::RightButton && (ctrl || tool == Tool::Navigate)) {
    drag_ = Drag::Window;
  } else if (tool == Tool::Navigate && event->button() == Qt::LeftButton) {
    drag_ = Drag::Cursor;
    moveCursorTo(event->position());
  } else if (tool == Tool::Ai) {
    drag_ = Drag::PendingClick;  // a click becomes a point, a drag a box
    // The point a release here would add: the engine starts on it while the button is down.
    if (insideSlice(p)) {
      tools_->anticipatePoint(axis_, document_->sliceIndex(axis_), p.x(), p.y(),
                              pointIsPositive(event->button(), event->modifiers()));
    }
  } else if (tool == Tool::Brush || tool == Tool::Eraser) {
    drag_ = Drag::Stroke;
    const bool erase = tool == Tool::Eraser || event->button() == Qt::RightButton;
    tools_->beginStroke(axis_, document_->sliceIndex(axis_), p.x(), p.y(), erase);
  } else if (tool == Tool::Polygon && event->button() == Qt::LeftButton) {
    // A click adds a vertex; holding the button and dragging draws a freehand lasso.
    drag_ = Drag::Lasso;
    lassoVertex_ = event->position();
    lassoDragged_ = false;
    tools_->addPolygonVertex(axis_, document_->sliceIndex(axis_), p.x(), p.y());
  }
  event->accept();
}

void SliceView::mouseMoveEvent(QMouseEvent* event) {
  const QPointF pos = event->position();
  const QPointF delta = pos - lastWidget_;
  hover_ = pos;
  reportHover(pos);
  switch (drag_) {
    case Drag::Pan:
      pan_ += delta;
      break;
    case Drag::Window: {
      // Horizontal drag widens the window, vertical moves the level; the step follows the
      // current width so fine and coarse adjustments both work.
      WindowLevel w = document_->window();
      const double step = std::max(w.width, 1.0) / 256.0;
      w.width = std::max(1.0, w.width + delta.x() * step * 2);
      w.center -= delta.y() * step * 2;
      document_->setWindow(w);
      break;
    }
    case Drag::Cursor:
      moveCursorTo(pos);
      break;
    case Drag::PendingClick:
      if ((pos - pressWidget_).manhattanLength() > 5 && dragButton_ == Qt::LeftButton) {
        drag_ = Drag::Box;
        tools_->forgetAnticipation();  // the press's point
        boxRest_->start();
      }
      break;
    case Drag::Stroke: {
      const QPointF p = toPixel(pos);
      tools_->continueStroke(p.x(), p.y());
      break;
    }
    case Drag::Lasso:
      if ((pos - pressWidget_).manhattanLength() > 5) lassoDragged_ = true;
      if (lassoDragged_ && (pos - lassoVertex_).manhattanLength() >= 3) {
        const QPointF p = toPixel(pos);
        tools_->addPolygonVertex(axis_, document_->sliceIndex(axis_), p.x(), p.y());
        lassoVertex_ = pos;
      }
      break;
    case Drag::Box:
      boxRest_->start();
      break;
    case Drag::None:
      break;
  }
  lastWidget_ = pos;
  update();
}

void SliceView::mouseReleaseEvent(QMouseEvent* event) {
  const Drag drag = drag_;
  drag_ = Drag::None;
  boxRest_->stop();
  if (!document_->hasImage()) return;
  const std::size_t slice = document_->sliceIndex(axis_);
  if (drag == Drag::PendingClick) {
    const QPointF p = toPixel(pressWidget_);
    if (insideSlice(p)) {
      tools_->addPoint(axis_, slice, p.x(), p.y(),
                       pointIsPositive(dragButton_, event->modifiers()));
    }
  } else if (drag == Drag::Box) {
    if (const std::optional<PromptBox> box = boxTo(event->position())) {
      tools_->setBox(axis_, slice, *box);
    } else {
      tools_->forgetAnticipation();
    }
  } else if (drag == Drag::Stroke) {
    tools_->endStroke();
  } else if (drag == Drag::Lasso && lassoDragged_) {
    const QPointF p = toPixel(event->position());
    tools_->addPolygonVertex(axis_, slice, p.x(), p.y());
    tools_->closePolygon();  // a freehand lasso is finished when the button is released
  }
  update();
}

void SliceView::mouseDoubleClickEvent(QMouseEvent* event) {
  if (event->button() == Qt::MiddleButton || tools_->tool() == Tool::Navigate) {
    emit maximizeRequested(axis_);
    return;
  }
  if (tools_->tool() == Tool::Polygon && event->button() == Qt::LeftButton) {
    // The first click of the double click already placed the last vertex.
    tools_->closePolygon();
    event->accept();
    update();
    return;
  }
  mousePressEvent(event);
}

void SliceView::wheelEvent(QWheelEvent* event) {
  if (!document_->hasImage()) return;
  const int steps = event->angleDelta().y() / 120;
  if (steps == 0) return;
  if (event->modifiers() & Qt::ControlModifier) {
    // Zoom about the mouse position, so what is under it stays there.
    const QPointF before = toPixel(event->position());
    zoom_ = std::clamp(zoom_ * std::pow(1.25, steps), 0.1, 64.0);
    pan_ += event->position() - toWidget(before);
  } else if (event->modifiers() & Qt::ShiftModifier &&
             (tools_->tool() == Tool::Brush || tools_->tool() == Tool::Eraser)) {
    tools_->setBrushRadius(tools_->brushRadius() + steps);
  } else {
    const long long count = static_cast<long long>(document_->sliceCount(axis_));
    const long long next =
        std::clamp(static_cast<long long>(document_->sliceIndex(axis_)) + steps, 0LL, count - 1);
    document_->setSliceIndex(axis_, static_cast<std::size_t>(next));
  }
  update();
  event->accept();
}

void SliceView::leaveEvent(QEvent* /*event*/) {
  hover_.reset();
  emit hovered(false, 0, 0, 0);
  update();
}

void SliceView::focusInEvent(QFocusEvent* event) {
  // Focus alone does not make a view active: hiding views in the single layout moves focus.
  QWidget::focusInEvent(event);
  update();
}

}  // namespace medsa::ui
