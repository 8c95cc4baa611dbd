// medsa project export: the project's labelled cases as a dataset another tool reads.
#include "project_export.h"

#include <QFileInfo>

#include <ostream>

#include "medsa/annotations/dataset_export.h"
#include "medsa/annotations/project_store.h"

namespace medsa::cli {

using namespace medsa::annotations;

int runProjectExport(CommandContext& context, ArgumentParser& parser) {
  const std::optional<std::string> formatName = parser.option("--format");
  const std::optional<std::string> out = parser.option("--out");
  const std::string statuses = parser.option("--status").value_or("done,reviewed");
  const std::optional<std::string> datasetIdText = parser.option("--dataset-id");
  const std::optional<std::string> dir = parser.positional();
  Status status = parser.finish();
  if (status && (!dir || !formatName || !out))
    status = Error{ErrorCode::InvalidArgument, "export needs DIR, --format and --out", {}};
  std::optional<ExportFormat> format;
  if (status) {
    format = exportFormatFromName(QString::fromStdString(*formatName));
    if (!format)
      status = Error{ErrorCode::InvalidArgument,
                     "--format must be nifti, nrrd, png, coco, nnunet or dicom-seg",
                     {}};
  }
  std::vector<CaseStatus> wanted;
  for (const QString& name : QString::fromStdString(statuses).split(QLatin1Char(','))) {
    const std::optional<CaseStatus> s = caseStatusFromName(name.trimmed());
    if (!s && status)
      status =
          Error{ErrorCode::InvalidArgument, "--status: no status '" + name.toStdString() + "'", {}};
    if (s) wanted.push_back(*s);
  }
  Result<long long> datasetId = parseCount(datasetIdText, 1, 1, "--dataset-id");
  if (status && !datasetId) status = datasetId.error();
  if (status && datasetId.value() > 999)
    status = Error{ErrorCode::InvalidArgument, "--dataset-id must be 1 to 999 (nnU-Net)", {}};
  if (!status) {
    context.err << "medsa project: " << status.error().describe() << '\n';
    return kExitUsage;
  }
  const auto fail = [&context](const Error& error) {
    context.err << "medsa project: " << error.describe() << '\n';
    return kExitFailure;
  };
  Result<std::unique_ptr<ProjectStore>> store = ProjectStore::open(QString::fromStdString(*dir));
  if (!store) return fail(store.error());
  Result<std::vector<CaseRecord>> cases = store.value()->cases();
  if (!cases) return fail(cases.error());
  Result<LabelSet> labels = store.value()->labels();
  if (!labels) return fail(labels.error());
  ExportRequest request;
  request.labels = labels.value();
  request.out = QString::fromStdString(*out);
  request.format = *format;
  request.datasetId = static_cast<int>(datasetId.value());
  request.datasetName = store.value()->name();
  for (const CaseRecord& c : cases.value()) {
    if (std::find(wanted.begin(), wanted.end(), c.status) == wanted.end()) continue;
    if (!c.latest)
      return fail(Error{ErrorCode::InvalidArgument,
                        "case " + c.name.toStdString() + " is " +
                            caseStatusName(c.status).toStdString() + " but has no labels saved",
                        store.value()->folder().toStdString()});
    Result<QString> file = store.value()->labelFile(*c.latest);  // a team's: from the database
    if (!file) return fail(file.error());
    request.cases.push_back({c.name, c.imagePath, c.series, file.value()});
  }
  if (request.cases.empty())
    return fail(Error{ErrorCode::InvalidArgument, "no case with status " + statuses + " to export",
                      store.value()->folder().toStdString()});
  if (Status exported = exportDataset(request, imageReaderFromIo()); !exported)
    return fail(exported.error());
  context.out << "exported " << request.cases.size() << " cases to "
              << QFileInfo(request.out).absoluteFilePath().toStdString() << '\n';
  return kExitOk;
}

}  // namespace medsa::cli
