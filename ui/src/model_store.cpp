#include "medsa/ui/model_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace medsa::ui {
namespace {

QString importKey(const CatalogueEntry& entry) {
  return QStringLiteral("models/imported/") + entry.id;
}

bool isFile(const QString& path) { return !path.isEmpty() && QFileInfo(path).isFile(); }

}  // namespace

QString modalityKey(Modality modality) {
  switch (modality) {
    case Modality::Ct:
      return QStringLiteral("ct");
    case Modality::Mr:
      return QStringLiteral("mr");
    case Modality::Photo:
      break;
  }
  return QStringLiteral("photo");
}

ModelStore::ModelStore(ModelCatalogue catalogue, QString folder)
    : catalogue_(std::move(catalogue)), folder_(std::move(folder)) {}

QString ModelStore::defaultFolder() {
  const QString overridden = qEnvironmentVariable("MEDSA_MODELS_DIR");
  if (!overridden.isEmpty()) return overridden;
  return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
      .filePath(QStringLiteral("models"));
}

QString ModelStore::downloadPath(const CatalogueEntry& entry) const {
  return QDir(folder_).filePath(entry.file);
}

QString ModelStore::installedPath(const CatalogueEntry& entry) const {
  if (entry.bundled) {
    // Beside the executable, as in the installed package and the build tree.
    const QString shipped =
        QDir(QCoreApplication::applicationDirPath())
            .filePath(QStringLiteral("../share/medsa-studio/models/") + entry.file);
    return isFile(shipped) ? QDir::cleanPath(shipped) : QString();
  }
  const QString downloaded = downloadPath(entry);
  if (isFile(downloaded)) return downloaded;
  const QString imported = QSettings().value(importKey(entry)).toString();
  return isFile(imported) ? imported : QString();
}

qint64 ModelStore::partialBytes(const CatalogueEntry& entry) const {
  const QFileInfo part(downloadPath(entry) + QStringLiteral(".part"));
  return part.isFile() ? part.size() : 0;
}

void ModelStore::rememberImport(const CatalogueEntry& entry, const QString& path) {
  QSettings().setValue(importKey(entry), QFileInfo(path).absoluteFilePath());
}

void ModelStore::rememberOtherModel(const QString& path) {
  QSettings settings;
  QStringList others = settings.value(QStringLiteral("models/others")).toStringList();
  const QString absolute = QFileInfo(path).absoluteFilePath();
  if (!others.contains(absolute)) others.append(absolute);
  settings.setValue(QStringLiteral("models/others"), others);
}

QStringList ModelStore::otherModels() const {
  QStringList existing;
  for (const QString& path : QSettings().value(QStringLiteral("models/others")).toStringList()) {
    if (isFile(path)) existing.append(path);
  }
  return existing;
}

QString ModelStore::defaultModel(Modality modality) const {
  return QSettings().value(QStringLiteral("models/default/") + modalityKey(modality)).toString();
}

void ModelStore::setDefaultModel(Modality modality, const QString& idOrPath) {
  QSettings settings;
  const QString key = QStringLiteral("models/default/") + modalityKey(modality);
  if (idOrPath.isEmpty())
    settings.remove(key);
  else
    settings.setValue(key, idOrPath);
}

QString ModelStore::resolve(const QString& idOrPath) const {
  if (idOrPath.isEmpty()) return {};
  if (const CatalogueEntry* entry = catalogue_.find(idOrPath)) return installedPath(*entry);
  return isFile(idOrPath) ? idOrPath : QString();
}

}  // namespace medsa::ui
