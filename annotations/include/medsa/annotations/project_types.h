#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMap>
#include <QString>

#include <optional>

namespace medsa::annotations {

/// Where a case stands. `new`: never opened; `in-progress`: opened or edited; `done`: the
/// annotator finished it; `reviewed`: a second person checked it; `skipped`: left out.
enum class CaseStatus { New, InProgress, Done, Reviewed, Skipped };

/// "new", "in-progress", "done", "reviewed", "skipped" (stored and typed on the command line).
QString caseStatusName(CaseStatus status);
std::optional<CaseStatus> caseStatusFromName(const QString& name);
/// Done and reviewed cases are the labelled ones (exports and the trainer use them).
inline bool isLabelled(CaseStatus status) {
  return status == CaseStatus::Done || status == CaseStatus::Reviewed;
}
/// A case the user still has to work on (Next Case skips the others).
inline bool isUnfinished(CaseStatus status) {
  return status == CaseStatus::New || status == CaseStatus::InProgress;
}

/// One saved label map of a case. Saving again makes a new version; older ones are kept.
struct LabelVersion {
  qint64 id = 0;
  qint64 caseId = 0;
  int version = 0;
  /// Absolute path of the label map file; on a team's project (PostgreSQL) where it goes in this
  /// machine's cache, written there by ProjectStore::labelFile().
  QString path;
  QString sha256;
  QDateTime savedAt;
  QString savedBy;
  QMap<quint16, qint64> voxels;  ///< voxels per label value (0 left out)
  /// Why this save did not become the case's labels ("" when it did): the case was held by
  /// someone else, or changed since the edit began. A conflict version is kept, never lost.
  QString conflict;
};

/// A case of a project: one image (a file, or one series of a DICOM folder) and its labels.
struct CaseRecord {
  qint64 id = 0;
  QString name;       ///< unique in the project, safe as a file name
  QString imagePath;  ///< absolute (resolved against the project folder when stored relative)
  QString series;     ///< SeriesInstanceUID for a DICOM series, else ""
  QString contentHash;
  bool picture = false;  ///< a 2D picture (photograph); else a volume
  QString modality;
  CaseStatus status = CaseStatus::New;
  QString assignee;
  double seconds = 0;  ///< active annotation time (idle stretches not counted)
  qint64 clicks = 0;   ///< prompts given (points and boxes)
  qint64 interactions = 0;
  QString model;     ///< the model the last labels were made with
  QString adapter;   ///< and its adapter version ("" for none)
  int position = 0;  ///< project order
  /// The trainer's split: "train" or "heldout" once assigned (never changed afterwards, so
  /// adapter versions are compared on the same cases), "" before.
  QString split;
  QDateTime doneAt;  ///< when it was first marked done or reviewed (invalid before)
  /// Who is annotating the case now ("" when nobody holds an unexpired lease) and until when.
  QString leaseHolder;
  QDateTime leaseUntil;
  /// The latest version that is not a conflict.
  std::optional<LabelVersion> latest;
};

/// An adapter trained on a project's cases, kept with what it was measured at.
struct AdapterVersion {
  int version = 0;
  QString path;  ///< absolute path of the adapter file
  QString sha256;
  QString baseModel;  ///< hash of the base checkpoint it was trained on
  QDateTime created;
  /// "candidate" (not better than the live one), "live", "retired" (was live), "rejected"
  QString state;
  QJsonObject metrics;      ///< held-out metrics and the promotion decision
  QJsonObject dataSummary;  ///< cases, slices, steps, seconds, plan
};

/// One logged interaction: a prompt, a candidate chosen, an accept, a stroke, an undo or redo.
struct Interaction {
  qint64 caseId = 0;
  qint64 msSinceEpoch = 0;
  QString kind;        ///< "point", "box", "candidate", "accept", "stroke", "undo", "redo", ...
  QJsonObject detail;  ///< prompt coordinates, slice, label, ...
  std::optional<double> iou;  ///< the predicted IoU of the candidate concerned
};

/// What import adds: one image (file, or a series of a DICOM folder).
struct NewCase {
  QString name;
  QString imagePath;
  QString series;
  QString contentHash;
  bool picture = false;
  QString modality;
  CaseStatus status = CaseStatus::New;
  QString assignee;
};

}  // namespace medsa::annotations
