#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/progress.h"
#include "medsa/core/prompt.h"
#include "medsa/core/rgb_image.h"

namespace medsa {

/// Identifies a picture for the embedding cache: the same key means the same pixels.
struct ImageKey {
  std::string imageId;  ///< e.g. the file path or series UID
  int plane = 0;        ///< 0 axial, 1 coronal, 2 sagittal; 0 for 2D pictures
  int slice = 0;
  double window = 0;  ///< window/level used to make the RGB picture (0 for photographs)
  double level = 0;
  friend bool operator==(const ImageKey&, const ImageKey&) = default;
};

/// The engine's answer for one prompt: one or more candidate masks at the picture's size.
struct Prediction {
  int width = 0;
  int height = 0;
  int count = 0;                    ///< number of candidates (1, or 3 with multimask)
  std::vector<float> logits;        ///< count x height x width, > 0 means inside
  std::vector<std::uint8_t> masks;  ///< count x height x width, 0 or 1
  std::vector<float> iou;           ///< predicted IoU per candidate
  std::vector<LowResMask> lowRes;   ///< per candidate, to feed back with the next click

  /// Index of the candidate with the highest predicted IoU.
  int best() const;
};

/// What the UI and the CLI need from a segmentation engine. Implemented by the LibTorch SAM /
/// Med-SA predictor in medsa_model and by fakes in tests. Not thread-safe: one owner thread.
class SegmentationEngine {
 public:
  virtual ~SegmentationEngine() = default;
  /// Makes `image` the current picture, computing its embedding or taking it from the cache.
  /// Computing an embedding reports its progress to `progress` (when given); a sink that answers
  /// false stops the work between encoder blocks with ErrorCode::Cancelled and leaves the engine
  /// without a current picture (the UI cancels a background warm-up this way when a click comes).
  virtual Status setImage(const RgbImage& image, const ImageKey& key,
                          ProgressSink* progress = nullptr) = 0;
  /// Runs the prompt on the current picture.
  virtual Result<Prediction> predict(const Prompt& prompt) = 0;
  /// Identifies the weights (base checkpoint + adapter): part of every cache key.
  virtual std::string modelVersion() const = 0;
  /// Keeps embeddings in `folder` on disk as well as in memory ("" stops it), where a later
  /// session and the trainer find them. Engines without such a store ignore it.
  virtual void setEmbeddingFolder(const std::string& /*folder*/) {}
  /// Work that makes the next prompt on the current picture faster, done while the user looks
  /// at the last answer (the UI's engine thread calls it when nothing waits). The SAM predictor
  /// encodes the zoom-in crop that a correction of its last answer would be answered in. The
  /// answers stay what they would have been. A sink that answers false stops the work with
  /// ErrorCode::Cancelled. Default: nothing to do.
  virtual Status workAhead(ProgressSink* /*progress*/) { return {}; }
};

}  // namespace medsa
