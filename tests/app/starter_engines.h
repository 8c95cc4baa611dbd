#pragma once
// The shipped starter model as the engine of a test window, with or without an adapter file
// (what medsa-studio's trainer service hot-swaps), for the trainer tests.

#include <QString>

#include <memory>

#include "medsa/model/predictor.h"
#include "medsa/model/sam_model.h"
#include "trainer_service.h"

namespace medsa::test {

inline const QString kStarter =
    QStringLiteral(MEDSA_TEST_DATA_DIR "/../../models/starter.safetensors");

inline app::AdapterEngineFactory starterEngines() {
  return [](const QString& checkpoint, const QString& adapter) -> ui::EngineFactory {
    return [checkpoint, adapter]() -> Result<std::unique_ptr<SegmentationEngine>> {
      model::EngineOptions options;
      options.adapterFile = adapter.toStdString();
      auto model = model::SamModel::load(checkpoint.toStdString(), std::nullopt, options);
      if (!model) return model.error();
      return std::unique_ptr<SegmentationEngine>(std::make_unique<model::Predictor>(model.value()));
    };
  };
}

}  // namespace medsa::test
