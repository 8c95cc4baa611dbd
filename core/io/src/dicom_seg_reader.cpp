// Binary DICOM SEG back onto its source grid: DCMTK dcmseg parses segments and functional
// groups; the pixel bits are read here because DCMTK 3.6.7 unpacks frames that do not fill whole
// bytes wrongly (DCMTK issue #1132).
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmfg/fgseg.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "dicom_seg_bits.h"
#include "medsa/io/dicom_seg.h"

namespace medsa::io {
namespace {

DicomCode codeOf(CodeSequenceMacro& macro) {
  OFString value, scheme, meaning;
  macro.getCodeValue(value);
  macro.getCodingSchemeDesignator(scheme);
  macro.getCodeMeaning(meaning);
  return {value.c_str(), scheme.c_str(), meaning.c_str()};
}

Result<DicomSegSegment> segmentOf(DcmSegmentation& seg, std::size_t number,
                                  const std::string& path) {
  DcmSegment* segment = seg.getSegment(number);
  if (!segment) {
    return Error{ErrorCode::CorruptData, "segment " + std::to_string(number) + " is missing", path};
  }
  DicomSegSegment info;
  info.labelValue = static_cast<std::uint16_t>(number);
  OFString label;
  segment->getSegmentLabel(label);
  info.label = label.c_str();
  Uint16 l = 0, a = 0, b = 0;
  if (segment->getRecommendedDisplayCIELabValue(l, a, b).good()) {
    info.rgb = dicomLabToRgb({l, a, b});
  }
  info.category = codeOf(segment->getSegmentedPropertyCategoryCode());
  info.type = codeOf(segment->getSegmentedPropertyTypeCode());
  return info;
}

}  // namespace

Result<DicomSegObject> readDicomSeg(const std::string& path, const Image& reference) {
  auto fail = [&](ErrorCode code, const std::string& reason) {
    return Error{code, "DICOM SEG: " + reason, path};
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error{ErrorCode::FileNotFound, "no such file", path};
  }
  DcmFileFormat file;
  OFCondition status = file.loadFile(path.c_str());
  if (status.bad()) {
    return fail(ErrorCode::CorruptData, std::string("DCMTK could not read it: ") + status.text());
  }
  DcmDataset& ds = *file.getDataset();
  OFString sopClass;
  ds.findAndGetOFString(DCM_SOPClassUID, sopClass);
  if (sopClass != UID_SegmentationStorage) {
    return fail(ErrorCode::InvalidArgument,
                "the file is not a Segmentation (SOP class " + std::string(sopClass.c_str()) + ")");
  }
  DcmSegmentation* loaded = nullptr;
  status = DcmSegmentation::loadDataset(ds, loaded);
  if (status.bad() || !loaded) {
    return fail(ErrorCode::CorruptData, std::string("dcmseg could not load it: ") + status.text());
  }
  const std::unique_ptr<DcmSegmentation> seg(loaded);
  if (seg->getSegmentationType() != DcmSegTypes::ST_BINARY) {
    return fail(ErrorCode::UnsupportedFormat, "only BINARY segmentations are read");
  }

  Uint16 rows = 0, cols = 0;
  ds.findAndGetUint16(DCM_Rows, rows);
  ds.findAndGetUint16(DCM_Columns, cols);
  if (cols != reference.size(0) || rows != reference.size(1)) {
    return fail(ErrorCode::InvalidArgument,
                "frames of " + std::to_string(cols) + " x " + std::to_string(rows) +
                    " do not match the source's " + std::to_string(reference.size(0)) + " x " +
                    std::to_string(reference.size(1)));
  }
  const std::size_t pixelsPerFrame = std::size_t(rows) * cols;
  const std::size_t frames = seg->getNumberOfFrames();
  const Uint8* pixels = nullptr;
  unsigned long byteCount = 0;
  if (ds.findAndGetUint8Array(DCM_PixelData, pixels, &byteCount).bad() || !pixels ||
      std::uint64_t(byteCount) * 8 < std::uint64_t(frames) * pixelsPerFrame) {
    return fail(ErrorCode::Truncated,
                "Pixel Data holds fewer bits than " + std::to_string(frames) + " frames need");
  }

  DicomSegObject result;
  for (std::size_t n = 1; n <= seg->getNumberOfSegments(); ++n) {
    Result<DicomSegSegment> segment = segmentOf(*seg, n, path);
    if (!segment) return segment.error();
    result.segments.push_back(std::move(segment).value());
  }
  OFString text;
  seg->getSeries().getSeriesInstanceUID(text);
  result.seriesInstanceUid = text.c_str();
  seg->getFrameOfReference().getFrameOfReferenceUID(text);
  result.frameOfReferenceUid = text.c_str();
  for (auto* series : seg->getCommonInstanceReference().getReferencedSeriesItems()) {
    series->getSeriesInstanceUID(text);
    result.referencedSeriesUid = text.c_str();
    for (SOPInstanceReferenceMacro* instance : series->getReferencedInstanceItems()) {
      instance->getReferencedSOPInstanceUID(text);
      result.referencedInstances.push_back(text.c_str());
    }
  }

  const ImageGeometry& g = reference.geometry;
  const std::array<double, 3> u = g.axisDirection(0);
  const std::array<double, 3> v = g.axisDirection(1);
  const std::array<double, 3> n = g.axisDirection(2);
  FGInterface& groups = seg->getFunctionalGroups();
  Result<Image> created = Image::create(
      {reference.size(0), reference.size(1), reference.size(2), 1}, 1, PixelType::U16);
  if (!created) return created.error();
  result.labels = std::move(created).value();
  result.labels.geometry = g;
  std::uint16_t* out = result.labels.data<std::uint16_t>();

  for (std::size_t f = 0; f < frames; ++f) {
    const auto frameNo = static_cast<Uint32>(f);
    const std::string which = "frame " + std::to_string(f + 1);
    auto* orientation = dynamic_cast<FGPlaneOrientationPatient*>(
        groups.get(frameNo, DcmFGTypes::EFG_PLANEORIENTPATIENT));
    Float64 o[6] = {0, 0, 0, 0, 0, 0};
    if (!orientation ||
        orientation->getImageOrientationPatient(o[0], o[1], o[2], o[3], o[4], o[5]).bad()) {
      return fail(ErrorCode::CorruptData, which + " has no plane orientation");
    }
    for (int a = 0; a < 3; ++a) {
      if (std::abs(o[a] - u[a]) > 1e-3 || std::abs(o[3 + a] - v[a]) > 1e-3) {
        return fail(ErrorCode::InvalidArgument,
                    which + " is not oriented like the source image's slices");
      }
    }
    auto* position =
        dynamic_cast<FGPlanePosPatient*>(groups.get(frameNo, DcmFGTypes::EFG_PLANEPOSPATIENT));
    Float64 p[3] = {0, 0, 0};
    if (!position || position->getImagePositionPatient(p[0], p[1], p[2]).bad()) {
      return fail(ErrorCode::CorruptData, which + " has no plane position");
    }
    auto* segmentation =
        dynamic_cast<FGSegmentation*>(groups.get(frameNo, DcmFGTypes::EFG_SEGMENTATION));
    Uint16 number = 0;
    if (!segmentation || segmentation->getReferencedSegmentNumber(number).bad() || number == 0 ||
        number > result.segments.size()) {
      return fail(ErrorCode::CorruptData, which + " names no segment of the object");
    }
    double d[3];
    for (int a = 0; a < 3; ++a) d[a] = p[a] - g.origin[a];
    auto dot = [&](const std::array<double, 3>& axis) {
      return d[0] * axis[0] + d[1] * axis[1] + d[2] * axis[2];
    };
    const double k = dot(n) / g.spacing[2];
    const double z = std::round(k);
    if (std::abs(k - z) > 0.1 || std::abs(dot(u)) > 0.1 * g.spacing[0] ||
        std::abs(dot(v)) > 0.1 * g.spacing[1] || z < 0 || z >= double(reference.size(2))) {
      return fail(ErrorCode::InvalidArgument, which + " does not lie on a slice of the source");
    }
    std::uint16_t* slice = out + static_cast<std::size_t>(z) * pixelsPerFrame;
    for (std::size_t i = 0; i < pixelsPerFrame; ++i) {
      if (!packedBit(pixels, f * pixelsPerFrame + i)) continue;
      if (slice[i] != 0 && slice[i] != number) {
        return fail(ErrorCode::UnsupportedFormat,
                    "segments " + std::to_string(slice[i]) + " and " + std::to_string(number) +
                        " overlap, so they cannot form one label map");
      }
      slice[i] = number;
    }
  }
  return result;
}

}  // namespace medsa::io
