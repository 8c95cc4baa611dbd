#pragma once
// A SAM small enough to train in a test: 64-pixel input, a 32-wide decoder (not SAM's 256),
// and synthetic scenes at its size. Shared by the full-training and adapter-training tests.

#include <cstdint>
#include <vector>

#include "medsa/core/synthetic_scene.h"
#include "medsa/model/sam_config.h"

namespace medsa::test {

inline model::SamConfig trainableTinyConfig() {
  model::SamConfig c;
  c.imageSize = 64;
  c.patchSize = 8;
  c.embedDim = 32;
  c.depth = 2;
  c.heads = 2;
  c.globalAttentionBlocks = {1};
  c.windowSize = 4;
  c.mlpRatio = 2;
  c.promptDim = 32;
  c.maskInChannels = 4;
  c.decoderMlpDim = 64;
  c.decoderHeads = 2;
  c.iouHeadHidden = 32;
  return c;
}

/// `count` synthetic scenes of `seed` from index `first`, at the tiny model's size.
inline std::vector<LabeledPicture> tinyScenes(std::uint64_t seed, std::uint64_t first, int count) {
  SceneOptions options;
  options.size = 64;
  options.mix.maxRadius = 0.35;
  return generateSceneSet(seed, first, count, options);
}

}  // namespace medsa::test
