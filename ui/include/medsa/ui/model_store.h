#pragma once
// Where models live on this machine: the models folder (downloads), files imported from
// elsewhere, the model shipped with the program, and the default model per modality. Settings
// go through QSettings, so the window and `medsa models` agree.

#include <QString>
#include <QStringList>

#include "medsa/ui/model_catalogue.h"

namespace medsa::ui {

enum class Modality { Ct, Mr, Photo };
/// "ct", "mr", "photo": the settings key and the CLI's word.
QString modalityKey(Modality modality);

class ModelStore {
 public:
  /// `folder`: where downloads go (created on first download).
  ModelStore(ModelCatalogue catalogue, QString folder);

  /// $MEDSA_MODELS_DIR if set, else "models" in the user's data folder (QStandardPaths).
  static QString defaultFolder();

  const ModelCatalogue& catalogue() const { return catalogue_; }
  QString folder() const { return folder_; }

  /// Where the entry's file is on this machine, or empty when it is not: the starter model
  /// beside the program (../share/medsa-studio/models/), a finished download in folder(), or
  /// the file it was imported from.
  QString installedPath(const CatalogueEntry& entry) const;
  /// Where a download of `entry` goes: folder()/FILE.
  QString downloadPath(const CatalogueEntry& entry) const;
  /// Bytes of an unfinished download (folder()/FILE.part) kept for resuming; 0 when none.
  qint64 partialBytes(const CatalogueEntry& entry) const;

  /// Records a verified (or, for an entry without checksum, unverified) file for `entry`.
  void rememberImport(const CatalogueEntry& entry, const QString& path);
  /// Records a file that no catalogue entry names (used as it is, never verified).
  void rememberOtherModel(const QString& path);
  /// Files imported that no entry names, that still exist.
  QStringList otherModels() const;

  /// The model chosen for a modality: a catalogue id or a file's path; empty when none.
  QString defaultModel(Modality modality) const;
  void setDefaultModel(Modality modality, const QString& idOrPath);
  /// The file a default (catalogue id or path) stands for, empty when it is not on this machine.
  QString resolve(const QString& idOrPath) const;

 private:
  ModelCatalogue catalogue_;
  QString folder_;
};

}  // namespace medsa::ui
