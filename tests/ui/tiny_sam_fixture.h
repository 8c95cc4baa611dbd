#pragma once

// The tiny random-weight SAM of the parity fixtures (tests/data/sam-parity) as an engine factory
// for the window's engine thread.
#include <memory>
#include <string>

#include "medsa/core/atomic_file.h"
#include "medsa/core/json.h"
#include "medsa/model/predictor.h"
#include "medsa/model/sam_model.h"
#include "medsa/ui/engine_controller.h"

inline medsa::Result<medsa::ui::EngineFactory> tinySamFactory() {
  const std::string dir = MEDSA_TEST_DATA_DIR "/sam-parity/";
  auto text = medsa::readWholeFile(dir + "tiny_config.json");
  if (!text) return text.error();
  auto json = medsa::parseJson(text.value());
  if (!json) return json.error();
  auto config = medsa::model::SamConfig::fromJson(json.value());
  if (!config) return config.error();
  return medsa::ui::EngineFactory(
      [dir, c = config.value()]() -> medsa::Result<std::unique_ptr<medsa::SegmentationEngine>> {
        auto model = medsa::model::SamModel::load(dir + "tiny.pth", c, {});
        if (!model) return model.error();
        return std::unique_ptr<medsa::SegmentationEngine>(
            std::make_unique<medsa::model::Predictor>(model.value()));
      });
}
