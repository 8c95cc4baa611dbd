#include "sam/encoder_progress.h"

#include <utility>

namespace medsa::model {
namespace {

thread_local WithinBlockObserver current;

}  // namespace

WithinBlockScope::WithinBlockScope(WithinBlockObserver observer)
    : previous_(std::exchange(current, std::move(observer))) {}

WithinBlockScope::~WithinBlockScope() { current = std::move(previous_); }

void reportWithinBlock(double withinBlock) {
  if (current && !current(withinBlock)) throw EncodingStopped{};
}

}  // namespace medsa::model
