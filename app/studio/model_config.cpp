#include "model_config.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

#include "medsa/core/atomic_file.h"
#include "medsa/core/json.h"

namespace medsa::app {
namespace {

/// One name for a file however it is spelled (relative, through links), when it exists.
QString canonical(const QString& path) {
  const QFileInfo info(path);
  const QString resolved = info.canonicalFilePath();
  return resolved.isEmpty() ? info.absoluteFilePath() : resolved;
}

}  // namespace

ModelConfigs::ModelConfigs(const QString& startupCheckpoint, const QString& explicitConfig)
    : startupCheckpoint_(startupCheckpoint.isEmpty() ? QString() : canonical(startupCheckpoint)),
      explicitConfig_(explicitConfig) {}

QString ModelConfigs::configPathFor(const QString& checkpoint) const {
  if (!explicitConfig_.isEmpty() && !startupCheckpoint_.isEmpty() &&
      canonical(checkpoint) == startupCheckpoint_) {
    return explicitConfig_;
  }
  const QFileInfo info(checkpoint);
  for (const QString& candidate :
       {info.dir().filePath(info.completeBaseName() + QStringLiteral("_config.json")),
        info.dir().filePath(QStringLiteral("config.json"))}) {
    if (QFileInfo::exists(candidate)) return candidate;
  }
  return {};
}

Result<std::optional<model::SamConfig>> ModelConfigs::configFor(const QString& checkpoint) const {
  const QString path = configPathFor(checkpoint);
  if (path.isEmpty()) return std::optional<model::SamConfig>{};
  const std::string where = path.toStdString();
  Result<std::string> text = readWholeFile(where, 1 << 20);
  if (!text) return text.error();
  Result<Json> json = parseJson(text.value(), where);
  if (!json) return json.error();
  Result<model::SamConfig> config = model::SamConfig::fromJson(json.value(), where);
  if (!config) return config.error();
  return std::optional<model::SamConfig>(config.value());
}

}  // namespace medsa::app
