#include "checkpoint/state_dict_loader.h"

#include <map>

#include "sam/sam.h"

namespace medsa::model {
namespace {

constexpr size_t kListed = 12;  // keys named per category; the rest are counted

void appendList(std::string& out, const char* title, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  out += "\n  " + std::to_string(keys.size()) + " " + title + ":";
  for (size_t i = 0; i < keys.size() && i < kListed; ++i) out += "\n    " + keys[i];
  if (keys.size() > kListed)
    out += "\n    ... and " + std::to_string(keys.size() - kListed) + " more";
}

}  // namespace

std::string shapeText(c10::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

Status loadStateDict(torch::nn::Module& module,
                     const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                     const std::string& source,
                     const std::function<bool(const std::string&)>& mayBeMissing,
                     const std::function<bool(const std::string&)>& share) {
  std::map<std::string, torch::Tensor> expected;
  for (auto& [name, tensor] : namedTensors(module)) expected.emplace(name, tensor);

  std::vector<std::string> unexpected, mismatched, missing;
  std::map<std::string, const torch::Tensor*> provided;
  for (const auto& [name, tensor] : tensors) {
    auto it = expected.find(name);
    if (it == expected.end()) {
      unexpected.push_back(name + " " + shapeText(tensor.sizes()));
    } else if (it->second.sizes() != tensor.sizes()) {
      mismatched.push_back(name + ": file " + shapeText(tensor.sizes()) + ", model " +
                           shapeText(it->second.sizes()));
    } else if (!provided.emplace(name, &tensor).second) {
      mismatched.push_back(name + ": given twice");
    }
  }
  for (const auto& [name, tensor] : expected) {
    if (mayBeMissing && mayBeMissing(name)) continue;
    if (!provided.count(name) &&
        std::none_of(mismatched.begin(), mismatched.end(),
                     [&](const std::string& m) { return m.rfind(name + ":", 0) == 0; })) {
      missing.push_back(name + " " + shapeText(tensor.sizes()));
    }
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::string message = "checkpoint does not match the model geometry";
    appendList(message, "missing", missing);
    appendList(message, "unexpected", unexpected);
    appendList(message, "with another shape", mismatched);
    return Error{ErrorCode::CheckpointInvalid, message, source};
  }
  torch::NoGradGuard noGrad;
  for (const auto& [name, tensor] : provided) {
    torch::Tensor& target = expected.at(name);
    if (!tensor->is_floating_point() && target.is_floating_point()) {
      return Error{ErrorCode::CheckpointInvalid, name + " is not a floating-point tensor", source};
    }
    if (share && share(name) && tensor->scalar_type() == target.scalar_type() &&
        tensor->device() == target.device()) {
      target.set_data(*tensor);
    } else {
      target.copy_(*tensor);
    }
  }
  return {};
}

}  // namespace medsa::model
