#pragma once
// Which geometry (SamConfig) each checkpoint opened in medsa-studio is built with.

#include <QString>

#include <optional>

#include "medsa/core/error.h"
#include "medsa/model/sam_config.h"

namespace medsa::app {

/// `--model-config` describes the checkpoint opened at start-up and no other: a model chosen
/// later in the window gets "<name>_config.json" or "config.json" beside it, else nothing (the
/// loader infers the geometry from the tensor shapes), as does the start-up one without
/// `--model-config`.
class ModelConfigs {
 public:
  /// `startupCheckpoint`: the checkpoint opened at start-up (--model, else the one remembered
  /// from last time); `explicitConfig`: --model-config. Either may be empty.
  ModelConfigs(const QString& startupCheckpoint, const QString& explicitConfig);

  /// The config file for `checkpoint`, empty when its geometry is to be inferred.
  QString configPathFor(const QString& checkpoint) const;

  /// The geometry read from that file, nullopt to infer it, or an Error naming the file.
  Result<std::optional<model::SamConfig>> configFor(const QString& checkpoint) const;

 private:
  QString startupCheckpoint_;  ///< canonical, so any spelling of the same file matches
  QString explicitConfig_;
};

}  // namespace medsa::app
