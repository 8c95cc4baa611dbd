#pragma once
// The catalogue of published checkpoints (ui/resources/model_catalogue.json): where each one is
// downloaded from, its size, SHA-256, licence and processing profile. No widgets: the model
// manager dialog and `medsa models` both read it.

#include <QList>
#include <QString>
#include <QtGlobal>

#include <optional>

#include "medsa/core/error.h"

namespace medsa::ui {

struct CatalogueEntry {
  QString id;    ///< what users type: "sam-vit-b"
  QString name;  ///< what users read: "SAM ViT-B"
  QString publisher;
  QString file;                 ///< the file name it is stored under
  QString url;                  ///< the download address from the publisher's README; empty if none
  bool directDownload = false;  ///< the url is the file itself (not a page or shared folder)
  bool bundled = false;         ///< installed with the program (the starter model)
  QString page;                 ///< where the publisher describes it
  std::optional<qint64> size;   ///< bytes, when a source states it
  QString sha256;               ///< 64 lowercase hex digits; empty when no source states it
  QString checksumSource;       ///< where size and SHA-256 come from, or why there are none
  QString licence;              ///< SPDX identifier
  QString profile;              ///< processing profile: "sam" or "medsam"
  QString architecture;         ///< vit_b, vit_l, vit_h, starter

  bool hasChecksum() const { return !sha256.isEmpty(); }
};

class ModelCatalogue {
 public:
  /// The catalogue built into the program (a Qt resource).
  static Result<ModelCatalogue> builtin();
  /// A catalogue file of the same format (a mirror's, or a test's). Errors name the file.
  static Result<ModelCatalogue> load(const QString& path);
  /// Parses `json`; `source` names it in errors. Every entry is checked: unique id, a plain file
  /// name, an http(s) url where it is a direct download, a SHA-256 of 64 hex digits or null, a
  /// positive size or null, a licence, a known profile and a checksum_source.
  static Result<ModelCatalogue> parse(const QByteArray& json, const QString& source);

  const QList<CatalogueEntry>& entries() const { return entries_; }
  /// By id or file name (case-sensitive); nullptr when none.
  const CatalogueEntry* find(const QString& idOrFile) const;
  /// The entry whose SHA-256 is `sha256` (lowercase hex); nullptr when none.
  const CatalogueEntry* findBySha256(const QString& sha256) const;
  QString source() const { return source_; }

 private:
  QList<CatalogueEntry> entries_;
  QString source_;
};

/// What a file on disk is, judged against the catalogue (import and `medsa models verify`).
struct FileVerdict {
  enum class Kind {
    Verified,    ///< its SHA-256 is an entry's
    Mismatch,    ///< an entry names this file (or this SHA-256 was asked for) but it differs
    Unverified,  ///< an entry names this file but the catalogue has no checksum for it
    Unknown,     ///< no entry names the file or has its SHA-256
  };
  Kind kind = Kind::Unknown;
  const CatalogueEntry* entry = nullptr;  ///< the entry concerned, if any
  QString sha256;                         ///< the file's own
  QString expected;                       ///< what it should have been (Mismatch)
};

/// Judges a file whose SHA-256 is known. A hash that is an entry's wins over the file name.
FileVerdict judgeFile(const ModelCatalogue& catalogue, const QString& path, const QString& sha256);

/// Whether `text` is 64 lowercase or uppercase hex digits.
bool isSha256Hex(const QString& text);

}  // namespace medsa::ui
