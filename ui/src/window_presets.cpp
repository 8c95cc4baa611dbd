#include "medsa/ui/window_presets.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>
#include <vector>

namespace medsa::ui {

QList<NamedWindow> ctWindowPresets() {
  // Spelled out for lupdate, which reads the context from each call.
  return {{QCoreApplication::translate("WindowPresets", "CT Brain"),
           {40, 80, false},
           QStringLiteral("1")},
          {QCoreApplication::translate("WindowPresets", "CT Lung"),
           {-600, 1500, false},
           QStringLiteral("2")},
          {QCoreApplication::translate("WindowPresets", "CT Abdomen"),
           {40, 400, false},
           QStringLiteral("3")},
          {QCoreApplication::translate("WindowPresets", "CT Bone"),
           {400, 1800, false},
           QStringLiteral("4")}};
}

WindowLevel percentileWindow(const Image& image, double low, double high) {
  WindowLevel window = defaultWindow(image);
  if (image.isEmpty()) return window;
  const std::size_t count = image.voxelCount() * static_cast<std::size_t>(image.components());
  const std::size_t step = std::max<std::size_t>(1, count / 200000);
  std::vector<double> samples;
  samples.reserve(count / step + 1);
  visitPixels(image, [&](const auto* data) {
    for (std::size_t i = 0; i < count; i += step) {
      const double v = static_cast<double>(data[i]);
      if (std::isfinite(v)) samples.push_back(v);
    }
  });
  if (samples.empty()) return window;
  auto at = [&](double q) {
    const auto k = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1));
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k),
                     samples.end());
    return samples[k];
  };
  const double lo = at(low), hi = at(high);
  window.center = (lo + hi) / 2;
  window.width = std::max(1.0, hi - lo);
  return window;
}

}  // namespace medsa::ui
