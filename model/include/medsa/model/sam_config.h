#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/json.h"

namespace medsa::model {

/// Geometry of a Segment Anything model. The official vit_b/vit_l/vit_h and any smaller
/// geometry (the parity fixtures) are instances of it. Field names follow the `config`
/// entries of the parity fixtures' manifest.json.
struct SamConfig {
  int imageSize = 1024;  ///< img_size: model input side, pixels
  int patchSize = 16;
  int embedDim = 768;                                      ///< embed_dim: encoder width
  int depth = 12;                                          ///< number of ViT blocks
  int heads = 12;                                          ///< encoder attention heads
  std::vector<int> globalAttentionBlocks = {2, 5, 8, 11};  ///< global_idx
  int windowSize = 14;  ///< window: window attention side, tokens
  int mlpRatio = 4;
  int promptDim = 256;       ///< prompt_dim: neck output = prompt and decoder width
  int maskInChannels = 16;   ///< mask_in
  int decoderMlpDim = 2048;  ///< dec_mlp
  int decoderHeads = 8;      ///< dec_heads
  int decoderDepth = 2;
  int iouHeadHidden = 256;  ///< iou_hidden
  int multimaskOutputs = 3;

  int tokenGrid() const { return imageSize / patchSize; }
  int lowResSize() const { return tokenGrid() * 4; }
  bool isGlobal(int block) const;

  /// Checks that every size is positive and consistent (divisibility, head dims).
  Status validate() const;

  /// "vit_b", "vit_l", "vit_h", or "starter" (our small model, docs/models/starter.md).
  static Result<SamConfig> preset(std::string_view name);
  /// Reads the manifest's config object: img_size, embed_dim, depth, heads, global_idx,
  /// window, prompt_dim, mask_in, dec_mlp, dec_heads, iou_hidden (all required); patch_size,
  /// mlp_ratio and dec_depth are optional (16, 4 and 2, as in SAM).
  static Result<SamConfig> fromJson(const Json& json, std::string_view source = {});
  Json toJson() const;

  /// Infers the geometry from checkpoint tensor shapes (name -> shape), e.g. a MedSAM file.
  static Result<SamConfig> inferFromShapes(const std::map<std::string, std::vector<long>>& shapes);

  friend bool operator==(const SamConfig&, const SamConfig&) = default;
};

}  // namespace medsa::model
