#include "medsa/model/model_evaluation.h"

#include "guarded.h"
#include "medsa/model/predictor.h"

namespace medsa::model {

Result<InteractiveEvaluation> evaluateModel(std::shared_ptr<SamModel> model,
                                            const std::vector<LabeledPicture>& pictures,
                                            const InteractiveEvalOptions& options,
                                            ProgressSink* progress) {
  return guarded("evaluating the model", [&]() -> Result<InteractiveEvaluation> {
    // Each picture is encoded once and left behind: a cache would only hold memory.
    Predictor predictor(std::move(model), {.cacheBytes = 0});
    return evaluateInteractive(predictor, pictures, options, progress);
  });
}

}  // namespace medsa::model
