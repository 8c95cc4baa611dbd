#pragma once
// Loads the official SAM reference outputs (tests/data/sam-parity, ../shared/fixtures/sam-parity)
// for the parity tests. The *_cases.pt files are plain dicts of tensors, which LibTorch's own
// pickle_load reads: an independent path from our checkpoint reader.

#include <torch/torch.h>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <map>
#include <string>

#include "medsa/core/json.h"
#include "medsa/core/rgb_image.h"
#include "medsa/model/sam_config.h"
#include "medsa/model/sam_model.h"

namespace medsa::test {

inline std::map<std::string, torch::Tensor> loadCases(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QByteArray bytes = file.readAll();
  const std::vector<char> data(bytes.begin(), bytes.end());
  const c10::IValue value = torch::pickle_load(data);
  std::map<std::string, torch::Tensor> cases;
  for (const auto& item : value.toGenericDict()) {
    cases.emplace(item.key().toStringRef(), item.value().toTensor());
  }
  return cases;
}

inline model::SamConfig manifestConfig(const QString& manifestPath, const std::string& name) {
  QFile file(manifestPath);
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QByteArray bytes = file.readAll();
  const Result<Json> manifest = parseJson(std::string_view(bytes.constData(), bytes.size()));
  const Json* config = manifest.ok() ? manifest->find(name) : nullptr;
  config = config ? config->find("config") : nullptr;
  if (!config) return {};
  return model::SamConfig::fromJson(*config).value();
}

/// The tiny SAM of tests/data/sam-parity with its manifest geometry; aborts the test binary if
/// the copied fixture is unreadable (every model test depends on it).
inline std::shared_ptr<model::SamModel> loadTiny(const model::EngineOptions& options = {}) {
  const QString dir = QStringLiteral(MEDSA_TEST_DATA_DIR "/sam-parity");
  auto loaded = model::SamModel::load((dir + "/tiny.pth").toStdString(),
                                      manifestConfig(dir + "/manifest.json", "tiny"), options);
  if (!loaded.ok()) qFatal("%s", loaded.error().describe().c_str());
  return loaded.value();
}

/// An H x W x 3 uint8 tensor as an RgbImage.
inline RgbImage toRgbImage(const torch::Tensor& hwc) {
  const torch::Tensor c = hwc.contiguous();
  RgbImage image(static_cast<int>(c.size(1)), static_cast<int>(c.size(0)));
  std::memcpy(image.pixels.data(), c.data_ptr<std::uint8_t>(), image.pixels.size());
  return image;
}

inline double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().max().item<double>();
}

/// Share of pixels where both logit maps agree on the side of 0.
inline double maskAgreement(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a > 0) == (b > 0)).to(torch::kFloat).mean().item<double>();
}

/// Agreement of the masks where the reference logit is at least `margin` away from the
/// threshold: pixels that a reduced precision may legitimately flip are left out (randomly
/// initialised fixtures have wide regions of logits near zero).
inline double confidentAgreement(const torch::Tensor& ours, const torch::Tensor& reference,
                                 double margin) {
  const torch::Tensor confident = reference.abs() >= margin;
  const double count = confident.sum().item<double>();
  if (count == 0) return 1;
  const torch::Tensor same = ((ours > 0) == (reference > 0)) & confident;
  return same.sum().item<double>() / count;
}

}  // namespace medsa::test
