#pragma once

#include <QObject>
#include <QString>

#include <array>
#include <memory>

#include "medsa/annotations/label_edit.h"
#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_set.h"
#include "medsa/core/image.h"
#include "medsa/core/rgb_image.h"
#include "medsa/core/segmentation_engine.h"
#include "medsa/core/slice.h"
#include "medsa/core/window_level.h"

namespace medsa::ui {

/// The open image and everything the user does to it: the label map and its label set, the undo
/// history, the window, the linked cursor and the active label. Views and panels observe it.
class Document : public QObject {
  Q_OBJECT

 public:
  explicit Document(QObject* parent = nullptr);

  /// Shows `image` (the first time point of a 4D one) with an empty label map and a fresh
  /// history. `path` is where it came from ("" for built-in data), `id` names it in caches.
  void setImage(std::shared_ptr<const Image> image, const QString& path, const QString& id);
  bool hasImage() const { return image_ != nullptr; }
  const std::shared_ptr<const Image>& image() const { return image_; }
  QString path() const { return path_; }
  QString imageId() const { return imageId_; }
  bool isVolume() const { return image_ && image_->size(2) > 1; }

  annotations::LabelMap& labels() { return labels_; }
  const annotations::LabelMap& labels() const { return labels_; }
  annotations::EditHistory* history() { return history_; }
  /// Replaces the label map (recovered) and its set; clears the history.
  void setLabels(annotations::LabelMap map, annotations::LabelSet set);
  /// Replaces the voxels with `map`'s (same grid) and merges `set` into the label set (its
  /// entries win for the values they name), as one undo step named `text`. False when the grids
  /// differ or nothing changed.
  bool replaceLabelsUndoably(const annotations::LabelMap& map, const annotations::LabelSet& set,
                             const QString& text);
  const annotations::LabelSet& labelSet() const { return labelSet_; }
  void setLabelSet(const annotations::LabelSet& set);
  /// Removes a label and erases its voxels as one undo step (undo brings both back). Locked
  /// labels and the last label are not removed (false).
  bool removeLabel(quint16 value);
  quint16 activeLabel() const { return activeLabel_; }
  void setActiveLabel(quint16 value);
  double opacity() const { return opacity_; }
  void setOpacity(double opacity);
  /// Counts every change of the labels (edits, undo, redo, label set, a new image or label
  /// map): whoever saves remembers the count it saved, and the labels are unsaved while it
  /// differs. Never repeats, so an edit made while a save runs is never taken for saved.
  quint64 editGeneration() const { return generation_; }

  const WindowLevel& window() const { return window_; }
  void setWindow(const WindowLevel& window);

  /// The linked cursor, as a voxel index; each plane shows the slice through it.
  const std::array<std::size_t, 3>& cursor() const { return cursor_; }
  void setCursor(const std::array<std::size_t, 3>& voxel);
  std::size_t sliceIndex(SliceAxis axis) const;
  std::size_t sliceCount(SliceAxis axis) const;
  void setSliceIndex(SliceAxis axis, std::size_t index);
  /// The cursor's position in a plane's display pixels.
  std::array<std::size_t, 2> cursorInPlane(SliceAxis axis) const;
  /// The voxel under display pixel (x, y) of the plane's current slice.
  std::array<std::size_t, 3> voxelAt(SliceAxis axis, std::size_t x, std::size_t y) const;
  /// The plane's current slice through the window, as the views and the engine see it.
  RgbImage rgbSlice(SliceAxis axis, std::size_t index) const;
  ImageKey imageKey(SliceAxis axis, std::size_t index) const;

 signals:
  void imageChanged();
  void windowChanged();
  void cursorChanged();
  void labelMapChanged();
  void labelSetChanged();
  void activeLabelChanged(quint16 value);

 private:
  std::shared_ptr<const Image> image_;
  QString path_, imageId_;
  annotations::LabelMap labels_;
  annotations::LabelSet labelSet_;
  annotations::EditHistory* history_;
  quint16 activeLabel_ = 0;
  double opacity_ = 0.5;
  quint64 generation_ = 0;
  WindowLevel window_;
  std::array<std::size_t, 3> cursor_{0, 0, 0};
};

}  // namespace medsa::ui
