#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "medsa/annotations/label_map.h"
#include "medsa/annotations/label_set.h"
#include "medsa/annotations/project_types.h"
#include "medsa/core/error.h"

namespace medsa::annotations {

/// A project, at one of two kinds of location:
/// - a folder holding `project.medsa` (SQLite, WAL), the label maps of its cases
///   (labels/<case>/v<N>.nii.gz or .png: every save is a new version, the older ones are kept),
///   images copied in on request (images/) and adapter versions (adapters/);
/// - a PostgreSQL database, `postgresql://user@host:port/dbname`, shared by a team: the same
///   tables, with the label maps' and adapters' bytes in the database (bytea) and a local cache
///   folder per machine (folder()) where they are written out when first read.
/// Either way the schema version is migrated on open. Images stay where they are, referenced by
/// path and content hash (relative to the project folder, or on PostgreSQL to the data root that
/// each workstation sets), so a moved image is noticed and can be relinked.
///
/// Several annotators share a project through case leases: takeNextCase hands out an
/// unfinished case that nobody holds, atomically; a save to a case held by someone else, or
/// changed since the edit began, is kept as a conflict version instead of becoming the labels.
///
/// One instance is one database connection and belongs to the thread that made it (QtSql's
/// rule); threads that need the store open their own. Writes are transactions, so a kill at any
/// moment leaves the previous state or the new one.
class ProjectStore {
 public:
  static constexpr const char* kDatabaseName = "project.medsa";

  struct Options {
    /// PostgreSQL projects: where this machine keeps the files read from the database.
    /// Default: $XDG_CACHE_HOME/medsa-studio/projects/<project id>.
    QString cacheFolder;
    /// PostgreSQL projects: the folder image paths are stored relative to (the same data on
    /// every workstation, mounted anywhere). Default: $MEDSA_DATA_ROOT; none stores them
    /// absolute.
    QString dataRoot;
  };

  /// Makes a new project in `location`: a folder (created if needed; it must not hold a
  /// project already) or an empty PostgreSQL database.
  static Result<std::unique_ptr<ProjectStore>> create(const QString& location, const QString& name,
                                                      const LabelSet& labels,
                                                      const Options& options = {});
  /// Opens the project at `location`, migrating an older schema; a newer one is refused.
  static Result<std::unique_ptr<ProjectStore>> open(const QString& location,
                                                    const Options& options = {});
  /// Whether `location` holds a project (a URL counts: the server answers on open).
  static bool exists(const QString& location);
  /// Whether `location` is a PostgreSQL URL rather than a folder.
  static bool isDatabaseUrl(const QString& location);
  ~ProjectStore();
  ProjectStore(const ProjectStore&) = delete;
  ProjectStore& operator=(const ProjectStore&) = delete;

  /// The folder for files: the project folder, or this machine's cache of a database project.
  QString folder() const { return folder_; }
  /// Where the project is: its folder, or its URL (without secrets).
  QString location() const { return location_; }
  bool shared() const;
  /// The database file, or the URL: what messages name.
  QString databasePath() const;
  QString name() const { return name_; }
  int schemaVersion() const;

  Result<LabelSet> labels() const;
  Status setLabels(const LabelSet& labels);
  /// Adds the labels whose values the project does not have yet, keeping every existing one
  /// (two annotators adding labels at once both keep theirs).
  Status addLabels(const LabelSet& labels);

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
  /// `basedOn`: the version the edit started from (0: none); when the case's latest version is
  /// another one by now, or someone else holds the case, the save is kept as a conflict
  /// version (LabelVersion::conflict says why) and the case's labels stay as they were.
  Result<LabelVersion> saveLabels(qint64 caseId, const LabelMap& map, const LabelSet& labels,
                                  const QString& user, std::optional<int> basedOn = std::nullopt);
  /// Every version of a case, conflicts included. On PostgreSQL a version's file may not be in
  /// this machine's cache yet (nor a case's latest one): whoever reads it asks labelFile().
  Result<std::vector<LabelVersion>> labelVersions(qint64 caseId) const;
  /// The version's file on this machine, written from the database first when needed.
  Result<QString> labelFile(const LabelVersion& version) const;

  /// Leases (the database clock decides when one has expired):
  /// The first unfinished case in project order that nobody holds, now held by `user` for
  /// `seconds`; nullopt when there is none. Atomic: two callers never get the same case.
  /// `except`: a case not to hand out (the one the caller is on).
  Result<std::optional<CaseRecord>> takeNextCase(const QString& user, int seconds,
                                                 std::optional<qint64> except = std::nullopt);
  /// Takes a chosen case; refused (Conflict, naming the holder) while someone else holds it.
  Result<CaseRecord> takeCase(qint64 caseId, const QString& user, int seconds);
  /// Extends `user`'s lease; Conflict when the case is held by someone else by now (another
  /// error is the database not answering: the lease may still be this user's).
  Status renewLease(qint64 caseId, const QString& user, int seconds);
  /// Gives the case back (nothing happens when `user` does not hold it).
  Status releaseCase(qint64 caseId, const QString& user);

  /// PostgreSQL: ends every other session of this database opened by Med-SA Studio with this
  /// user's role, as a network failure would (the stress test's cut; it needs no superuser).
  /// Returns how many were ended.
  Result<int> cutOtherConnections();

  /// Calls `onChange` on this connection's thread when another connection changes the project:
  /// "case:ID" (a lease or a save) or "live:VERSION" (an adapter went live). PostgreSQL only
  /// (LISTEN/NOTIFY): on SQLite it returns false, as no other machine shares the file.
  bool watch(QObject* context, std::function<void(const QString& change)> onChange);

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

  /// The absolute path of a file stored relative to folder(), and the other way.
  QString resolve(const QString& stored) const;
  QString storable(const QString& path) const;
  /// The same for images: relative to the project folder, or to the data root on PostgreSQL.
  QString resolveImage(const QString& stored) const;
  QString storableImage(const QString& path) const;

 private:
  ProjectStore(QString folder, QString connection);
  struct NewProject {
    QString name;
    LabelSet labels;
  };
  static Result<std::unique_ptr<ProjectStore>> openUrl(const QString& url, const Options& options,
                                                       const std::optional<NewProject>& made);
  Status loadName();
  Status useCacheFolder(const Options& options);
  Result<std::vector<CaseRecord>> queryCases(const QString& where,
                                             const QVariantList& values) const;
  /// On PostgreSQL: writes a version's or adapter's bytes to its path in the cache when the
  /// file is not there yet, checked against its SHA-256.
  Status materialize(const QString& table, qint64 id, const QString& path,
                     const QString& sha256) const;
  Result<QByteArray> contentFor(const QString& file) const;
  void notify(const QString& change) const;

  QString folder_;
  QString location_;
  QString connection_;
  QString name_;
  QString dataRoot_;
  bool shared_ = false;
};

/// The OS user name: the default assignee and the author of saved versions.
QString currentUser();

}  // namespace medsa::annotations
