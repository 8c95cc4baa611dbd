#pragma once

#include <QString>

#include <memory>
#include <optional>
#include <vector>

#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_set.h"
#include "medsa/annotations/project_types.h"
#include "medsa/core/error.h"

namespace medsa::annotations {

/// A project: a folder holding `project.medsa` (SQLite, WAL, a schema version migrated on open),
/// the label maps of its cases (labels/<case>/v<N>.nii.gz or .png: every save is a new version,
/// the older ones are kept), images copied in on request (images/) and room for adapter
/// versions (adapters/). Images stay where they are otherwise, referenced by path and content
/// hash, so a moved image is noticed and can be relinked.
///
/// One instance is one database connection and belongs to the thread that made it (QtSql's
/// rule); threads that need the store open their own. Writes are transactions, so a kill at any
/// moment leaves the previous state or the new one.
class ProjectStore {
 public:
  static constexpr const char* kDatabaseName = "project.medsa";

  /// Makes a new project in `folder` (created if needed; it must not hold a project already).
  static Result<std::unique_ptr<ProjectStore>> create(const QString& folder, const QString& name,
                                                      const LabelSet& labels);
  /// Opens the project in `folder`, migrating an older schema; a newer one is refused.
  static Result<std::unique_ptr<ProjectStore>> open(const QString& folder);
  /// Whether `folder` holds a project.
  static bool exists(const QString& folder);
  ~ProjectStore();
  ProjectStore(const ProjectStore&) = delete;
  ProjectStore& operator=(const ProjectStore&) = delete;

  QString folder() const { return folder_; }
  QString databasePath() const;
  QString name() const { return name_; }
  int schemaVersion() const;

  Result<LabelSet> labels() const;
  Status setLabels(const LabelSet& labels);

  /// Every case in project order, each with its latest label version.
  Result<std::vector<CaseRecord>> cases() const;
  Result<CaseRecord> caseById(qint64 id) const;
  Result<std::optional<CaseRecord>> caseByName(const QString& name) const;
  /// Adds a case at the end of the project order; an image already in the project (same
  /// content and series) is not added again: the existing case comes back with `added` false.
  struct Added {
    CaseRecord record;
    bool added = false;
  };
  Result<Added> addCase(const NewCase& added);
  Status setStatus(qint64 caseId, CaseStatus status);
  Status setAssignee(qint64 caseId, const QString& user);
  /// Adds annotation effort to a case: active seconds, prompts and interactions.
  Status addEffort(qint64 caseId, double seconds, qint64 clicks, qint64 interactions);
  Status setModel(qint64 caseId, const QString& model, const QString& adapter);
  /// Points the case at its image in a new place; the content must be the same.
  Status relink(qint64 caseId, const QString& imagePath, const QString& contentHash);

  /// Saves a case's labels as its next version (the file is written before the version is
  /// recorded; the version exists only once both are done). Volumes as NIfTI, pictures as PNG.
  Result<LabelVersion> saveLabels(qint64 caseId, const LabelMap& map, const LabelSet& labels,
                                  const QString& user);
  Result<std::vector<LabelVersion>> labelVersions(qint64 caseId) const;

  /// Fixes cases in the trainer's split ("train" / "heldout"); cases already assigned keep
  /// theirs (a split that changed would make adapter versions incomparable).
  Status assignSplits(const std::vector<std::pair<qint64, QString>>& splits);

  /// Records an adapter file (already written under adapters/) as the next version.
  Result<AdapterVersion> addAdapterVersion(AdapterVersion version);
  Result<std::vector<AdapterVersion>> adapterVersions() const;
  /// Makes `version` the live one (0: none, the base model alone); the one live before is
  /// retired. One transaction: there is never a moment with two live versions.
  Status setLiveAdapter(int version);
  Status setAdapterState(int version, const QString& state);

  Status logInteractions(const std::vector<Interaction>& interactions);
  Result<std::vector<Interaction>> interactions(qint64 caseId) const;

  /// Small per-user facts (the case the user was on, ...).
  Status setUserState(const QString& user, const QString& key, const QString& value);
  Result<QString> userState(const QString& user, const QString& key) const;

  /// The absolute path of a path stored relative to the project folder, and the other way.
  QString resolve(const QString& stored) const;
  QString storable(const QString& path) const;

 private:
  ProjectStore(QString folder, QString connection);
  Status loadName();
  Result<std::vector<CaseRecord>> queryCases(const QString& where,
                                             const QVariantList& values) const;

  QString folder_;
  QString connection_;
  QString name_;
};

/// The OS user name: the default assignee and the author of saved versions.
QString currentUser();

}  // namespace medsa::annotations
