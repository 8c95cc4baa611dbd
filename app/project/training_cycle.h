#pragma once
// One cycle of the learning loop on a project, shared by `medsa train` and the app's trainer:
// its labelled cases -> the live model measured on the held-out cases -> a new adapter trained
// -> measured on the same cases -> recorded as the next adapter version -> made live only when
// the promotion gate says it is better.

#include <memory>
#include <optional>

#include "medsa/annotations/project_store.h"
#include "medsa/core/interactive_evaluation.h"
#include "medsa/core/json.h"
#include "medsa/core/promotion_gate.h"
#include "medsa/model/adapter_training.h"
#include "medsa/model/sam_model.h"
#include "project_training_data.h"

namespace medsa::app {

struct TrainingCycleOptions {
  model::AdapterTrainingOptions training;  ///< budget, plan, recipe
  TrainingDataOptions data;
  PromotionRule rule;
  bool promote = true;  ///< make the new version live when the gate passes
};

/// The model the project runs now: the base with its live adapter version, or the base alone
/// when none is live (or the live one was trained on another base, which `note` then says).
struct LiveModel {
  std::shared_ptr<model::SamModel> model;
  int version = 0;  ///< 0 = the base model alone
  std::string note;
};
Result<LiveModel> liveModel(annotations::ProjectStore& store,
                            const std::shared_ptr<model::SamModel>& base);

struct TrainingCycleResult {
  Json data;  ///< ProjectTrainingData::summary()
  model::AdapterTrainingResult training;
  int liveVersion = 0;  ///< what the candidate was compared with (0 = the base)
  InteractiveEvaluation live, candidate;
  PromotionDecision decision;
  /// The version recorded (absent when the run was stopped before its budget was spent: its
  /// state stays in adapters/ and the next cycle resumes from it).
  std::optional<annotations::AdapterVersion> version;
  bool promoted = false;
  Json toJson() const;
};

/// Runs a cycle. The adapter file is written (adapters/adapter-vN.safetensors) before its
/// version is recorded, and the version turns live only after it is recorded. `monitor` can
/// pause or stop training; `progress` reports the evaluations and the data loading.
Result<TrainingCycleResult> runTrainingCycle(annotations::ProjectStore& store,
                                             const std::shared_ptr<model::SamModel>& base,
                                             const TrainingCycleOptions& options,
                                             model::TrainingMonitor* monitor = nullptr,
                                             ProgressSink* progress = nullptr);

}  // namespace medsa::app
