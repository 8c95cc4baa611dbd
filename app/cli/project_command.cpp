// medsa project: projects from the command line: create one, import images into it, see where
// its cases stand, set a case's status, export its labelled cases as a dataset.
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <ostream>
#include <vector>

#include "argument_parser.h"
#include "command_registry.h"
#include "medsa/annotations/project_import.h"
#include "medsa/annotations/project_store.h"
#include "project_export.h"
#include "project_stress.h"

#include <nlohmann/json.hpp>

namespace medsa::cli {
namespace {

using nlohmann::json;
using namespace medsa::annotations;

const char* const kUsage =
    "Usage: medsa project create DIR --name NAME --labels NAME[,NAME...]\n"
    "       medsa project import DIR PATH [PATH...] [--labels LABELMAP] [--status STATUS] "
    "[--copy] [--json]\n"
    "       medsa project status DIR [--json]\n"
    "       medsa project set-status DIR CASE STATUS\n"
    "       medsa project export DIR --format nifti|nrrd|png|coco|nnunet|dicom-seg --out OUT\n"
    "                            [--status done,reviewed] [--dataset-id N]\n"
    "       medsa project stress DIR --annotators N --minutes M [--lease S] [--json]\n";

std::string text(const QString& value) { return value.toStdString(); }

int usageError(CommandContext& context, const Error& error) {
  context.err << "medsa project: " << error.describe() << '\n' << kUsage;
  return kExitUsage;
}

int failure(CommandContext& context, const Error& error, bool asJson) {
  context.err << "medsa project: " << error.describe() << '\n';
  if (asJson) {
    context.out << json{{"error",
                         {{"code", std::string(errorCodeName(error.code))},
                          {"message", error.message},
                          {"path", error.path}}}}
                       .dump()
                << '\n';
  }
  return kExitFailure;
}

json caseJson(const CaseRecord& c, const LabelSet& labels) {
  json voxels = json::object();
  if (c.latest) {
    for (auto it = c.latest->voxels.begin(); it != c.latest->voxels.end(); ++it) {
      const Label* label = labels.find(it.key());
      const std::string name = label ? text(label->name) : "value " + std::to_string(it.key());
      voxels[name] = it.value();
    }
  }
  return {{"id", c.id},
          {"name", text(c.name)},
          {"image", text(c.imagePath)},
          {"series", text(c.series)},
          {"kind", c.picture ? "picture" : "volume"},
          {"status", text(caseStatusName(c.status))},
          {"assignee", text(c.assignee)},
          {"labels", voxels},
          {"version", c.latest ? c.latest->version : 0},
          {"seconds", c.seconds},
          {"clicks", c.clicks},
          {"held_by", text(c.leaseHolder)}};
}

/// A case named by its id or its name.
Result<CaseRecord> findCase(const ProjectStore& store, const std::string& which) {
  Result<std::optional<CaseRecord>> named = store.caseByName(QString::fromStdString(which));
  if (!named) return named.error();
  if (named.value()) return *named.value();
  if (Result<long long> id = parseInteger(which, "CASE"); id) return store.caseById(id.value());
  return Error{ErrorCode::InvalidArgument, "no case '" + which + "' in the project",
               store.folder().toStdString()};
}

int runCreate(CommandContext& context, ArgumentParser& parser) {
  const std::optional<std::string> name = parser.option("--name");
  const std::optional<std::string> labels = parser.option("--labels");
  const std::optional<std::string> dir = parser.positional();
  Status status = parser.finish();
  if (status && (!dir || !name || !labels))
    status = Error{ErrorCode::InvalidArgument, "create needs DIR, --name and --labels", {}};
  if (!status) return usageError(context, status.error());
  LabelSet set;
  for (const QString& label :
       QString::fromStdString(*labels).split(QLatin1Char(','), Qt::SkipEmptyParts))
    set.add(label.trimmed());  // values 1..N in the order given
  if (set.isEmpty())
    return usageError(context, Error{ErrorCode::InvalidArgument, "--labels names no label", {}});
  Result<std::unique_ptr<ProjectStore>> store =
      ProjectStore::create(QString::fromStdString(*dir), QString::fromStdString(*name), set);
  if (!store) return failure(context, store.error(), false);
  context.out << "created project '" << *name << "' in " << text(store.value()->location())
              << " with " << set.size() << (set.size() == 1 ? " label\n" : " labels\n");
  return kExitOk;
}

int runImport(CommandContext& context, ArgumentParser& parser) {
  const bool asJson = parser.flag("--json");
  const bool copy = parser.flag("--copy");
  const std::optional<std::string> labels = parser.option("--labels");
  const std::optional<std::string> statusName = parser.option("--status");
  const std::optional<std::string> dir = parser.positional();
  std::vector<std::string> paths;  // files, image folders, DICOM folders; a shell glob's list
  while (std::optional<std::string> path = parser.positional()) paths.push_back(*path);
  Status status = parser.finish();
  if (status && (!dir || paths.empty()))
    status = Error{ErrorCode::InvalidArgument, "import needs DIR and PATH", {}};
  if (status && labels && paths.size() > 1)
    status = Error{
        ErrorCode::InvalidArgument, "--labels belongs to one image: import one PATH with it", {}};
  ImportOptions options;
  options.copyIn = copy;
  if (labels) options.labels = QString::fromStdString(*labels);
  if (status && statusName) {
    options.status = caseStatusFromName(QString::fromStdString(*statusName));
    if (!options.status)
      status = Error{ErrorCode::InvalidArgument,
                     "--status must be new, in-progress, done, reviewed or skipped",
                     {}};
  }
  if (!status) return usageError(context, status.error());
  Result<std::unique_ptr<ProjectStore>> store = ProjectStore::open(QString::fromStdString(*dir));
  if (!store) return failure(context, store.error(), asJson);
  // A missing path is found before anything is imported; a file that cannot be read stops the
  // import there, and what came before it stays (a rerun lists those cases as present).
  for (const std::string& path : paths) {
    if (!QFileInfo::exists(QString::fromStdString(path)))
      return failure(context, Error{ErrorCode::FileNotFound, "no such file or folder", path},
                     asJson);
  }
  Result<LabelSet> set = store.value()->labels();
  if (!set) return failure(context, set.error(), asJson);
  json cases = json::array();
  int added = 0, listed = 0;
  for (const std::string& path : paths) {
    Result<std::vector<ImportedCase>> imported =
        importIntoProject(*store.value(), QString::fromStdString(path), options);
    if (!imported) {
      if (!asJson && listed > 0)
        context.out << added << " of " << listed << " cases added before the error\n";
      return failure(context, imported.error(), asJson);
    }
    for (const ImportedCase& c : imported.value()) {
      json entry = caseJson(c.record, set.value());
      entry["added"] = c.added;
      cases.push_back(entry);
      added += c.added ? 1 : 0;
      ++listed;
      if (!asJson)
        context.out << (c.added ? "added   " : "present ") << text(c.record.name) << "  "
                    << text(c.record.imagePath) << '\n';
    }
  }
  if (asJson)
    context.out << json{{"added", added}, {"cases", cases}}.dump() << '\n';
  else
    context.out << added << " of " << listed << " cases added\n";
  return kExitOk;
}

int runStatus(CommandContext& context, ArgumentParser& parser) {
  const bool asJson = parser.flag("--json");
  const std::optional<std::string> dir = parser.positional();
  Status status = parser.finish();
  if (status && !dir) status = Error{ErrorCode::InvalidArgument, "status needs DIR", {}};
  if (!status) return usageError(context, status.error());
  Result<std::unique_ptr<ProjectStore>> store = ProjectStore::open(QString::fromStdString(*dir));
  if (!store) return failure(context, store.error(), asJson);
  Result<LabelSet> set = store.value()->labels();
  Result<std::vector<CaseRecord>> cases = store.value()->cases();
  if (!set) return failure(context, set.error(), asJson);
  if (!cases) return failure(context, cases.error(), asJson);
  json counts = json::object();
  for (CaseStatus s : {CaseStatus::New, CaseStatus::InProgress, CaseStatus::Done,
                       CaseStatus::Reviewed, CaseStatus::Skipped})
    counts[text(caseStatusName(s))] = 0;
  json list = json::array();
  for (const CaseRecord& c : cases.value()) {
    counts[text(caseStatusName(c.status))] = counts[text(caseStatusName(c.status))].get<int>() + 1;
    list.push_back(caseJson(c, set.value()));
  }
  json labels = json::array();
  for (const Label& label : set->labels())
    labels.push_back({{"value", label.value},
                      {"name", text(label.name)},
                      {"colour", text(label.colour.name())}});
  if (asJson) {
    context.out << json{{"name", text(store.value()->name())},
                        {"labels", labels},
                        {"cases", list},
                        {"counts", counts}}
                       .dump()
                << '\n';
    return kExitOk;
  }
  const int done = counts["done"].get<int>() + counts["reviewed"].get<int>();
  context.out << text(store.value()->name()) << ": " << done << " of " << cases->size()
              << " done\n";
  for (const CaseRecord& c : cases.value())
    context.out << "  " << c.id << "  " << text(caseStatusName(c.status)) << "  " << text(c.name)
                << (c.latest ? "  v" + std::to_string(c.latest->version) : "")
                << (c.leaseHolder.isEmpty() ? "" : "  held by " + text(c.leaseHolder)) << '\n';
  return kExitOk;
}

int runSetStatus(CommandContext& context, ArgumentParser& parser) {
  const std::optional<std::string> dir = parser.positional();
  const std::optional<std::string> which = parser.positional();
  const std::optional<std::string> statusName = parser.positional();
  Status status = parser.finish();
  if (status && (!dir || !which || !statusName))
    status = Error{ErrorCode::InvalidArgument, "set-status needs DIR, CASE and STATUS", {}};
  std::optional<CaseStatus> wanted;
  if (status) {
    wanted = caseStatusFromName(QString::fromStdString(*statusName));
    if (!wanted)
      status = Error{ErrorCode::InvalidArgument,
                     "STATUS must be new, in-progress, done, reviewed or skipped",
                     {}};
  }
  if (!status) return usageError(context, status.error());
  Result<std::unique_ptr<ProjectStore>> store = ProjectStore::open(QString::fromStdString(*dir));
  if (!store) return failure(context, store.error(), false);
  Result<CaseRecord> record = findCase(*store.value(), *which);
  if (!record) return failure(context, record.error(), false);
  if (Status set = store.value()->setStatus(record->id, *wanted); !set)
    return failure(context, set.error(), false);
  context.out << text(record->name) << ": " << *statusName << '\n';
  return kExitOk;
}

int runProject(CommandContext& context) {
  // QtSql finds its SQLite driver through the application object.
  int argc = 1;
  char name[] = "medsa";
  char* argv[] = {name, nullptr};
  std::unique_ptr<QCoreApplication> app;
  if (!QCoreApplication::instance()) app = std::make_unique<QCoreApplication>(argc, argv);

  if (context.args.empty())
    return usageError(context, Error{ErrorCode::InvalidArgument, "missing a subcommand", {}});
  const std::string sub = context.args.front();
  ArgumentParser parser(std::vector<std::string>(context.args.begin() + 1, context.args.end()));
  if (sub == "create") return runCreate(context, parser);
  if (sub == "import") return runImport(context, parser);
  if (sub == "status") return runStatus(context, parser);
  if (sub == "set-status") return runSetStatus(context, parser);
  if (sub == "export") return runProjectExport(context, parser);
  if (sub == "stress") return runProjectStress(context, parser);
  if (sub == "stress-worker") return runProjectStressWorker(context, parser);
  return usageError(context,
                    Error{ErrorCode::InvalidArgument, "unknown subcommand '" + sub + "'", {}});
}

}  // namespace

void addProjectCommand(CommandRegistry& registry) {
  registry.add(
      {"project", "create a project, import images, list its cases, export a dataset",
       std::string(kUsage) +
           "\nDIR is a project folder (project.medsa: its cases, labels, label versions and\n"
           "interaction log, and the label maps saved in it) or a team's PostgreSQL database,\n"
           "postgresql://USER@HOST:PORT/DBNAME (the password from PGPASSWORD or ~/.pgpass;\n"
           "image paths relative to $MEDSA_DATA_ROOT; docs/team.md).\n"
           "  create      makes DIR a project; --labels names the labels, values 1..N in order\n"
           "  import      adds PATH: an image file, a folder of images (one case each) or a\n"
           "              DICOM folder (one case per series); the same image is never added\n"
           "              twice. --labels attaches a label map to the one case PATH makes,\n"
           "              --status sets the cases' status, --copy copies the images in\n"
           "  status      lists the cases: status, labels (voxels per label), time, clicks,\n"
           "              who holds each; --json prints {name, labels, cases, counts}\n"
           "  set-status  CASE is a case's name or id; STATUS is new, in-progress, done,\n"
           "              reviewed or skipped\n"
           "  export      writes the cases with --status (default done,reviewed) as a dataset\n"
           "              in OUT (which must not exist): label maps (nifti, nrrd, png), COCO\n"
           "              with RLE masks, an nnU-Net v2 raw dataset (--dataset-id N) or\n"
           "              DICOM SEG objects; a failed export leaves nothing at OUT\n"
           "  stress      a load and fault test on a scratch project (one with cases other\n"
           "              than its own stress-K ones is refused): N annotators (processes)\n"
           "              take, save and release cases (2N stress-K cases are added) for M\n"
           "              minutes; one is killed and restarted, and on PostgreSQL every\n"
           "              session is cut once. Prints {annotators, cases_taken,\n"
           "              double_assignments, saves, lost_saves, conflicts, p95_take_ms,\n"
           "              saves_after_cut, ...}; exit status 1 if anything was lost or double\n"
           "              assigned, or nobody saved after the cut. --lease is the lease\n"
           "              length (default 30 s)\n"
           "Exit status: 0 on success, 1 with the reason on stderr, 2 for bad usage.\n",
       runProject});
}

}  // namespace medsa::cli
