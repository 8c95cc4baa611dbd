#pragma once

// Helpers shared by the medsa_io tests: where the data is, and comparisons with messages.
#include <QString>
#include <QTest>

#include <cmath>
#include <string>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

namespace medsa::test {

/// tests/data/io/<name>.
inline std::string ioData(const std::string& name) {
  return std::string(MEDSA_TEST_DATA_DIR) + "/io/" + name;
}

/// The error of a failed result as text, for QVERIFY2 messages.
template <typename R>
QByteArray describe(const R& result) {
  return result.ok() ? QByteArray("ok") : QByteArray::fromStdString(result.error().describe());
}

/// |a - b| <= tolerance * max(1, |b|).
inline bool near(double a, double b, double tolerance) {
  return std::abs(a - b) <= tolerance * std::max(1.0, std::abs(b));
}

/// Sum of every component of every voxel.
inline double pixelSum(const Image& image) {
  const std::size_t n = image.voxelCount() * static_cast<std::size_t>(image.components());
  return visitPixels(image, [n](const auto* p) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += static_cast<double>(p[i]);
    return sum;
  });
}

}  // namespace medsa::test
