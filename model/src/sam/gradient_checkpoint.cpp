#include "sam/gradient_checkpoint.h"

namespace medsa::model {
namespace {

// Carries the block through autograd's saved state.
struct BlockHolder : torch::CustomClassHolder {
  explicit BlockHolder(std::function<torch::Tensor(const torch::Tensor&)> f)
      : block(std::move(f)) {}
  std::function<torch::Tensor(const torch::Tensor&)> block;
};

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor input,
                               c10::intrusive_ptr<BlockHolder> holder) {
    ctx->save_for_backward({input});
    ctx->saved_data["block"] = c10::IValue::make_capsule(holder);
    torch::NoGradGuard noGrad;
    return holder->block(input);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list gradOutputs) {
    const auto holder =
        c10::static_intrusive_pointer_cast<BlockHolder>(ctx->saved_data["block"].toCapsule());
    torch::Tensor input = ctx->get_saved_variables()[0].detach().requires_grad_(true);
    torch::Tensor output;
    {
      torch::AutoGradMode enable(true);
      output = holder->block(input);
    }
    torch::autograd::backward({output}, {gradOutputs[0]});  // also accumulates parameter grads
    return {input.grad(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor checkpointed(std::function<torch::Tensor(const torch::Tensor&)> block,
                           const torch::Tensor& input) {
  // Autograd only records the function when an input needs a gradient; the first block's input
  // comes from frozen weights, so mark it (its own gradient is simply discarded).
  const torch::Tensor tracked = input.requires_grad() ? input : input.detach().requires_grad_(true);
  return CheckpointFunction::apply(tracked, c10::make_intrusive<BlockHolder>(std::move(block)));
}

}  // namespace medsa::model
