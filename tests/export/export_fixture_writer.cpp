// Writes the fixture cases, exports them in every format and the ground truth, for
// tests/scripts/check_exports.py to read back with independent readers.
//   export_fixture_writer DIR
// DIR is replaced only if an earlier run made it (it holds the marker file).
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

#include "export_fixture.h"
#include "medsa/annotations/dataset_export.h"

using namespace medsa;
using namespace medsa::annotations;

namespace {

const QString kMarker = QStringLiteral(".medsa-export-readback");

bool writeFile(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: export_fixture_writer DIR\n");
    return 2;
  }
  const QDir dir(QString::fromLocal8Bit(argv[1]));
  if (dir.exists()) {
    if (!QFileInfo::exists(dir.filePath(kMarker))) {
      std::fprintf(stderr, "%s exists and was not made by export_fixture_writer; not touching it\n",
                   argv[1]);
      return 2;
    }
    QDir(dir.path()).removeRecursively();
  }
  if (!QDir().mkpath(dir.filePath(QStringLiteral("data"))) ||
      !QDir().mkpath(dir.filePath(QStringLiteral("truth"))) ||
      !writeFile(dir.filePath(kMarker), {})) {
    std::fprintf(stderr, "cannot create %s\n", argv[1]);
    return 1;
  }
  const test::ExportFixture f = test::makeExportFixture(dir.filePath(QStringLiteral("data")));

  auto join = [](std::initializer_list<const std::vector<ExportCase>*> groups) {
    std::vector<ExportCase> cases;
    for (const auto* group : groups) cases.insert(cases.end(), group->begin(), group->end());
    return cases;
  };
  struct Job {
    const char* name;
    ExportFormat format;
    std::vector<ExportCase> cases;
    int datasetId;
    const char* datasetName;
  };
  const Job jobs[] = {
      {"nifti", ExportFormat::Nifti, join({&f.volumes, &f.dicom}), 1, "Synthetic"},
      {"nrrd", ExportFormat::Nrrd, join({&f.volumes}), 1, "Synthetic"},
      {"png", ExportFormat::Png, join({&f.pictures}), 1, "Synthetic"},
      {"coco", ExportFormat::Coco, join({&f.pictures, &f.volumes}), 1, "Synthetic"},
      {"nnunet3d", ExportFormat::NnUnet, join({&f.volumes, &f.dicom}), 42, "Synthetic"},
      {"nnunet2d", ExportFormat::NnUnet, join({&f.pictures}), 43, "Pictures"},
      {"seg", ExportFormat::DicomSeg, join({&f.dicom}), 1, "Synthetic"}};
  QJsonObject exports;
  for (const Job& job : jobs) {
    ExportRequest request;
    request.cases = job.cases;
    request.labels = f.labels;
    request.out = dir.filePath(QStringLiteral("out/") + QString::fromLatin1(job.name));
    request.format = job.format;
    request.datasetId = job.datasetId;
    request.datasetName = QString::fromLatin1(job.datasetName);
    const Status status = exportDataset(request, imageReaderFromIo());
    if (!status) {
      std::fprintf(stderr, "%s export failed: %s\n", job.name, status.error().describe().c_str());
      return 1;
    }
    QJsonArray ids;
    for (const ExportCase& item : job.cases) ids.append(item.id);
    exports.insert(
        QString::fromLatin1(job.name),
        QJsonObject{{QStringLiteral("folder"), request.out}, {QStringLiteral("cases"), ids}});
  }

  // Truth: each label map as raw little-endian u16, x fastest, with its grid.
  QJsonObject cases;
  for (const auto& [id, labels] : f.truth) {
    const QByteArray raw(reinterpret_cast<const char*>(labels.bytes()),
                         qsizetype(labels.byteCount()));
    if (!writeFile(dir.filePath(QStringLiteral("truth/") + id + QStringLiteral(".raw")), raw)) {
      return 1;
    }
    QString kind = QStringLiteral("volume");
    QString source;
    for (const ExportCase& item : f.pictures) {
      if (item.id == id) kind = QStringLiteral("picture"), source = item.imagePath;
    }
    for (const ExportCase& item : f.dicom) {
      if (item.id == id) kind = QStringLiteral("dicom"), source = item.imagePath;
    }
    for (const ExportCase& item : f.volumes) {
      if (item.id == id) source = item.imagePath;
    }
    const auto& g = labels.geometry;
    cases.insert(
        id, QJsonObject{
                {QStringLiteral("size"), QJsonArray{qint64(labels.size(0)), qint64(labels.size(1)),
                                                    qint64(labels.size(2))}},
                {QStringLiteral("spacing"), QJsonArray{g.spacing[0], g.spacing[1], g.spacing[2]}},
                {QStringLiteral("kind"), kind},
                {QStringLiteral("source"), source}});
  }
  QJsonArray labels;
  for (const Label& label : f.labels.labels()) {
    labels.append(QJsonObject{{QStringLiteral("value"), int(label.value)},
                              {QStringLiteral("name"), label.name},
                              {QStringLiteral("code"), label.code.value}});
  }
  const QJsonObject truth{{QStringLiteral("cases"), cases},
                          {QStringLiteral("labels"), labels},
                          {QStringLiteral("exports"), exports}};
  if (!writeFile(dir.filePath(QStringLiteral("truth/truth.json")), QJsonDocument(truth).toJson())) {
    return 1;
  }
  std::printf("fixture and exports written to %s\n", argv[1]);
  return 0;
}
