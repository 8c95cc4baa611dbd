#pragma once

#include <QObject>
#include <QUndoCommand>
#include <QUndoStack>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_set.h"

namespace medsa::annotations {

/// The voxels one edit changed on one slice: only those, with their old and new values, so an
/// undo step costs memory in proportion to what the user touched, not to the volume.
struct SliceChange {
  SliceAxis axis = SliceAxis::Axial;
  std::size_t index = 0;
  std::vector<std::uint32_t> pixels;  ///< y * width + x in the display-oriented slice
  std::vector<std::uint16_t> before;
  std::vector<std::uint16_t> after;
  std::size_t bytes() const { return pixels.size() * (sizeof(std::uint32_t) + 4); }
  bool isEmpty() const { return pixels.empty(); }
};

/// How a binary mask is written into a slice.
enum class PaintMode {
  Paint,  ///< mask pixels become `value`, except where a locked label is (AI accept, brush)
  Erase,  ///< mask pixels holding `value` (or any unlocked label when value is 0) become 0
  /// `value` on the slice becomes exactly the mask: mask pixels are painted (locked labels
  /// kept) and pixels of `value` outside it become 0 (a propagation redone over its old result)
  Replace,
};

/// The change that painting `mask` (width * height, non-zero = inside) with `value` would make
/// on `current`. Never touches voxels of a locked label; nothing at all when `value` is locked.
SliceChange paintChange(const LabelSlice& current, SliceAxis axis, std::size_t index,
                        const std::vector<std::uint8_t>& mask, std::uint16_t value, PaintMode mode,
                        const LabelSet& labels);
/// The change that turns `current` into `edited` (same size).
SliceChange diffChange(const LabelSlice& current, const LabelSlice& edited, SliceAxis axis,
                       std::size_t index);

class EditHistory;

/// One undoable edit (a stroke, an accept, a fill, a propagation) over one or more slices.
/// A label set before and after an edit that changes it (a label removed with its voxels).
struct LabelSetChange {
  LabelSet before;
  LabelSet after;
};

class LabelEditCommand : public QUndoCommand {
 public:
  LabelEditCommand(EditHistory* history, const QString& text, std::vector<SliceChange> changes,
                   std::optional<LabelSetChange> setChange = std::nullopt);
  ~LabelEditCommand() override;
  void redo() override;
  void undo() override;

  std::size_t bytes() const { return bytes_; }
  /// Names this step for good: unlike its address, never reused by a later step.
  std::uint64_t serial() const { return serial_; }
  /// Frees the stored values to keep the history within its memory budget; the step then no
  /// longer changes anything (it stays in the list, marked, so the history stays consistent).
  void dropPayload();
  bool isDropped() const { return dropped_; }

 private:
  void apply(bool forward);
  EditHistory* history_;
  std::vector<SliceChange> changes_;
  std::optional<LabelSetChange> setChange_;
  std::size_t bytes_ = 0;
  std::uint64_t serial_ = 0;
  bool dropped_ = false;
};

/// The undo stack of one label map, bounded by memory: when the stored edits exceed the budget,
/// the oldest applied steps give up their payload first.
class EditHistory : public QObject {
  Q_OBJECT

 public:
  explicit EditHistory(LabelMap* map, QObject* parent = nullptr);
  ~EditHistory() override;

  QUndoStack* stack() { return &stack_; }
  LabelMap* map() const { return map_; }
  /// Applies the changes as one named undo step; empty changes push nothing (returns false).
  bool apply(const QString& text, std::vector<SliceChange> changes);
  /// The same, with a change of the label set made and undone together with the voxels (the
  /// set is applied through the label-set target). Pushes a step even without voxel changes.
  bool apply(const QString& text, std::vector<SliceChange> changes, LabelSetChange setChange);
  /// Where label set changes of undo steps go (the document owning the set).
  void setLabelSetTarget(std::function<void(const LabelSet&)> target) {
    setTarget_ = std::move(target);
  }
  /// The serial of the step at stack position `index` (0 when there is none).
  std::uint64_t serialAt(int index) const;
  /// The serial of the step apply() pushed last.
  std::uint64_t lastSerial() const { return nextSerial_ - 1; }
  void setBudgetBytes(std::size_t bytes);
  std::size_t budgetBytes() const { return budget_; }
  std::size_t usedBytes() const { return used_; }
  /// Forgets every step (a new image or label map).
  void clear();

 signals:
  /// The label map changed (edit, undo or redo).
  void mapChanged();

 private:
  friend class LabelEditCommand;
  void enforceBudget();
  LabelMap* map_;
  QUndoStack stack_;
  std::vector<LabelEditCommand*> commands_;  ///< in stack order
  std::size_t budget_ = std::size_t(256) << 20;
  std::size_t used_ = 0;
  std::uint64_t nextSerial_ = 1;
  std::function<void(const LabelSet&)> setTarget_;
};

}  // namespace medsa::annotations
