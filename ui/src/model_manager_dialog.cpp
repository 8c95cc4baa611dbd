#include "medsa/ui/model_manager_dialog.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

#include "medsa/ui/error_text.h"

namespace medsa::ui {
namespace {

enum Column { kName, kSize, kLicence, kProfile, kChecksum, kStatus, kColumns };
constexpr int kKeyRole = Qt::UserRole;  // catalogue id, or the file of another model
constexpr int kIsEntryRole = Qt::UserRole + 1;

QString megabytes(qint64 bytes) { return QString::number(double(bytes) / 1e6, 'f', 1); }

}  // namespace

ModelManagerDialog::ModelManagerDialog(ModelStore store, QWidget* parent)
    : QDialog(parent), store_(std::move(store)) {
  setWindowTitle(tr("Manage Models"));
  setObjectName(QStringLiteral("modelManagerDialog"));

  table_ = new QTableWidget(0, kColumns, this);
  table_->setObjectName(QStringLiteral("modelTable"));
  table_->setHorizontalHeaderLabels({tr("Model"), tr("Size"), tr("Licence"), tr("Profile"),
                                     tr("SHA-256"), tr("On this machine")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->horizontalHeader()->setStretchLastSection(true);

  details_ = new QLabel(this);
  details_->setObjectName(QStringLiteral("modelDetails"));
  details_->setWordWrap(true);
  details_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  const auto button = [this](const QString& text, const char* name) {
    auto* b = new QPushButton(text, this);
    b->setObjectName(QLatin1String(name));
    b->setAutoDefault(false);
    return b;
  };
  download_ = button(tr("&Download"), "downloadButton");
  pause_ = button(tr("&Pause"), "pauseButton");
  resume_ = button(tr("&Resume"), "resumeButton");
  cancel_ = button(tr("&Cancel Download"), "cancelButton");
  import_ = button(tr("&Import File\u2026"), "importButton");
  page_ = button(tr("Open Download Pa&ge"), "pageButton");
  use_ = button(tr("&Use"), "useButton");
  auto* actions = new QHBoxLayout;
  for (QPushButton* b : {download_, pause_, resume_, cancel_, import_, page_})
    actions->addWidget(b);
  actions->addStretch();
  actions->addWidget(use_);

  progress_ = new QProgressBar(this);
  progress_->setObjectName(QStringLiteral("downloadProgress"));
  progress_->setRange(0, 1000);
  progress_->setValue(0);
  progress_->setVisible(false);
  status_ = new QLabel(this);
  status_->setObjectName(QStringLiteral("modelStatus"));
  status_->setWordWrap(true);
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* defaultsBox = new QGroupBox(tr("Default model per modality"), this);
  auto* form = new QFormLayout(defaultsBox);
  const QList<QPair<Modality, QString>> modalities{
      {Modality::Ct, tr("CT:")}, {Modality::Mr, tr("MR:")}, {Modality::Photo, tr("Photographs:")}};
  for (const auto& [modality, label] : modalities) {
    auto* combo = new QComboBox(defaultsBox);
    combo->setObjectName(QStringLiteral("default_%1").arg(modalityKey(modality)));
    form->addRow(label, combo);
    defaults_.append(combo);
    const Modality which = modality;
    connect(combo, &QComboBox::activated, this, [this, combo, which] {
      store_.setDefaultModel(which, combo->currentData().toString());
    });
  }

  auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(close, &QDialogButtonBox::rejected, this, &QDialog::close);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_, 1);
  layout->addWidget(details_);
  layout->addLayout(actions);
  layout->addWidget(progress_);
  layout->addWidget(status_);
  layout->addWidget(defaultsBox);
  layout->addWidget(close);
  resize(820, 560);

  connect(table_, &QTableWidget::itemSelectionChanged, this, &ModelManagerDialog::updateButtons);
  connect(download_, &QPushButton::clicked, this, [this] {
    const CatalogueEntry* entry = selectedEntry();
    if (!entry) return;
    if (!downloader_.start(*entry, store_.folder())) say(errorText(downloader_.error()), true);
    updateButtons();
  });
  connect(pause_, &QPushButton::clicked, &downloader_, &ModelDownloader::pause);
  connect(resume_, &QPushButton::clicked, &downloader_, &ModelDownloader::resume);
  connect(cancel_, &QPushButton::clicked, &downloader_, &ModelDownloader::cancel);
  connect(import_, &QPushButton::clicked, this, &ModelManagerDialog::chooseImport);
  connect(page_, &QPushButton::clicked, this, [this] {
    if (const CatalogueEntry* entry = selectedEntry()) {
      QDesktopServices::openUrl(QUrl(entry->url.isEmpty() ? entry->page : entry->url));
    }
  });
  connect(use_, &QPushButton::clicked, this, [this] {
    const QString path = selectedPath();
    if (path.isEmpty()) return;
    say(tr("Loading %1\u2026").arg(QFileInfo(path).fileName()));
    emit useModel(path);
  });
  connect(&downloader_, &ModelDownloader::stateChanged, this, &ModelManagerDialog::onDownloadState);
  connect(&downloader_, &ModelDownloader::progress, this, &ModelManagerDialog::showProgress);
  connect(&hasher_, &FileHasher::finished, this, &ModelManagerDialog::onImported);
  // The SHA-256 checks report by polling: no signal per piece read.
  poll_.setInterval(200);
  connect(&poll_, &QTimer::timeout, this, &ModelManagerDialog::showProgress);

  buildRows();
  if (table_->rowCount() > 0) table_->selectRow(0);
  refresh();
}

void ModelManagerDialog::buildRows() {
  const QString selected =
      table_->currentRow() >= 0
          ? table_->item(table_->currentRow(), kName)->data(kKeyRole).toString()
          : QString();
  table_->setRowCount(0);
  const auto addRow = [this](const QStringList& cells, const QString& key, bool isEntry,
                             const QString& tip) {
    const int row = table_->rowCount();
    table_->insertRow(row);
    for (int column = 0; column < kColumns; ++column) {
      auto* item = new QTableWidgetItem(cells.value(column));
      item->setData(kKeyRole, key);
      item->setData(kIsEntryRole, isEntry);
      item->setToolTip(tip);
      table_->setItem(row, column, item);
    }
  };
  for (const CatalogueEntry& entry : store_.catalogue().entries()) {
    addRow({entry.name, entry.size ? tr("%1 MB").arg(megabytes(*entry.size)) : tr("unknown"),
            entry.licence, entry.profile == QLatin1String("medsam") ? tr("MedSAM") : tr("SAM"),
            entry.hasChecksum() ? tr("yes") : tr("none"), QString()},
           entry.id, true, entry.checksumSource);
  }
  for (const QString& path : store_.otherModels()) {
    addRow({QFileInfo(path).fileName(), tr("%1 MB").arg(megabytes(QFileInfo(path).size())),
            tr("unknown"), tr("SAM"), tr("none"), QString()},
           path, false, path);
  }
  if (!selected.isEmpty()) select(selected);
}

void ModelManagerDialog::select(const QString& idOrPath) {
  for (int row = 0; row < table_->rowCount(); ++row) {
    if (table_->item(row, kName)->data(kKeyRole).toString() == idOrPath) {
      table_->selectRow(row);
      return;
    }
  }
}

const CatalogueEntry* ModelManagerDialog::selectedEntry() const {
  const int row = table_->currentRow();
  if (row < 0 || !table_->item(row, kName)->data(kIsEntryRole).toBool()) return nullptr;
  return store_.catalogue().find(table_->item(row, kName)->data(kKeyRole).toString());
}

QString ModelManagerDialog::selectedPath() const {
  const int row = table_->currentRow();
  if (row < 0) return {};
  if (const CatalogueEntry* entry = selectedEntry()) return store_.installedPath(*entry);
  return store_.resolve(table_->item(row, kName)->data(kKeyRole).toString());
}

void ModelManagerDialog::refresh() {
  for (int row = 0; row < table_->rowCount(); ++row) {
    QTableWidgetItem* name = table_->item(row, kName);
    QString status;
    if (!name->data(kIsEntryRole).toBool()) {
      status = tr("Imported, not in the catalogue");
    } else if (const CatalogueEntry* entry =
                   store_.catalogue().find(name->data(kKeyRole).toString())) {
      const qint64 part = store_.partialBytes(*entry);
      if (!store_.installedPath(*entry).isEmpty())
        status = tr("Installed");
      else if (entry->bundled)
        status = tr("Missing (should be installed with the program)");
      else if (part > 0)
        status = tr("Partly downloaded (%1 MB)").arg(megabytes(part));
      else if (!entry->directDownload)
        status = tr("Download from the publisher's page, then import");
      else
        status = tr("Not downloaded");
    }
    table_->item(row, kStatus)->setText(status);
  }
  fillDefaults();
  updateButtons();
}

void ModelManagerDialog::fillDefaults() {
  const QList<Modality> modalities{Modality::Ct, Modality::Mr, Modality::Photo};
  for (int i = 0; i < defaults_.size(); ++i) {
    QComboBox* combo = defaults_[i];
    const QString chosen = store_.defaultModel(modalities[i]);
    combo->clear();
    combo->addItem(tr("(none)"), QString());
    for (const CatalogueEntry& entry : store_.catalogue().entries()) {
      if (!store_.installedPath(entry).isEmpty()) combo->addItem(entry.name, entry.id);
    }
    for (const QString& path : store_.otherModels())
      combo->addItem(QFileInfo(path).fileName(), path);
    int index = combo->findData(chosen);
    if (index < 0 && !chosen.isEmpty()) {
      // Remembered but gone (deleted, or on a disk that is not mounted): still shown as chosen.
      combo->addItem(tr("%1 (not on this machine)").arg(chosen), chosen);
      index = combo->count() - 1;
    }
    combo->setCurrentIndex(std::max(index, 0));
  }
}

void ModelManagerDialog::updateButtons() {
  const CatalogueEntry* entry = selectedEntry();
  const ModelDownloader::State state = downloader_.state();
  const bool ours = entry && downloader_.entry().id == entry->id;
  const bool installed = !selectedPath().isEmpty();
  const bool busy = downloader_.isActive() || hasher_.isRunning();
  download_->setEnabled(entry && entry->directDownload && !installed && !busy &&
                        !(ours && (state == ModelDownloader::State::Paused ||
                                   state == ModelDownloader::State::Interrupted)));
  pause_->setEnabled(state == ModelDownloader::State::Downloading);
  resume_->setEnabled(
      state == ModelDownloader::State::Paused || state == ModelDownloader::State::Interrupted ||
      (state == ModelDownloader::State::Failed && QFileInfo::exists(downloader_.partPath())));
  cancel_->setEnabled(
      state == ModelDownloader::State::Downloading || state == ModelDownloader::State::Paused ||
      state == ModelDownloader::State::Interrupted || state == ModelDownloader::State::Verifying ||
      (state == ModelDownloader::State::Failed && QFileInfo::exists(downloader_.partPath())));
  import_->setEnabled(!hasher_.isRunning());
  page_->setEnabled(entry &&
                    (!entry->url.isEmpty() || entry->page.startsWith(QLatin1String("http"))));
  use_->setEnabled(installed);

  QString text;
  if (entry) {
    text = tr("<b>%1</b> from %2. Licence %3, %4 processing.")
               .arg(entry->name.toHtmlEscaped(), entry->publisher.toHtmlEscaped(), entry->licence,
                    entry->profile == QLatin1String("medsam") ? tr("MedSAM") : tr("SAM"));
    if (entry->hasChecksum())
      text += QStringLiteral("<br>") + tr("SHA-256 %1").arg(entry->sha256);
    else
      text += QStringLiteral("<br>") + tr("The catalogue has no SHA-256 for this model: a "
                                          "download or import of it cannot be verified.");
    const QString path = store_.installedPath(*entry);
    if (!path.isEmpty()) text += QStringLiteral("<br>") + tr("File: %1").arg(path.toHtmlEscaped());
  } else if (!selectedPath().isEmpty()) {
    text = tr("File: %1 (not in the catalogue, not verified)").arg(selectedPath().toHtmlEscaped());
  }
  details_->setText(text);
}

void ModelManagerDialog::showProgress() {
  if (hasher_.isRunning()) {
    progress_->setVisible(true);
    progress_->setRange(0, 1000);
    progress_->setValue(int(hasher_.fraction() * 1000));
    progress_->setFormat(tr("Checking SHA-256\u2026 %p%"));
    return;
  }
  switch (downloader_.state()) {
    case ModelDownloader::State::Verifying:
      progress_->setRange(0, 1000);
      progress_->setValue(int(downloader_.verifyFraction() * 1000));
      progress_->setFormat(tr("Checking SHA-256\u2026 %p%"));
      break;
    case ModelDownloader::State::Downloading:
    case ModelDownloader::State::Paused:
    case ModelDownloader::State::Interrupted:
      if (downloader_.total() > 0) {
        progress_->setRange(0, 1000);
        progress_->setValue(
            int(1000.0 * double(downloader_.received()) / double(downloader_.total())));
        progress_->setFormat(
            tr("%1 of %2 MB")
                .arg(megabytes(downloader_.received()), megabytes(downloader_.total())));
      } else {
        progress_->setRange(0, 0);  // size unknown: busy
      }
      break;
    default:
      return;
  }
  progress_->setVisible(true);
}

void ModelManagerDialog::onDownloadState(ModelDownloader::State state) {
  const QString name = downloader_.entry().name;
  const QString part = QFileInfo(downloader_.partPath()).fileName();
  switch (state) {
    case ModelDownloader::State::Downloading:
      say(tr("Downloading %1 from %2\u2026").arg(name, downloader_.entry().url));
      break;
    case ModelDownloader::State::Verifying:
      say(tr("Checking the SHA-256 of %1\u2026").arg(name));
      poll_.start();
      break;
    case ModelDownloader::State::Paused:
      say(tr("Paused: %1 keeps %2 MB; Resume continues from there.")
              .arg(part, megabytes(downloader_.received())));
      break;
    case ModelDownloader::State::Interrupted:
      say(tr("The download of %1 was interrupted; Resume continues from where it stopped.")
                  .arg(name) +
              QStringLiteral("\n") + QString::fromStdString(downloader_.error().describe()),
          true);
      break;
    case ModelDownloader::State::Finished:
      poll_.stop();
      progress_->setVisible(false);
      if (downloader_.verified())
        say(tr("%1 is downloaded and verified: its SHA-256 is the catalogue's.").arg(name));
      else
        say(tr("%1 is downloaded, but the catalogue has no checksum for it, so it could not be "
               "verified. Its SHA-256 is %2.")
                .arg(name, downloader_.sha256()),
            true);
      buildRows();
      break;
    case ModelDownloader::State::Failed:
      poll_.stop();
      progress_->setVisible(false);
      say(errorText(downloader_.error()), true);
      break;
    case ModelDownloader::State::Cancelled:
      poll_.stop();
      progress_->setVisible(false);
      say(tr("The download of %1 was cancelled and its partial file deleted.").arg(name));
      break;
    case ModelDownloader::State::Idle:
      break;
  }
  showProgress();
  refresh();
}

void ModelManagerDialog::chooseImport() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Import Model"), QString(),
      tr("SAM / Med-SA checkpoints (*.pth *.pt *.safetensors);;All files (*)"));
  if (!path.isEmpty()) importFile(path);
}

void ModelManagerDialog::importFile(const QString& path) {
  if (!hasher_.start(path)) return;
  say(tr("Checking the SHA-256 of %1\u2026").arg(path));
  poll_.start();
  showProgress();
  updateButtons();
}

void ModelManagerDialog::onImported() {
  poll_.stop();
  progress_->setVisible(false);
  const QString path = hasher_.path();
  const Result<QString>& hash = hasher_.result();
  if (!hash) {
    say(errorText(hash.error()), true);
    updateButtons();
    return;
  }
  const FileVerdict verdict = judgeFile(store_.catalogue(), path, hash.value());
  switch (verdict.kind) {
    case FileVerdict::Kind::Verified:
      store_.rememberImport(*verdict.entry, path);
      say(tr("%1 is imported as %2: its SHA-256 is the catalogue's.")
              .arg(path, verdict.entry->name));
      break;
    case FileVerdict::Kind::Mismatch:
      say(tr("%1 is not imported: its SHA-256 %2 differs from the catalogue's %3 for %4. The "
             "file is damaged or another file of the same name.")
              .arg(path, verdict.sha256, verdict.expected, verdict.entry->name),
          true);
      break;
    case FileVerdict::Kind::Unverified:
      store_.rememberImport(*verdict.entry, path);
      say(tr("%1 is imported as %2, but the catalogue has no checksum for it, so it could not be "
             "verified. Its SHA-256 is %3.")
              .arg(path, verdict.entry->name, verdict.sha256),
          true);
      break;
    case FileVerdict::Kind::Unknown:
      store_.rememberOtherModel(path);
      say(tr("%1 is not in the catalogue: imported as it is, not verified. Its SHA-256 is %2.")
              .arg(path, verdict.sha256),
          true);
      break;
  }
  buildRows();
  select(verdict.entry ? verdict.entry->id : QFileInfo(path).absoluteFilePath());
  refresh();
}

void ModelManagerDialog::say(const QString& text, bool problem) {
  status_->setText(text);
  status_->setStyleSheet(problem ? QStringLiteral("font-weight: bold;") : QString());
}

QString ModelManagerDialog::message() const { return status_->text(); }

}  // namespace medsa::ui
