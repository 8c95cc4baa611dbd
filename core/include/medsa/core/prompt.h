#pragma once

#include <optional>
#include <vector>

namespace medsa {

/// A click in image pixel coordinates (x to the right, y down, pixel centres at integer + 0.5
/// as in SAM). Positive clicks say "this is the object", negative ones "this is not".
struct PromptPoint {
  double x = 0;
  double y = 0;
  bool positive = true;
  friend bool operator==(const PromptPoint&, const PromptPoint&) = default;
};

/// A box around the object in image pixel coordinates, corners (x0, y0) top-left, (x1, y1).
struct PromptBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  friend bool operator==(const PromptBox&, const PromptBox&) = default;
};

/// A rectangle of picture pixels: columns x0 .. x1 - 1, rows y0 .. y1 - 1.
struct PixelRect {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
  friend bool operator==(const PixelRect&, const PixelRect&) = default;
};

/// Low-resolution mask logits returned by a previous prediction, fed back so that a correction
/// click refines the last answer instead of starting over. size x size floats, row-major.
struct LowResMask {
  int size = 0;
  std::vector<float> logits;
  /// The part of the picture whose model frame the logits cover, when the engine answered in a
  /// zoomed-in crop; none for the whole picture. Pass it back unchanged.
  std::optional<PixelRect> region;
  friend bool operator==(const LowResMask&, const LowResMask&) = default;
};

/// Everything the user said about one object on one slice.
struct Prompt {
  std::vector<PromptPoint> points;
  std::optional<PromptBox> box;
  std::optional<LowResMask> previous;  ///< the last low-res logits of this object, if any
  bool multimask = false;  ///< ask for three candidates (ambiguous single clicks) instead of one
  friend bool operator==(const Prompt&, const Prompt&) = default;
};

}  // namespace medsa
