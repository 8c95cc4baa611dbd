#pragma once
// Progress and stop requests from inside an encoder block. A global-attention block of ViT-B
// runs for up to a second on a CPU; waiting for its end before honouring a stop would keep a
// click waiting that long behind a background warm-up. The encoder installs a callback for the
// block it is running (on its own thread); the attention's chunk loop reports to it.

#include <exception>
#include <functional>

namespace medsa::model {

/// Thrown when the encoder's observer asks to stop.
struct EncodingStopped : std::exception {
  const char* what() const noexcept override { return "encoding stopped"; }
};

/// Told the fraction of the current block done; answers false to stop.
using WithinBlockObserver = std::function<bool(double withinBlock)>;

/// Installs `observer` on this thread while it lives (nesting restores the previous one).
class WithinBlockScope {
 public:
  explicit WithinBlockScope(WithinBlockObserver observer);
  ~WithinBlockScope();
  WithinBlockScope(const WithinBlockScope&) = delete;
  WithinBlockScope& operator=(const WithinBlockScope&) = delete;

 private:
  WithinBlockObserver previous_;
};

/// Reports to the installed observer, if any; throws EncodingStopped when it says stop.
void reportWithinBlock(double withinBlock);

}  // namespace medsa::model
