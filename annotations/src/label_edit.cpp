#include "medsa/annotations/label_edit.h"

#include <QCoreApplication>

#include <algorithm>

namespace medsa::annotations {

SliceChange paintChange(const LabelSlice& current, SliceAxis axis, std::size_t index,
                        const std::vector<std::uint8_t>& mask, std::uint16_t value, PaintMode mode,
                        const LabelSet& labels) {
  SliceChange change{axis, index, {}, {}, {}};
  if (mask.size() != current.values.size()) return change;
  if (mode != PaintMode::Erase && (value == 0 || labels.isLocked(value))) return change;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    const std::uint16_t old = current.values[i];
    std::uint16_t next = old;
    if (!mask[i]) {
      if (mode == PaintMode::Replace && old == value) next = 0;
    } else if (old != 0 && labels.isLocked(old)) {
      continue;
    } else if (mode == PaintMode::Erase) {
      if (value == 0 || old == value) next = 0;
    } else {
      next = value;
    }
    if (next == old) continue;
    change.pixels.push_back(static_cast<std::uint32_t>(i));
    change.before.push_back(old);
    change.after.push_back(next);
  }
  return change;
}

SliceChange diffChange(const LabelSlice& current, const LabelSlice& edited, SliceAxis axis,
                       std::size_t index) {
  SliceChange change{axis, index, {}, {}, {}};
  if (current.values.size() != edited.values.size()) return change;
  for (std::size_t i = 0; i < current.values.size(); ++i) {
    if (current.values[i] == edited.values[i]) continue;
    change.pixels.push_back(static_cast<std::uint32_t>(i));
    change.before.push_back(current.values[i]);
    change.after.push_back(edited.values[i]);
  }
  return change;
}

LabelEditCommand::LabelEditCommand(EditHistory* history, const QString& text,
                                   std::vector<SliceChange> changes,
                                   std::optional<LabelSetChange> setChange)
    : QUndoCommand(text),
      history_(history),
      changes_(std::move(changes)),
      setChange_(std::move(setChange)),
      serial_(history->nextSerial_++) {
  for (const SliceChange& change : changes_) bytes_ += change.bytes();
  history_->commands_.push_back(this);
  history_->used_ += bytes_;
}

LabelEditCommand::~LabelEditCommand() {
  auto& list = history_->commands_;
  list.erase(std::remove(list.begin(), list.end(), this), list.end());
  history_->used_ -= bytes_;
}

void LabelEditCommand::redo() { apply(true); }
void LabelEditCommand::undo() { apply(false); }

void LabelEditCommand::apply(bool forward) {
  if (dropped_) return;
  LabelMap* map = history_->map();
  for (const SliceChange& change : changes_) {
    Result<LabelSlice> slice = map->slice(change.axis, change.index);
    if (!slice) continue;  // the map was replaced under us: nothing consistent to do
    const std::vector<std::uint16_t>& values = forward ? change.after : change.before;
    for (std::size_t i = 0; i < change.pixels.size(); ++i) {
      slice->values[change.pixels[i]] = values[i];
    }
    map->setSlice(change.axis, change.index, slice.value());
  }
  if (setChange_ && history_->setTarget_)
    history_->setTarget_(forward ? setChange_->after : setChange_->before);
  emit history_->mapChanged();
}

void LabelEditCommand::dropPayload() {
  if (dropped_) return;
  changes_.clear();
  setChange_.reset();
  changes_.shrink_to_fit();
  history_->used_ -= bytes_;
  bytes_ = 0;
  dropped_ = true;
  setText(QCoreApplication::translate("medsa::annotations::EditHistory",
                                      "%1 (no longer undoable: memory limit)")
              .arg(text()));
}

EditHistory::EditHistory(LabelMap* map, QObject* parent) : QObject(parent), map_(map) {}

EditHistory::~EditHistory() { stack_.clear(); }

bool EditHistory::apply(const QString& text, std::vector<SliceChange> changes) {
  changes.erase(std::remove_if(changes.begin(), changes.end(),
                               [](const SliceChange& c) { return c.isEmpty(); }),
                changes.end());
  if (changes.empty()) return false;
  stack_.push(new LabelEditCommand(this, text, std::move(changes)));
  enforceBudget();
  return true;
}

bool EditHistory::apply(const QString& text, std::vector<SliceChange> changes,
                        LabelSetChange setChange) {
  changes.erase(std::remove_if(changes.begin(), changes.end(),
                               [](const SliceChange& c) { return c.isEmpty(); }),
                changes.end());
  stack_.push(new LabelEditCommand(this, text, std::move(changes), std::move(setChange)));
  enforceBudget();
  return true;
}

std::uint64_t EditHistory::serialAt(int index) const {
  if (index < 0 || index >= static_cast<int>(commands_.size())) return 0;
  return commands_[static_cast<std::size_t>(index)]->serial();
}

void EditHistory::setBudgetBytes(std::size_t bytes) {
  budget_ = bytes;
  enforceBudget();
}

void EditHistory::clear() { stack_.clear(); }

void EditHistory::enforceBudget() {
  // commands_ mirrors the stack (every command on it is ours, none merge), so position i is
  // stack index i; only applied steps (below index()) are dropped, oldest first.
  const int applied = stack_.index();
  for (int i = 0; i < applied && used_ > budget_ && i < static_cast<int>(commands_.size()); ++i) {
    commands_[static_cast<std::size_t>(i)]->dropPayload();
  }
}

}  // namespace medsa::annotations
