#include "chained_resize.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace medsa::model {

AxisTaps composeResizes(std::int64_t inputs, const std::vector<ResizeStep>& steps) {
  // Each current position as a combination of the inputs, refined one resize at a time.
  std::vector<std::map<std::int64_t, double>> current(static_cast<size_t>(inputs));
  for (std::int64_t i = 0; i < inputs; ++i) current[static_cast<size_t>(i)][i] = 1.0;
  for (const ResizeStep& step : steps) {
    if (step.size <= 0 || step.kept <= 0 || step.kept > step.size) {
      throw std::invalid_argument("composeResizes: a step keeps 1..size of its outputs");
    }
    const auto count = static_cast<std::int64_t>(current.size());
    // Source positions in float, as LibTorch computes them for float tensors (in double they
    // drift apart by up to 1e-4 pixel on large sizes); the weights then combine in double.
    const float scale = static_cast<float>(count) / static_cast<float>(step.size);
    std::vector<std::map<std::int64_t, double>> next(static_cast<size_t>(step.kept));
    for (std::int64_t j = 0; j < step.kept; ++j) {
      const float source = std::max(0.0f, scale * (static_cast<float>(j) + 0.5f) - 0.5f);
      const auto low = static_cast<std::int64_t>(source);
      const std::int64_t high = low < count - 1 ? low + 1 : low;
      const float upper = std::clamp(source - static_cast<float>(low), 0.0f, 1.0f);
      const float lower = 1.0f - upper;
      for (const auto& [input, w] : current[static_cast<size_t>(low)]) {
        next[static_cast<size_t>(j)][input] += lower * w;
      }
      for (const auto& [input, w] : current[static_cast<size_t>(high)]) {
        next[static_cast<size_t>(j)][input] += upper * w;
      }
    }
    current = std::move(next);
  }
  AxisTaps axis;
  axis.inputs = inputs;
  axis.outputs = static_cast<std::int64_t>(current.size());
  for (const auto& combination : current) {
    axis.taps = std::max<std::int64_t>(axis.taps, static_cast<std::int64_t>(combination.size()));
  }
  axis.index.assign(static_cast<size_t>(axis.outputs * axis.taps), 0);
  axis.weight.assign(axis.index.size(), 0.0f);
  for (std::int64_t i = 0; i < axis.outputs; ++i) {
    std::int64_t k = i * axis.taps;
    for (const auto& [input, w] : current[static_cast<size_t>(i)]) {
      axis.index[static_cast<size_t>(k)] = input;
      axis.weight[static_cast<size_t>(k)] = static_cast<float>(w);
      ++k;
    }
  }
  return axis;
}

torch::Tensor resizeSeparable(const torch::Tensor& x, const AxisTaps& rows, const AxisTaps& cols) {
  if (x.dim() < 2 || x.scalar_type() != torch::kFloat || !x.device().is_cpu() ||
      x.size(-2) != rows.inputs || x.size(-1) != cols.inputs) {
    throw std::invalid_argument("resizeSeparable: float CPU [..., H, W] matching the taps");
  }
  const torch::Tensor input = x.contiguous();
  const std::int64_t height = rows.inputs, width = cols.inputs;
  std::vector<std::int64_t> shape(x.sizes().begin(), x.sizes().end() - 2);
  shape.push_back(rows.outputs);
  shape.push_back(cols.outputs);
  torch::Tensor out = torch::empty(shape, input.options());
  const std::int64_t planes = input.numel() / (height * width);
  const float* in = input.data_ptr<float>();
  float* o = out.data_ptr<float>();
  // One output row per task: its input rows blended into one row of `width`, then each output
  // column blended from that row.
  at::parallel_for(0, planes * rows.outputs, 16, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> blended(static_cast<size_t>(width));
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t plane = task / rows.outputs, row = task % rows.outputs;
      const float* source = in + plane * height * width;
      std::fill(blended.begin(), blended.end(), 0.0f);
      for (std::int64_t k = 0; k < rows.taps; ++k) {
        const float w = rows.weight[static_cast<size_t>(row * rows.taps + k)];
        if (w == 0.0f) continue;
        const float* line = source + rows.index[static_cast<size_t>(row * rows.taps + k)] * width;
        for (std::int64_t c = 0; c < width; ++c) blended[static_cast<size_t>(c)] += w * line[c];
      }
      float* target = o + task * cols.outputs;
      for (std::int64_t c = 0; c < cols.outputs; ++c) {
        float sum = 0.0f;
        for (std::int64_t k = 0; k < cols.taps; ++k) {
          const size_t t = static_cast<size_t>(c * cols.taps + k);
          sum += cols.weight[t] * blended[static_cast<size_t>(cols.index[t])];
        }
        target[c] = sum;
      }
    }
  });
  return out;
}

}  // namespace medsa::model
