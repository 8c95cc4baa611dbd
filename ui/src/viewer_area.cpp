#include "medsa/ui/viewer_area.h"

#include <QGridLayout>
#include <QPainter>

#include <algorithm>

#include "medsa/ui/document.h"
#include "medsa/ui/slice_view.h"

namespace medsa::ui {

ViewerArea::ViewerArea(QWidget* parent) : ViewerArea(nullptr, nullptr, parent) {}

ViewerArea::ViewerArea(Document* document, ToolController* tools, QWidget* parent)
    : QWidget(parent), document_(document) {
  setObjectName(QStringLiteral("viewerArea"));
  setMinimumSize(320, 240);
  setAutoFillBackground(true);
  QPalette darkPalette = palette();
  // Medical viewers use a black background so that window/level is judged against true black.
  darkPalette.setColor(QPalette::Window, Qt::black);
  darkPalette.setColor(QPalette::WindowText, QColor(0xb0, 0xb0, 0xb0));
  setPalette(darkPalette);
  if (!document_) return;

  grid_ = new QGridLayout(this);
  grid_->setContentsMargins(0, 0, 0, 0);
  grid_->setSpacing(2);
  for (SliceAxis axis : {SliceAxis::Axial, SliceAxis::Coronal, SliceAxis::Sagittal}) {
    auto* view = new SliceView(document_, tools, axis, this);
    views_[static_cast<std::size_t>(axis)] = view;
    connect(view, &SliceView::hovered, this, &ViewerArea::hovered);
    connect(view, &SliceView::activated, this, &ViewerArea::setActiveAxis);
    connect(view, &SliceView::maximizeRequested, this, [this](SliceAxis a) {
      setActiveAxis(a);
      setSingleLayout(!single_);
    });
  }
  connect(document_, &Document::imageChanged, this, [this] {
    // A photograph has one plane worth showing: the one it was taken in.
    if (document_->hasImage()) active_ = acquisitionAxis(*document_->image());
    arrange();
  });
  arrange();
}

QString ViewerArea::placeholderText() const { return tr("No image open"); }

void ViewerArea::setPlaceholderHint(const QString& hint) {
  if (hint == placeholderHint_) return;
  placeholderHint_ = hint;
  update();
}

QString ViewerArea::placeholderHint() const {
  if (!placeholderHint_.isEmpty()) return placeholderHint_;
  return tr(
      "Open an image or a DICOM folder with File \u2192 Open (Ctrl+O) or the Open button, "
      "drop one here, or try File \u2192 Open Demo.");
}

void ViewerArea::setSingleLayout(bool single) {
  single_ = single;
  arrange();
}

void ViewerArea::setActiveAxis(SliceAxis axis) {
  if (axis == active_) return;
  active_ = axis;
  if (single_) arrange();
  emit activeAxisChanged(axis);
}

void ViewerArea::resetViews() {
  for (SliceView* view : views_) {
    if (view) view->resetView();
  }
}

void ViewerArea::arrange() {
  if (!grid_) return;
  for (SliceView* view : views_) {
    grid_->removeWidget(view);
    view->hide();
  }
  if (!document_->hasImage()) {
    update();
    return;
  }
  if (single_ || !document_->isVolume()) {
    SliceView* view = views_[static_cast<std::size_t>(active_)];
    grid_->addWidget(view, 0, 0, 2, 2);
    view->show();
  } else {
    // Axial large on the left (where most work happens), coronal and sagittal stacked right.
    grid_->addWidget(views_[0], 0, 0, 2, 1);
    grid_->addWidget(views_[1], 0, 1);
    grid_->addWidget(views_[2], 1, 1);
    grid_->setColumnStretch(0, 3);
    grid_->setColumnStretch(1, 2);
    for (SliceView* view : views_) view->show();
  }
  update();
}

void ViewerArea::paintEvent(QPaintEvent* /*event*/) {
  if (document_ && document_->hasImage()) return;
  QPainter painter(this);
  painter.setPen(palette().color(QPalette::WindowText));
  QFont title = painter.font();
  title.setPointSizeF(title.pointSizeF() * 1.4);
  painter.setFont(title);
  const int middle = height() / 2;
  painter.drawText(QRect(0, middle - 40, width(), 36), Qt::AlignCenter, placeholderText());
  // What to do about it, under the title, wrapped to a readable width.
  painter.setFont(font());
  painter.setPen(QColor(0xa0, 0xa0, 0xa0));
  const int textWidth = std::min(width() - 40, 520);
  painter.drawText(QRect((width() - textWidth) / 2, middle + 4, textWidth, 80),
                   Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, placeholderHint());
}

}  // namespace medsa::ui
