#include "medsa/ui/document.h"

#include <algorithm>

#include "medsa/annotations/mask_ops.h"
#include "medsa/core/slice_picture.h"

namespace medsa::ui {

Document::Document(QObject* parent)
    : QObject(parent), history_(new annotations::EditHistory(&labels_, this)) {
  connect(history_, &annotations::EditHistory::mapChanged, this, [this] {
    ++generation_;
    emit labelMapChanged();
  });
  history_->setLabelSetTarget([this](const annotations::LabelSet& set) { setLabelSet(set); });
}

void Document::setImage(std::shared_ptr<const Image> image, const QString& path,
                        const QString& id) {
  history_->clear();
  image_ = std::move(image);
  path_ = path;
  imageId_ = id;
  Result<annotations::LabelMap> map = annotations::LabelMap::createFor(*image_);
  labels_ = map ? std::move(map).value() : annotations::LabelMap{};
  if (labelSet_.isEmpty()) labelSet_.add(tr("Label 1"));
  if (!labelSet_.find(activeLabel_)) activeLabel_ = labelSet_.labels().front().value;
  window_ = defaultWindow(*image_);
  cursor_ = {image_->size(0) / 2, image_->size(1) / 2, image_->size(2) / 2};
  ++generation_;
  emit imageChanged();
  emit labelSetChanged();
  emit labelMapChanged();
}

void Document::setLabels(annotations::LabelMap map, annotations::LabelSet set) {
  history_->clear();
  labels_ = std::move(map);
  labelSet_ = std::move(set);
  if (labelSet_.isEmpty()) labelSet_.add(tr("Label 1"));
  if (!labelSet_.find(activeLabel_)) activeLabel_ = labelSet_.labels().front().value;
  ++generation_;
  emit labelSetChanged();
  emit activeLabelChanged(activeLabel_);
  emit labelMapChanged();
}

void Document::setLabelSet(const annotations::LabelSet& set) {
  labelSet_ = set;
  if (!labelSet_.find(activeLabel_) && !labelSet_.isEmpty()) {
    activeLabel_ = labelSet_.labels().front().value;
    emit activeLabelChanged(activeLabel_);
  }
  ++generation_;
  emit labelSetChanged();
}

bool Document::removeLabel(quint16 value) {
  if (!image_ || labelSet_.size() <= 1 || !labelSet_.find(value) || labelSet_.isLocked(value))
    return false;
  annotations::LabelSet without = labelSet_;
  without.remove(value);
  std::vector<annotations::SliceChange> changes;
  for (std::size_t z = 0; z < labels_.image().size(2); ++z) {
    Result<annotations::LabelSlice> slice = labels_.slice(SliceAxis::Axial, z);
    if (!slice) return false;
    const annotations::Mask mask = annotations::maskOf(slice.value(), value);
    changes.push_back(annotations::paintChange(slice.value(), SliceAxis::Axial, z, mask, value,
                                               annotations::PaintMode::Erase, labelSet_));
  }
  const QString name = labelSet_.find(value)->name;
  return history_->apply(tr("Remove label %1").arg(name), std::move(changes),
                         annotations::LabelSetChange{labelSet_, without});
}

bool Document::replaceLabelsUndoably(const annotations::LabelMap& map,
                                     const annotations::LabelSet& set, const QString& text) {
  if (!image_ || map.isEmpty() || map.image().size() != labels_.image().size()) return false;
  annotations::LabelSet merged = labelSet_;
  for (const annotations::Label& label : set.labels()) {
    if (annotations::Label* existing = merged.find(label.value))
      *existing = label;
    else
      merged.insert(label);
  }
  std::vector<annotations::SliceChange> changes;
  for (std::size_t z = 0; z < labels_.image().size(2); ++z) {
    Result<annotations::LabelSlice> now = labels_.slice(SliceAxis::Axial, z);
    Result<annotations::LabelSlice> next = map.slice(SliceAxis::Axial, z);
    if (!now || !next) return false;
    changes.push_back(annotations::diffChange(now.value(), next.value(), SliceAxis::Axial, z));
  }
  // The merged names and colours are part of the step: undo brings the user's back.
  if (!(merged == labelSet_))
    return history_->apply(text, std::move(changes),
                           annotations::LabelSetChange{labelSet_, merged});
  return history_->apply(text, std::move(changes));
}

void Document::setActiveLabel(quint16 value) {
  if (value == activeLabel_ || !labelSet_.find(value)) return;
  activeLabel_ = value;
  emit activeLabelChanged(value);
}

void Document::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  emit labelSetChanged();
}

void Document::setWindow(const WindowLevel& window) {
  if (window == window_) return;
  window_ = window;
  window_.width = std::max(window_.width, 1e-3);
  emit windowChanged();
}

void Document::setCursor(const std::array<std::size_t, 3>& voxel) {
  if (!image_) return;
  std::array<std::size_t, 3> clamped;
  for (int a = 0; a < 3; ++a) clamped[a] = std::min(voxel[a], image_->size(a) - 1);
  if (clamped == cursor_) return;
  cursor_ = clamped;
  emit cursorChanged();
}

std::size_t Document::sliceIndex(SliceAxis axis) const {
  if (!image_) return 0;
  return cursor_[static_cast<std::size_t>(sliceNormalAxis(*image_, axis))];
}

std::size_t Document::sliceCount(SliceAxis axis) const {
  return image_ ? medsa::sliceCount(*image_, axis) : 0;
}

void Document::setSliceIndex(SliceAxis axis, std::size_t index) {
  if (!image_) return;
  std::array<std::size_t, 3> voxel = cursor_;
  voxel[static_cast<std::size_t>(sliceNormalAxis(*image_, axis))] = index;
  setCursor(voxel);
}

std::array<std::size_t, 2> Document::cursorInPlane(SliceAxis axis) const {
  if (!image_) return {0, 0};
  const SliceLayout l = sliceLayout(*image_, axis);
  const std::size_t vx = cursor_[static_cast<std::size_t>(l.xAxis)];
  const std::size_t vy = cursor_[static_cast<std::size_t>(l.yAxis)];
  return {l.flipX ? l.width - 1 - vx : vx, l.flipY ? l.height - 1 - vy : vy};
}

std::array<std::size_t, 3> Document::voxelAt(SliceAxis axis, std::size_t x, std::size_t y) const {
  if (!image_) return {0, 0, 0};
  const SliceLayout l = sliceLayout(*image_, axis);
  std::array<std::size_t, 3> voxel = cursor_;
  voxel[static_cast<std::size_t>(l.xAxis)] = l.flipX ? l.width - 1 - x : x;
  voxel[static_cast<std::size_t>(l.yAxis)] = l.flipY ? l.height - 1 - y : y;
  return voxel;
}

RgbImage Document::rgbSlice(SliceAxis axis, std::size_t index) const {
  if (!image_) return {};
  Result<RgbImage> rgb = slicePicture(*image_, axis, index, window_);
  return rgb ? std::move(rgb).value() : RgbImage{};
}

ImageKey Document::imageKey(SliceAxis axis, std::size_t index) const {
  return slicePictureKey(imageId_.toStdString(), axis, index, window_);
}

}  // namespace medsa::ui
