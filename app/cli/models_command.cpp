// medsa models: the catalogue of published checkpoints (the model manager's), their download
// (resumable, SHA-256 checked before the file takes its name) and the check of a file on disk.
#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>

#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>

#include "argument_parser.h"
#include "command_registry.h"
#include "medsa/core/json.h"
#include "medsa/ui/file_hasher.h"
#include "medsa/ui/model_catalogue.h"
#include "medsa/ui/model_downloader.h"
#include "medsa/ui/model_store.h"

namespace medsa::cli {
namespace {

using ui::CatalogueEntry;
using ui::FileVerdict;
using ui::ModelDownloader;

constexpr const char* kUsage =
    "Usage: medsa models list [--dir DIR] [--catalogue FILE] [--json]\n"
    "       medsa models download NAME [--dir DIR] [--catalogue FILE] [--json]\n"
    "       medsa models verify FILE [--sha256 HEX] [--catalogue FILE] [--json]\n";

std::string text(const QString& value) { return value.toStdString(); }

std::string megabytes(qint64 bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << double(bytes) / 1e6 << " MB";
  return out.str();
}

struct Request {
  std::string sub;
  std::optional<std::string> target;  ///< NAME or FILE
  std::optional<std::string> dir, catalogue, sha256;
  bool json = false;
};

Result<Request> parseRequest(const std::vector<std::string>& args) {
  ArgumentParser parser(args);
  Request request;
  request.json = parser.flag("--json");
  request.dir = parser.option("--dir");
  request.catalogue = parser.option("--catalogue");
  request.sha256 = parser.option("--sha256");
  const std::optional<std::string> sub = parser.positional();
  request.target = parser.positional();
  if (Status status = parser.finish(); !status) return status.error();
  if (!sub)
    return Error{ErrorCode::InvalidArgument, "missing a subcommand: list, download or verify", {}};
  request.sub = *sub;
  if (request.sub != "list" && request.sub != "download" && request.sub != "verify") {
    return Error{ErrorCode::InvalidArgument,
                 "unknown subcommand '" + request.sub + "' (list, download or verify)",
                 {}};
  }
  if (request.sub == "list" && request.target)
    return Error{
        ErrorCode::InvalidArgument, "list takes no argument, got '" + *request.target + "'", {}};
  if (request.sub != "list" && !request.target) {
    return Error{ErrorCode::InvalidArgument,
                 request.sub == "download" ? "download needs a NAME (see medsa models list)"
                                           : "verify needs a FILE",
                 {}};
  }
  if (request.sha256 && request.sub != "verify")
    return Error{ErrorCode::InvalidArgument, "--sha256 is an option of verify only", {}};
  if (request.sha256 && !ui::isSha256Hex(QString::fromStdString(*request.sha256)))
    return Error{ErrorCode::InvalidArgument, "--sha256 must be 64 hex digits", {}};
  if (request.dir && request.sub == "verify")
    return Error{ErrorCode::InvalidArgument, "--dir is an option of list and download", {}};
  return request;
}

Json orNull(const QString& value) { return value.isEmpty() ? Json() : Json(text(value)); }

Json entryJson(const ui::ModelStore& store, const CatalogueEntry& entry) {
  return Json::Object{{"id", text(entry.id)},
                      {"name", text(entry.name)},
                      {"publisher", text(entry.publisher)},
                      {"file", text(entry.file)},
                      {"url", orNull(entry.url)},
                      {"direct_download", entry.directDownload},
                      {"bundled", entry.bundled},
                      {"page", orNull(entry.page)},
                      {"size", entry.size ? Json(static_cast<std::int64_t>(*entry.size)) : Json()},
                      {"sha256", orNull(entry.sha256)},
                      {"checksum_source", text(entry.checksumSource)},
                      {"licence", text(entry.licence)},
                      {"profile", text(entry.profile)},
                      {"architecture", text(entry.architecture)},
                      {"installed", orNull(store.installedPath(entry))},
                      {"partial_bytes", static_cast<std::int64_t>(store.partialBytes(entry))}};
}

int runList(CommandContext& context, const Request& request, const ui::ModelStore& store) {
  const QList<ui::Modality> modalities{ui::Modality::Ct, ui::Modality::Mr, ui::Modality::Photo};
  if (request.json) {
    Json::Array models;
    for (const CatalogueEntry& entry : store.catalogue().entries())
      models.push_back(entryJson(store, entry));
    Json::Object defaults;
    for (ui::Modality modality : modalities)
      defaults[text(ui::modalityKey(modality))] = orNull(store.defaultModel(modality));
    context.out << Json(Json::Object{{"catalogue", text(store.catalogue().source())},
                                     {"folder", text(store.folder())},
                                     {"models", models},
                                     {"defaults", defaults}})
                       .dump(2)
                << '\n';
    return kExitOk;
  }
  context.out << std::left << std::setw(14) << "ID" << std::setw(14) << "NAME" << std::setw(11)
              << "SIZE" << std::setw(9) << "SHA-256" << std::setw(12) << "LICENCE" << std::setw(9)
              << "PROFILE"
              << "ON THIS MACHINE\n";
  for (const CatalogueEntry& entry : store.catalogue().entries()) {
    const QString installed = store.installedPath(entry);
    std::string where = installed.isEmpty() ? "-" : text(installed);
    if (installed.isEmpty() && store.partialBytes(entry) > 0)
      where = "partly downloaded (" + megabytes(store.partialBytes(entry)) + ")";
    else if (installed.isEmpty() && !entry.directDownload && !entry.bundled)
      where = "- (download page only)";
    const std::string name = text(entry.name).substr(0, 13);
    context.out << std::left << std::setw(14) << text(entry.id) << std::setw(14) << name
                << std::setw(11) << (entry.size ? megabytes(*entry.size) : std::string("?"))
                << std::setw(9) << (entry.hasChecksum() ? "yes" : "none") << std::setw(12)
                << text(entry.licence) << std::setw(9) << text(entry.profile) << where << '\n';
  }
  context.out << "\nmodels folder: " << text(store.folder()) << '\n';
  for (ui::Modality modality : modalities) {
    const QString chosen = store.defaultModel(modality);
    if (!chosen.isEmpty())
      context.out << "default for " << text(ui::modalityKey(modality)) << ": " << text(chosen)
                  << '\n';
  }
  return kExitOk;
}

int runDownload(CommandContext& context, const Request& request, const ui::ModelStore& store) {
  const CatalogueEntry* entry = store.catalogue().find(QString::fromStdString(*request.target));
  if (!entry) {
    std::string names;
    for (const CatalogueEntry& e : store.catalogue().entries())
      names += (names.empty() ? "" : ", ") + text(e.id);
    context.err << "medsa models: no model named '" << *request.target
                << "' in the catalogue (names: " << names << ")\n";
    return kExitUsage;
  }
  const QString installed = store.installedPath(*entry);
  if (!installed.isEmpty()) {
    if (request.json) {
      context.out << Json(Json::Object{{"id", text(entry->id)},
                                       {"path", text(installed)},
                                       {"status", "already-installed"}})
                         .dump(2)
                  << '\n';
    } else {
      context.out << text(installed) << "\nalready installed (medsa models verify checks it)\n";
    }
    return kExitOk;
  }

  ModelDownloader downloader;
  if (!downloader.start(*entry, store.folder())) {
    context.err << "medsa models: " << downloader.error().describe() << '\n';
    return kExitFailure;
  }
  if (downloader.received() > 0)
    context.err << "resuming " << text(entry->file) << " from " << megabytes(downloader.received())
                << '\n';
  QEventLoop loop;
  int shownTenth = -1;
  QObject::connect(&downloader, &ModelDownloader::progress, &loop,
                   [&](qint64 received, qint64 total) {
                     if (total <= 0) return;
                     const int tenth = static_cast<int>(10 * received / total);
                     if (tenth == shownTenth) return;
                     shownTenth = tenth;
                     context.err << "  " << tenth * 10 << " % (" << megabytes(received) << " of "
                                 << megabytes(total) << ")\n";
                   });
  QObject::connect(&downloader, &ModelDownloader::stateChanged, &loop,
                   [&](ModelDownloader::State state) {
                     if (state == ModelDownloader::State::Verifying)
                       context.err << "checking SHA-256\n";
                     if (state != ModelDownloader::State::Downloading &&
                         state != ModelDownloader::State::Verifying)
                       loop.quit();
                   });
  if (downloader.isActive()) loop.exec();

  switch (downloader.state()) {
    case ModelDownloader::State::Finished:
      break;
    case ModelDownloader::State::Interrupted:
      context.err << "medsa models: " << downloader.error().describe()
                  << "\nrun the same command again to continue\n";
      return kExitFailure;
    default:
      context.err << "medsa models: " << downloader.error().describe() << '\n';
      return kExitFailure;
  }
  if (!downloader.verified()) {
    context.err << "note: the catalogue has no SHA-256 for " << text(entry->name)
                << ", so the download could not be verified; its SHA-256 is "
                << text(downloader.sha256()) << '\n';
  }
  if (request.json) {
    context.out << Json(Json::Object{{"id", text(entry->id)},
                                     {"path", text(downloader.targetPath())},
                                     {"sha256", text(downloader.sha256())},
                                     {"verified", downloader.verified()},
                                     {"bytes", static_cast<std::int64_t>(downloader.received())},
                                     {"requests", downloader.requests()}})
                       .dump(2)
                << '\n';
  } else {
    context.out << text(downloader.targetPath()) << '\n'
                << (downloader.verified() ? "verified: SHA-256 is the catalogue's\n"
                                          : "not verified: the catalogue has no checksum\n");
  }
  return kExitOk;
}

int runVerify(CommandContext& context, const Request& request,
              const ui::ModelCatalogue& catalogue) {
  const QString path = QString::fromStdString(*request.target);
  Result<QString> hash = ui::sha256OfFile(path);
  if (!hash) {
    context.err << "medsa models: " << hash.error().describe() << '\n';
    return kExitFailure;
  }
  FileVerdict verdict = ui::judgeFile(catalogue, path, hash.value());
  if (request.sha256) {
    // An explicit checksum decides alone.
    const QString wanted = QString::fromStdString(*request.sha256).toLower();
    verdict.kind =
        verdict.sha256 == wanted ? FileVerdict::Kind::Verified : FileVerdict::Kind::Mismatch;
    verdict.expected = wanted;
    if (verdict.kind == FileVerdict::Kind::Mismatch) verdict.entry = nullptr;
  }
  static const char* const kinds[] = {"verified", "mismatch", "unverified", "unknown"};
  const std::string kind = kinds[static_cast<int>(verdict.kind)];
  const std::string name = verdict.entry ? text(verdict.entry->name) : std::string();
  std::string message;
  switch (verdict.kind) {
    case FileVerdict::Kind::Verified:
      message = request.sha256 ? "SHA-256 is the one given with --sha256"
                               : "SHA-256 is the catalogue's for " + name;
      break;
    case FileVerdict::Kind::Mismatch:
      message = "SHA-256 " + text(verdict.sha256) + " differs from " +
                (request.sha256 ? std::string("the one given with --sha256")
                                : "the catalogue's for " + name) +
                " (" + text(verdict.expected) + "): the file is damaged or another file";
      break;
    case FileVerdict::Kind::Unverified:
      message = "cannot be verified: the catalogue has no checksum for " + name +
                "; its SHA-256 is " + text(verdict.sha256);
      break;
    case FileVerdict::Kind::Unknown:
      message =
          "no catalogue entry has this file name or its SHA-256 (" + text(verdict.sha256) + ")";
      break;
  }
  if (request.json) {
    context.out << Json(Json::Object{
                            {"file", text(path)},
                            {"size", static_cast<std::int64_t>(QFileInfo(path).size())},
                            {"sha256", text(verdict.sha256)},
                            {"result", kind},
                            {"model", verdict.entry ? Json(text(verdict.entry->id)) : Json()},
                            {"expected", orNull(verdict.expected)},
                            {"message", message}})
                       .dump(2)
                << '\n';
  } else if (verdict.kind == FileVerdict::Kind::Verified) {
    context.out << text(path) << ": " << message << '\n';
  }
  if (verdict.kind == FileVerdict::Kind::Verified) return kExitOk;
  if (!request.json) context.err << "medsa models: " << text(path) << ": " << message << '\n';
  return kExitFailure;
}

int runModels(CommandContext& context) {
  Result<Request> request = parseRequest(context.args);
  if (!request) {
    context.err << "medsa models: " << request.error().describe() << '\n' << kUsage;
    return kExitUsage;
  }
  // QtNetwork needs an application object; its names make the models folder and the settings
  // (defaults per modality) the window's.
  int argc = 1;
  char name[] = "medsa";
  char* argv[] = {name, nullptr};
  std::unique_ptr<QCoreApplication> app;
  if (!QCoreApplication::instance()) app = std::make_unique<QCoreApplication>(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("Med-SA Studio"));
  QCoreApplication::setApplicationName(QStringLiteral("Med-SA Studio"));

  Result<ui::ModelCatalogue> catalogue =
      request->catalogue ? ui::ModelCatalogue::load(QString::fromStdString(*request->catalogue))
                         : ui::ModelCatalogue::builtin();
  if (!catalogue) {
    context.err << "medsa models: " << catalogue.error().describe() << '\n';
    return kExitFailure;
  }
  if (request->sub == "verify") return runVerify(context, request.value(), catalogue.value());
  const ui::ModelStore store(
      std::move(catalogue).value(),
      request->dir ? QString::fromStdString(*request->dir) : ui::ModelStore::defaultFolder());
  if (request->sub == "list") return runList(context, request.value(), store);
  return runDownload(context, request.value(), store);
}

}  // namespace

void addModelsCommand(CommandRegistry& registry) {
  registry.add(
      {"models", "published checkpoints: list them, download one (resumable, SHA-256 checked)",
       std::string(kUsage) +
           "\nThe catalogue (SAM ViT-B/L/H, MedSAM ViT-B, the starter model) is the model\n"
           "manager's: download address, size, SHA-256, licence and processing profile.\n"
           "  list        every model, whether it is on this machine, the defaults per modality\n"
           "  download    fetches NAME (an id or file name from list) into the models folder as\n"
           "              FILE.part; only a file whose SHA-256 is the catalogue's takes its name\n"
           "              (a mismatch deletes it). Interrupted (Ctrl+C, a broken connection)?\n"
           "              Run it again: it resumes from FILE.part with a range request. A model\n"
           "              without a checksum in the catalogue is kept and reported unverified\n"
           "  verify      checks FILE's SHA-256 against the catalogue entry with that SHA-256\n"
           "              or that file name (exit 1 when it differs or cannot be verified)\n"
           "  --dir DIR         the models folder (default: $MEDSA_MODELS_DIR, else the\n"
           "                    window's, in the user's data folder)\n"
           "  --catalogue FILE  another catalogue of the same format (a mirror's)\n"
           "  --sha256 HEX      verify against this SHA-256 instead of the catalogue\n"
           "  --json            one JSON object on stdout\n"
           "Exit status: 0 on success, 1 with the reason on stderr, 2 for bad usage.\n",
       runModels});
}

}  // namespace medsa::cli
