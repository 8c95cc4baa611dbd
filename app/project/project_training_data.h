#pragma once

#include <cstdint>
#include <vector>

#include "medsa/annotations/project_store.h"
#include "medsa/core/json.h"
#include "medsa/core/labeled_picture.h"
#include "medsa/core/progress.h"

namespace medsa::app {

struct TrainingDataOptions {
  /// Share of the labelled cases held out for evaluation (at least one once there are two).
  double heldOutFraction = 1.0 / 3.0;
  /// At most this many labelled slices per case and axis (spread over the labelled range).
  int maxSlicesPerAxis = 24;
  /// Volumes whose largest spacing is within this factor of the smallest are near-isotropic:
  /// their coronal and sagittal slices train too.
  double isotropy = 1.5;
};

/// What the trainer and `medsa evaluate` take from a project: pictures with one binary mask per
/// label present, the held-out ones apart. Training pictures come with sampling weights that
/// favour slices with more foreground (sqrt of its area), so the object is seen more often than
/// its thin ends.
struct ProjectTrainingData {
  std::vector<LabeledPicture> train;
  std::vector<double> weights;  ///< one per training picture
  std::vector<LabeledPicture> heldOut;
  int trainCases = 0;
  int heldOutCases = 0;
  Json summary() const;  ///< {"train_cases", "heldout_cases", "train_pictures", ...}
};

/// Assigns the trainer's split to labelled (done / reviewed) cases that have none yet, stratified
/// by kind and modality, deterministic (by content hash), never changing an earlier one.
Status assignHeldOutSplit(annotations::ProjectStore& store, const TrainingDataOptions& options);

/// Reads the labelled cases (assigning the split first): 2D pictures as they are; volumes as
/// their labelled slices (axial, and coronal and sagittal when near-isotropic) windowed as the
/// app shows them by default; held-out cases as the slice with the most of each label.
Result<ProjectTrainingData> loadTrainingData(annotations::ProjectStore& store,
                                             const TrainingDataOptions& options = {},
                                             ProgressSink* progress = nullptr,
                                             CancellationToken cancel = {});

}  // namespace medsa::app
