#include "zoom_in.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "sam_model_impl.h"

namespace medsa::model {

bool zoomInEnabled(const SamModel& model) {
  const SamModel::Impl& m = model.impl();
  if (m.sam->adapters && m.sam->adapters->depth) return false;
  switch (m.options.zoomIn) {
    case ZoomIn::On:
      return true;
    case ZoomIn::Off:
      return false;
    case ZoomIn::Auto:
      break;
  }
  return m.config.imageSize <= 512;
}

std::optional<PixelRect> positiveExtent(const std::vector<float>& logits, int size,
                                        PixelRect region, const FrameGeometry& frame) {
  const double cell = static_cast<double>(frame.modelSize) / size;
  int x0 = size, y0 = size, x1 = -1, y1 = -1;
  for (int gy = 0; gy < size; ++gy) {
    for (int gx = 0; gx < size; ++gx) {
      if (logits[static_cast<std::size_t>(gy) * size + gx] <= 0) continue;
      x0 = std::min(x0, gx);
      x1 = std::max(x1, gx);
      y0 = std::min(y0, gy);
      y1 = std::max(y1, gy);
    }
  }
  if (x1 < 0) return std::nullopt;
  // A cell covers frame pixels [g * cell, (g + 1) * cell); the frame is the region scaled.
  const auto toPicture = [&](double picture, int origin, int limit) {
    return std::clamp(origin + static_cast<int>(picture), origin, limit);
  };
  PixelRect extent{toPicture(std::floor(x0 * cell / frame.scaleX()), region.x0, region.x1),
                   toPicture(std::floor(y0 * cell / frame.scaleY()), region.y0, region.y1),
                   toPicture(std::ceil((x1 + 1) * cell / frame.scaleX()), region.x0, region.x1),
                   toPicture(std::ceil((y1 + 1) * cell / frame.scaleY()), region.y0, region.y1)};
  if (extent.width() <= 0 || extent.height() <= 0) return std::nullopt;  // only padding cells
  return extent;
}

PixelRect zoomRegion(PixelRect content, int width, int height, const ZoomGeometry& geometry) {
  const double w = geometry.expansion * std::max(content.width(), 1);
  const double h = geometry.expansion * std::max(content.height(), 1);
  const double minSide = geometry.minSideFraction * std::max(width, height);
  // At most 2:1, so a thin object still gets context across it.
  const double halfW = std::max({w, h / 2, minSide}) / 2;
  const double halfH = std::max({h, w / 2, minSide}) / 2;
  const double cx = (content.x0 + content.x1) / 2.0, cy = (content.y0 + content.y1) / 2.0;
  // Moved inside the picture at its edges, so that the crop keeps its size.
  const auto span = [](double centre, double half, int limit) {
    const int size = std::min(limit, static_cast<int>(std::ceil(2 * half)));
    const int start = std::clamp(static_cast<int>(std::floor(centre - half)), 0, limit - size);
    return std::pair{start, start + size};
  };
  const auto [x0, x1] = span(cx, halfW, width);
  const auto [y0, y1] = span(cy, halfH, height);
  return {x0, y0, x1, y1};
}

bool keepsRegion(PixelRect current, PixelRect content, PixelRect wanted,
                 const ZoomGeometry& geometry) {
  const double cx = (content.x0 + content.x1) / 2.0, cy = (content.y0 + content.y1) / 2.0;
  const double halfW = geometry.keepMargin * content.width() / 2;
  const double halfH = geometry.keepMargin * content.height() / 2;
  const bool inside = cx - halfW >= current.x0 && cy - halfH >= current.y0 &&
                      cx + halfW <= current.x1 && cy + halfH <= current.y1;
  const double area = static_cast<double>(current.width()) * current.height();
  return inside && area > 0 &&
         static_cast<double>(wanted.width()) * wanted.height() / area >= geometry.keepShare;
}

std::vector<float> resampleLowRes(const std::vector<float>& logits, int size, PixelRect from,
                                  const FrameGeometry& fromFrame, PixelRect to,
                                  const FrameGeometry& toFrame, float outside) {
  const double toCell = static_cast<double>(toFrame.modelSize) / size;
  const double fromCell = static_cast<double>(fromFrame.modelSize) / size;
  const auto at = [&](int gx, int gy) {
    return logits[static_cast<std::size_t>(std::clamp(gy, 0, size - 1)) * size +
                  std::clamp(gx, 0, size - 1)];
  };
  std::vector<float> out(static_cast<std::size_t>(size) * size, outside);
  for (int gy = 0; gy < size; ++gy) {
    const double fy = (gy + 0.5) * toCell;  // the cell's centre in the target frame
    if (fy >= toFrame.resizedHeight) continue;
    const double y = to.y0 + fy / toFrame.scaleY();  // in the picture
    if (y < from.y0 || y >= from.y1) continue;
    const double sy = (y - from.y0) * fromFrame.scaleY() / fromCell - 0.5;  // source cells
    const int y0 = static_cast<int>(std::floor(sy));
    const double wy = sy - y0;
    for (int gx = 0; gx < size; ++gx) {
      const double fx = (gx + 0.5) * toCell;
      if (fx >= toFrame.resizedWidth) continue;
      const double x = to.x0 + fx / toFrame.scaleX();
      if (x < from.x0 || x >= from.x1) continue;
      const double sx = (x - from.x0) * fromFrame.scaleX() / fromCell - 0.5;
      const int x0 = static_cast<int>(std::floor(sx));
      const double wx = sx - x0;
      const double top = (1 - wx) * at(x0, y0) + wx * at(x0 + 1, y0);
      const double bottom = (1 - wx) * at(x0, y0 + 1) + wx * at(x0 + 1, y0 + 1);
      out[static_cast<std::size_t>(gy) * size + gx] =
          static_cast<float>((1 - wy) * top + wy * bottom);
    }
  }
  return out;
}

Prompt promptInRegion(const Prompt& prompt, PixelRect region) {
  Prompt local = prompt;
  local.points.clear();
  for (PromptPoint p : prompt.points) {
    p.x -= region.x0;
    p.y -= region.y0;
    // A click outside the crop would sit outside the frame the model was trained on; only
    // negative ones can be there (positives are part of the crop), and the crop already leaves
    // out what they excluded.
    const bool inside = p.x >= 0 && p.y >= 0 && p.x < region.width() && p.y < region.height();
    if (inside || p.positive) local.points.push_back(p);
  }
  if (local.box) {
    local.box->x0 -= region.x0;
    local.box->x1 -= region.x0;
    local.box->y0 -= region.y0;
    local.box->y1 -= region.y0;
  }
  return local;
}

}  // namespace medsa::model
