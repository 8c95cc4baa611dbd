// DICOM SEG: one binary Segmentation object per DICOM case, written by medsa_io (DCMTK dcmseg).
// Every label of the set is a segment, numbered 1..N in the set's order in every case, so a
// segment number means the same structure throughout the dataset.
#include <QDir>
#include <QFileInfo>

#include "exporters.h"
#include "medsa/io/dicom_seg.h"

namespace medsa::annotations::exporting {
namespace {

io::DicomCode codeOf(const LabelCode& code) {
  if (code.isEmpty()) return io::genericTissueCode();
  return {code.value.toStdString(), code.scheme.toStdString(), code.meaning.toStdString()};
}

std::vector<io::DicomSegSegment> segmentsOf(const LabelSet& labels) {
  std::vector<io::DicomSegSegment> segments;
  for (const Label& label : labels.labels()) {
    io::DicomSegSegment segment;
    segment.labelValue = label.value;
    segment.label = label.name.toStdString();
    segment.rgb = {std::uint8_t(label.colour.red()), std::uint8_t(label.colour.green()),
                   std::uint8_t(label.colour.blue())};
    segment.category = codeOf(label.category);
    segment.type = codeOf(label.code);
    segments.push_back(std::move(segment));
  }
  return segments;
}

}  // namespace

Status exportDicomSeg(const ExportContext& context) {
  const std::vector<io::DicomSegSegment> segments = segmentsOf(context.request.labels);
  io::DicomSegWriteOptions options;
  if (!context.request.datasetName.isEmpty()) {
    options.seriesDescription = context.request.datasetName.toStdString();
  }
  for (std::size_t i = 0; i < context.request.cases.size(); ++i) {
    Result<CaseData> data = loadCase(context, i);
    if (!data) return data.error();
    const ExportCase& item = context.request.cases[i];
    if (data->image.metadata.format != "DICOM") {
      return exportError(ErrorCode::InvalidArgument,
                         "DICOM SEG export needs DICOM cases; case " + item.id.toStdString() +
                             " is " + data->image.metadata.format,
                         item.imagePath);
    }
    // A DICOM folder's case references its series there; a case of one file that file alone.
    const QString source = QFileInfo(item.imagePath).absoluteFilePath();
    const std::string series =
        item.series.isEmpty() ? data->image.metadata.seriesInstanceUid : item.series.toStdString();
    const QString path = QDir(context.folder).filePath(item.id + QStringLiteral(".dcm"));
    const Status written =
        io::writeDicomSeg(data->labels.image(), QFile::encodeName(source).toStdString(), series,
                          segments, QFile::encodeName(path).toStdString(), options);
    if (!written) return written;
  }
  return {};
}

}  // namespace medsa::annotations::exporting
