#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "medsa/core/error.h"

namespace medsa::model {

/// Copies `tensors` into the parameters and buffers of `module`, by name. Every expected key must
/// be present with the right shape and nothing else may be there; otherwise the error lists the
/// missing, unexpected and mis-shaped keys. Nothing is skipped silently. dtypes are converted to
/// the module's (fp16/bf16 checkpoints load into fp32 modules).
/// `mayBeMissing` names keys the file may leave out (fresh adapters keep their zero init).
/// `share` names keys whose tensor the module takes as it is, sharing its storage (where dtype
/// and device match; others are copied): the tensors of a shared base (checkpoint/shared_base.h).
Status loadStateDict(torch::nn::Module& module,
                     const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                     const std::string& source,
                     const std::function<bool(const std::string&)>& mayBeMissing = {},
                     const std::function<bool(const std::string&)>& share = {});

std::string shapeText(c10::IntArrayRef shape);

}  // namespace medsa::model
