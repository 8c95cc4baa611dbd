#pragma once
// Model → Manage Models…: the catalogue with what is on this machine, downloads with progress,
// pause/resume and cancel, import of a local file, and the default model per modality. The
// rules are in ModelStore, ModelDownloader and judgeFile(); this dialog only asks and shows.

#include <QDialog>
#include <QTimer>

#include "medsa/ui/file_hasher.h"
#include "medsa/ui/model_downloader.h"
#include "medsa/ui/model_store.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace medsa::ui {

class ModelManagerDialog : public QDialog {
  Q_OBJECT

 public:
  explicit ModelManagerDialog(ModelStore store, QWidget* parent = nullptr);

  ModelStore& store() { return store_; }
  ModelDownloader* downloader() { return &downloader_; }
  /// Selects the row of a catalogue id (or an imported file's path).
  void select(const QString& idOrPath);
  /// Checks `path` against the catalogue (SHA-256 on a worker thread) and records it: as the
  /// entry it is, unverified where the catalogue has no checksum, as another model where no
  /// entry names it; refused where an entry names it but the SHA-256 differs.
  void importFile(const QString& path);
  bool isImporting() const { return hasher_.isRunning(); }
  /// What the dialog last told the user (the status line under the table).
  QString message() const;

 signals:
  /// "Use" on an installed model: the window loads it.
  void useModel(const QString& path);

 private:
  void buildRows();
  void refresh();
  void updateButtons();
  void showProgress();
  void onDownloadState(ModelDownloader::State state);
  void onImported();
  void chooseImport();
  void say(const QString& text, bool problem = false);
  void fillDefaults();
  const CatalogueEntry* selectedEntry() const;
  QString selectedPath() const;

  ModelStore store_;
  ModelDownloader downloader_;
  FileHasher hasher_;
  QTimer poll_;
  QTableWidget* table_;
  QLabel* details_;
  QLabel* status_;
  QProgressBar* progress_;
  QPushButton* download_;
  QPushButton* pause_;
  QPushButton* resume_;
  QPushButton* cancel_;
  QPushButton* import_;
  QPushButton* page_;
  QPushButton* use_;
  QList<QComboBox*> defaults_;
};

}  // namespace medsa::ui
