// Runs a NIfTI export of the fixture and stops for good after its first case, so that
// test_dataset_export can kill it (SIGKILL) at a known point in the middle of an export.
//   export_child DATA_DIR OUT MARKER
// DATA_DIR: an empty folder for the fixture; MARKER: created once the first case is written.
#include <QCoreApplication>
#include <QFile>
#include <QThread>

#include <cstdio>

#include "export_fixture.h"
#include "medsa/annotations/dataset_export.h"

namespace {

class StallAfterFirstCase : public medsa::ProgressSink {
 public:
  explicit StallAfterFirstCase(QString marker) : marker_(std::move(marker)) {}
  bool report(double fraction, std::string_view) override {
    if (fraction <= 0) return true;
    QFile marker(marker_);
    if (!marker.open(QIODevice::WriteOnly)) std::fprintf(stderr, "cannot write the marker\n");
    marker.close();
    for (;;) QThread::sleep(1);  // until killed
  }

 private:
  QString marker_;
};

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  if (argc != 4) {
    std::fprintf(stderr, "usage: export_child DATA_DIR OUT MARKER\n");
    return 2;
  }
  const medsa::test::ExportFixture fixture =
      medsa::test::makeExportFixture(QString::fromLocal8Bit(argv[1]));
  medsa::annotations::ExportRequest request;
  request.cases = fixture.volumes;
  request.cases.insert(request.cases.end(), fixture.dicom.begin(), fixture.dicom.end());
  request.labels = fixture.labels;
  request.out = QString::fromLocal8Bit(argv[2]);
  request.format = medsa::annotations::ExportFormat::Nifti;
  StallAfterFirstCase stall(QString::fromLocal8Bit(argv[3]));
  const medsa::Status status =
      medsa::annotations::exportDataset(request, medsa::annotations::imageReaderFromIo(), &stall);
  std::fprintf(stderr, "the export ended without being killed: %s\n",
               status.ok() ? "ok" : status.error().describe().c_str());
  return 1;
}
