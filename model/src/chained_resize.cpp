#include "chained_resize.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <stdexcept>

namespace medsa::model {

namespace {

// Each position of an axis as a combination of the inputs: row i holds count[i] (index,
// weight) pairs, sorted by index, from slot i * width. Flat arrays: composing runs on every
// click (a map per position cost 0.4 ms of it).
struct Combinations {
  std::int64_t width = 1;
  std::vector<std::int64_t> count, index;
  std::vector<double> weight;

  std::int64_t rows() const { return static_cast<std::int64_t>(count.size()); }
};

// Row `into` of `out` = a * row `first` + b * row `second` of `in`, equal inputs summed.
void blendRows(const Combinations& in, std::int64_t first, double a, std::int64_t second, double b,
               Combinations& out, std::int64_t into) {
  const auto slot = [](const Combinations& c, std::int64_t row) {
    return static_cast<size_t>(row * c.width);
  };
  size_t i = slot(in, first), j = slot(in, second), o = slot(out, into);
  const size_t iEnd = i + static_cast<size_t>(in.count[static_cast<size_t>(first)]);
  const size_t jEnd = j + static_cast<size_t>(in.count[static_cast<size_t>(second)]);
  const size_t oBegin = o;
  while (i < iEnd || j < jEnd) {
    const bool takeFirst = j == jEnd || (i < iEnd && in.index[i] <= in.index[j]);
    const bool both = takeFirst && j < jEnd && in.index[i] == in.index[j];
    out.index[o] = takeFirst ? in.index[i] : in.index[j];
    out.weight[o] = takeFirst ? a * in.weight[i] : b * in.weight[j];
    if (both) out.weight[o] += b * in.weight[j++];
    if (takeFirst)
      ++i;
    else
      ++j;
    ++o;
  }
  out.count[static_cast<size_t>(into)] = static_cast<std::int64_t>(o - oBegin);
}

}  // namespace

AxisTaps composeResizes(std::int64_t inputs, const std::vector<ResizeStep>& steps) {
  if (inputs <= 0) throw std::invalid_argument("composeResizes: an axis has at least one input");
  // The identity, refined one resize at a time.
  Combinations current;
  current.count.assign(static_cast<size_t>(inputs), 1);
  current.index.resize(static_cast<size_t>(inputs));
  for (std::int64_t i = 0; i < inputs; ++i) current.index[static_cast<size_t>(i)] = i;
  current.weight.assign(static_cast<size_t>(inputs), 1.0);
  for (const ResizeStep& step : steps) {
    if (step.size <= 0 || step.kept <= 0 || step.kept > step.size) {
      throw std::invalid_argument("composeResizes: a step keeps 1..size of its outputs");
    }
    const std::int64_t count = current.rows();
    // Source positions in float, as LibTorch computes them for float tensors (in double they
    // drift apart by up to 1e-4 pixel on large sizes); the weights then combine in double.
    const float scale = static_cast<float>(count) / static_cast<float>(step.size);
    Combinations next;
    next.width = 2 * current.width;
    next.count.resize(static_cast<size_t>(step.kept));
    next.index.resize(static_cast<size_t>(step.kept * next.width));
    next.weight.resize(next.index.size());
    for (std::int64_t j = 0; j < step.kept; ++j) {
      const float source = std::max(0.0f, scale * (static_cast<float>(j) + 0.5f) - 0.5f);
      const auto low = static_cast<std::int64_t>(source);
      const std::int64_t high = low < count - 1 ? low + 1 : low;
      const float upper = std::clamp(source - static_cast<float>(low), 0.0f, 1.0f);
      const float lower = 1.0f - upper;
      blendRows(current, low, lower, high, upper, next, j);
    }
    current = std::move(next);
  }
  AxisTaps axis;
  axis.inputs = inputs;
  axis.outputs = current.rows();
  axis.taps = *std::max_element(current.count.begin(), current.count.end());
  axis.index.assign(static_cast<size_t>(axis.outputs * axis.taps), 0);
  axis.weight.assign(axis.index.size(), 0.0f);
  for (std::int64_t i = 0; i < axis.outputs; ++i) {
    for (std::int64_t k = 0; k < current.count[static_cast<size_t>(i)]; ++k) {
      const auto from = static_cast<size_t>(i * current.width + k);
      const auto to = static_cast<size_t>(i * axis.taps + k);
      axis.index[to] = current.index[from];
      axis.weight[to] = static_cast<float>(current.weight[from]);
    }
  }
  return axis;
}

namespace {

// out[c] = the taps of output column c over `line`; Taps > 0 fixes their count at compile time
// (the common 2 of a bilinear upsampling: the whole resize 0.62 -> 0.45 ms for a click).
template <int Taps>
inline void blendColumnsOf(const float* line, const AxisTaps& cols, float* out) {
  const std::int64_t taps = Taps > 0 ? Taps : cols.taps;
  const float* weight = cols.weight.data();
  const std::int64_t* index = cols.index.data();
  for (std::int64_t c = 0; c < cols.outputs; ++c) {
    float sum = 0.0f;
    for (std::int64_t k = 0; k < taps; ++k) sum += weight[c * taps + k] * line[index[c * taps + k]];
    out[c] = sum;
  }
}
inline void blendColumns(const float* line, const AxisTaps& cols, float* out) {
  if (cols.taps == 2) return blendColumnsOf<2>(line, cols, out);
  blendColumnsOf<0>(line, cols, out);
}

// out = the taps of output row `row` over the rows of `source` (each `width` long).
inline void blendRowsOf(const float* source, std::int64_t width, const AxisTaps& rows,
                        std::int64_t row, float* out) {
  std::fill(out, out + width, 0.0f);
  for (std::int64_t k = 0; k < rows.taps; ++k) {
    const float w = rows.weight[static_cast<size_t>(row * rows.taps + k)];
    if (w == 0.0f) continue;
    const float* line = source + rows.index[static_cast<size_t>(row * rows.taps + k)] * width;
    for (std::int64_t c = 0; c < width; ++c) out[c] += w * line[c];
  }
}

}  // namespace

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
  if (rows.outputs > height) {
    // Upsampling rows: the columns' gathers (scalar) on the fewer input rows first, then each
    // output row as a blend of whole rows (vectorised).
    std::vector<float> narrow(static_cast<size_t>(planes * height * cols.outputs));
    at::parallel_for(0, planes * height, 16, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task)
        blendColumns(in + task * width, cols, narrow.data() + task * cols.outputs);
    });
    at::parallel_for(0, planes * rows.outputs, 16, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t plane = task / rows.outputs, row = task % rows.outputs;
        blendRowsOf(narrow.data() + plane * height * cols.outputs, cols.outputs, rows, row,
                    o + task * cols.outputs);
      }
    });
    return out;
  }
  // One output row per task: its input rows blended into one row of `width`, then each output
  // column blended from that row.
  at::parallel_for(0, planes * rows.outputs, 16, [&](std::int64_t begin, std::int64_t end) {
    std::vector<float> blended(static_cast<size_t>(width));
    for (std::int64_t task = begin; task < end; ++task) {
      const std::int64_t plane = task / rows.outputs, row = task % rows.outputs;
      blendRowsOf(in + plane * height * width, width, rows, row, blended.data());
      blendColumns(blended.data(), cols, o + task * cols.outputs);
    }
  });
  return out;
}

}  // namespace medsa::model
