#pragma once

#include <memory>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/interactive_evaluation.h"
#include "medsa/core/labeled_picture.h"
#include "medsa/core/progress.h"
#include "medsa/model/sam_model.h"

namespace medsa::model {

/// The deterministic interactive protocol of core/interactive_evaluation.h (Dice after one box
/// and after one click, NoC@85, NoC@90 with up to 20 clicks) run by a predictor of `model` over
/// pictures handed in by the caller: synthetic sets, a project's held-out cases, test data.
Result<InteractiveEvaluation> evaluateModel(std::shared_ptr<SamModel> model,
                                            const std::vector<LabeledPicture>& pictures,
                                            const InteractiveEvalOptions& options = {},
                                            ProgressSink* progress = nullptr);

}  // namespace medsa::model
