// Binary DICOM SEG through DCMTK dcmseg, following the outline of dcmqi's converter (shared pixel
// measures and orientation; per frame: plane position, dimension indices, derivation reference).
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmfg/fgderimg.h>
#include <dcmtk/dcmfg/fgfracon.h>
#include <dcmtk/dcmfg/fgpixmsr.h>
#include <dcmtk/dcmfg/fgplanor.h>
#include <dcmtk/dcmfg/fgplanpo.h>
#include <dcmtk/dcmseg/segdoc.h>
#include <dcmtk/dcmseg/segment.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <set>

#include "dicom_header.h"
#include "dicom_seg_bits.h"
#include "medsa/core/atomic_file.h"
#include "medsa/core/build_info.h"
#include "medsa/io/dicom.h"
#include "medsa/io/dicom_seg.h"

namespace medsa::io {
namespace {

Error dcmtkError(const std::string& path, const std::string& what, const OFCondition& status) {
  return Error{ErrorCode::WriteFailed, "DICOM SEG: " + what + ": " + status.text(), path};
}

/// One single-frame instance of the source series, header only.
struct SourceSlice {
  std::string path;
  std::unique_ptr<DcmFileFormat> file;
  std::array<OFString, 3> positionText;  ///< Image Position (Patient) as the file writes it
  std::array<double, 3> position{};
  std::string sopClass;
  std::string sopInstance;
};

std::string sizeText(const Image& labels) {
  return std::to_string(labels.size(0)) + " x " + std::to_string(labels.size(1)) +
         " pixels (the label map's size)";
}

/// A case of one DICOM file references that file alone: the folder around it may hold other
/// files with the same SeriesInstanceUID (copies, other encodings, damaged ones) that are not
/// the image the labels were drawn on.
Result<DicomSeriesInfo> oneFileSeries(const std::string& file, const Image& labels) {
  Result<DicomHeader> header = readDicomHeader(file);
  if (!header) return header.error();
  if (header->columns != labels.size(0) || header->rows != labels.size(1)) {
    return Error{ErrorCode::InvalidArgument,
                 "the DICOM file has " + std::to_string(header->columns) + " x " +
                     std::to_string(header->rows) + " pixels, not " + sizeText(labels),
                 file};
  }
  return seriesOfFile(header.value());
}

Result<DicomSeriesInfo> findSeries(const std::string& folder, const std::string& uid,
                                   const Image& labels) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(folder, ec)) return oneFileSeries(folder, labels);
  Result<DicomScan> scan = scanDicomFolder(folder);
  if (!scan) return scan.error();
  for (const DicomSeriesInfo& series : scan->series) {
    if (!uid.empty() && series.seriesInstanceUid != uid) continue;
    if (series.columns == labels.size(0) && series.rows == labels.size(1)) return series;
    if (uid.empty()) break;  // the default series (the largest) is the one readImage reads
  }
  return Error{ErrorCode::InvalidArgument,
               (uid.empty() ? std::string("no DICOM series")
                            : "no DICOM series with SeriesInstanceUID " + uid) +
                   " of " + sizeText(labels) + " in the folder",
               folder};
}

Result<std::vector<SourceSlice>> loadSources(const DicomSeriesInfo& series) {
  std::vector<SourceSlice> slices;
  for (const std::string& path : series.files) {
    SourceSlice slice;
    slice.path = path;
    slice.file = std::make_unique<DcmFileFormat>();
    // Headers suffice: large values (the pixels) stay on disk unless asked for.
    OFCondition status = slice.file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096);
    if (status.bad()) {
      return Error{ErrorCode::CorruptData,
                   std::string("DCMTK could not read the header: ") + status.text(), path};
    }
    DcmDataset& ds = *slice.file->getDataset();
    Sint32 frames = 1;
    if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).good() && frames > 1) {
      return Error{ErrorCode::UnsupportedFormat,
                   "DICOM SEG export references single-frame source images only; this file has " +
                       std::to_string(frames) + " frames",
                   path};
    }
    OFString text;
    for (unsigned long i = 0; i < 3; ++i) {
      if (ds.findAndGetOFString(DCM_ImagePositionPatient, slice.positionText[i], i).bad()) {
        return Error{ErrorCode::CorruptData, "the slice has no Image Position (Patient)", path};
      }
      slice.position[i] = std::atof(slice.positionText[i].c_str());
    }
    ds.findAndGetOFString(DCM_SOPClassUID, text);
    slice.sopClass = text.c_str();
    ds.findAndGetOFString(DCM_SOPInstanceUID, text);
    slice.sopInstance = text.c_str();
    if (slice.sopClass.empty() || slice.sopInstance.empty()) {
      return Error{ErrorCode::CorruptData, "the slice has no SOP Class or SOP Instance UID", path};
    }
    slices.push_back(std::move(slice));
  }
  return slices;
}

/// For each z of the label volume, the source slice lying on it (or -1 where the series has a
/// gap). Matched by position rather than by order, so the reader's sorting need not be repeated.
std::vector<int> matchSlices(const Image& labels, const std::vector<SourceSlice>& sources) {
  const ImageGeometry& g = labels.geometry;
  const auto u = g.axisDirection(0);
  const auto v = g.axisDirection(1);
  const auto n = g.axisDirection(2);
  std::vector<int> byZ(labels.size(2), -1);
  for (std::size_t i = 0; i < sources.size(); ++i) {
    double d[3];
    for (int a = 0; a < 3; ++a) d[a] = sources[i].position[a] - g.origin[a];
    auto dot = [&](const std::array<double, 3>& axis) {
      return d[0] * axis[0] + d[1] * axis[1] + d[2] * axis[2];
    };
    const double k = dot(n) / g.spacing[2];
    const double z = std::round(k);
    // A slice off the grid (another stack, a shifted duplicate) is not this volume's.
    if (std::abs(k - z) > 0.1 || std::abs(dot(u)) > 0.1 * g.spacing[0] ||
        std::abs(dot(v)) > 0.1 * g.spacing[1] || z < 0 || z >= double(labels.size(2))) {
      continue;
    }
    int& slot = byZ[static_cast<std::size_t>(z)];
    if (slot < 0) slot = static_cast<int>(i);
  }
  return byZ;
}

bool isAscii(const std::string& text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

/// LO text for dcmseg, which checks values as ASCII whatever the character set: text beyond
/// ASCII goes in as `placeholder` and is put back by restoreText() once the dataset is written.
OFString asciiOr(const std::string& text, const char* placeholder) {
  const std::string value = longString(text);
  return isAscii(value) ? OFString(value.c_str()) : OFString(placeholder);
}

/// A one-part name as the family name ("medsa^"): dciodvfy calls a PN without '^' the retired
/// form.
std::string personName(const std::string& name) {
  return name.empty() || name.find('^') != std::string::npos ? name : name + "^";
}

CodeSequenceMacro codeMacro(const DicomCode& code) {
  return CodeSequenceMacro(code.value.c_str(), code.scheme.c_str(), asciiOr(code.meaning, "CODE"));
}

/// Puts our UTF-8 text (already LO-clean) where asciiOr() left placeholders.
OFCondition restoreText(DcmItem& dataset, const std::vector<DicomSegSegment>& segments,
                        const DicomSegWriteOptions& options) {
  OFCondition status = dataset.putAndInsertString(DCM_SeriesDescription,
                                                  longString(options.seriesDescription).c_str());
  for (std::size_t s = 0; s < segments.size() && status.good(); ++s) {
    DcmItem* item = nullptr;
    status = dataset.findAndGetSequenceItem(DCM_SegmentSequence, item, static_cast<int>(s));
    if (status.bad() || !item) break;
    status = item->putAndInsertString(DCM_SegmentLabel, longString(segments[s].label).c_str());
    if (status.good()) {
      status = item->putAndInsertString(DCM_SegmentAlgorithmName,
                                        longString(options.algorithmName).c_str());
    }
    const std::pair<DcmTagKey, const DicomCode*> codes[] = {
        {DCM_SegmentedPropertyCategoryCodeSequence, &segments[s].category},
        {DCM_SegmentedPropertyTypeCodeSequence, &segments[s].type}};
    for (const auto& [sequence, code] : codes) {
      DcmItem* codeItem = nullptr;
      if (status.good()) status = item->findAndGetSequenceItem(sequence, codeItem, 0);
      if (status.good() && codeItem) {
        status = codeItem->putAndInsertString(DCM_CodeMeaning, longString(code->meaning).c_str());
      }
    }
  }
  return status;
}

/// Everything of one frame: which segment, which slice.
struct FramePlan {
  std::uint16_t segment = 0;
  std::size_t z = 0;
};

}  // namespace

Status writeDicomSeg(const Image& labels, const std::string& sourceFolder,
                     const std::string& seriesUid, const std::vector<DicomSegSegment>& segments,
                     const std::string& path, const DicomSegWriteOptions& options) {
  if (labels.isEmpty() || labels.pixelType() != PixelType::U16 || labels.components() != 1 ||
      labels.size(3) != 1) {
    return Error{ErrorCode::InvalidArgument, "DICOM SEG is written from a u16 label volume", path};
  }
  if (segments.empty() || segments.size() > 65535) {
    return Error{ErrorCode::InvalidArgument, "DICOM SEG needs 1 to 65535 segments", path};
  }
  if (labels.size(0) > 65535 || labels.size(1) > 65535) {
    return Error{ErrorCode::InvalidArgument, "DICOM frames have at most 65535 rows and columns",
                 path};
  }
  Result<DicomSeriesInfo> series = findSeries(sourceFolder, seriesUid, labels);
  if (!series) return series.error();
  Result<std::vector<SourceSlice>> sources = loadSources(series.value());
  if (!sources) return sources.error();
  const std::vector<int> sourceOfZ = matchSlices(labels, sources.value());

  const auto cols = static_cast<Uint16>(labels.size(0));
  const auto rows = static_cast<Uint16>(labels.size(1));
  const std::size_t pixelsPerFrame = std::size_t(rows) * cols;
  const std::uint16_t* voxels = labels.data<std::uint16_t>();

  // Frames grouped by segment, slices in order (dcmqi's layout; viewers expect it).
  std::vector<FramePlan> plan;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const auto number = static_cast<std::uint16_t>(s + 1);
    const std::size_t before = plan.size();
    for (std::size_t z = 0; z < labels.size(2); ++z) {
      const std::uint16_t* slice = voxels + z * pixelsPerFrame;
      bool present = false;
      for (std::size_t i = 0; i < pixelsPerFrame && !present; ++i) {
        present = slice[i] == segments[s].labelValue;
      }
      if (!present) continue;
      if (sourceOfZ[z] < 0) {
        return Error{ErrorCode::InvalidArgument,
                     "slice " + std::to_string(z) + " holds label " +
                         std::to_string(segments[s].labelValue) +
                         " but no file of the source series lies on it",
                     path};
      }
      plan.push_back({number, z});
    }
    // An empty segment keeps one empty frame on a slice that has a source, so that segment
    // numbers mean the same labels in every case of a dataset.
    if (plan.size() == before) {
      for (std::size_t z = 0; z < sourceOfZ.size(); ++z) {
        if (sourceOfZ[z] >= 0) {
          plan.push_back({number, z});
          break;
        }
      }
      if (plan.size() == before) {
        return Error{ErrorCode::InvalidArgument,
                     "no file of the source series lies on the label map's grid", path};
      }
    }
  }

  DcmDataset& first =
      *sources->at(static_cast<std::size_t>(sourceOfZ[plan.front().z])).file->getDataset();
  OFString frameOfReference;
  if (first.findAndGetOFString(DCM_FrameOfReferenceUID, frameOfReference).bad() ||
      frameOfReference.empty()) {
    return Error{ErrorCode::InvalidArgument,
                 "the source series has no Frame of Reference UID, which DICOM SEG needs",
                 sources->front().path};
  }
  // Our text is UTF-8; the source's patient and study text is converted to UTF-8 as well so the
  // SEG can declare one character set for all of it.
  bool ascii = isAscii(options.seriesDescription) && isAscii(options.contentDescription) &&
               isAscii(options.creator);
  for (const DicomSegSegment& segment : segments) ascii = ascii && isAscii(segment.label);
  const bool utf8 = !ascii;
  if (utf8 && first.convertToUTF8().bad()) {
    return Error{ErrorCode::UnsupportedFormat,
                 "the source's character set cannot be converted to UTF-8 for the label names",
                 sources->front().path};
  }

  const std::string version(projectVersion());
  IODGeneralEquipmentModule::EquipmentInfo equipment(std::string(projectName()).c_str(), "medsa",
                                                     "0", version.c_str());
  ContentIdentificationMacro content("1", codeString(options.contentLabel, "SEGMENTATION").c_str(),
                                     asciiOr(options.contentDescription, ""),
                                     asciiOr(personName(options.creator), "medsa^"));
  DcmSegmentation* created = nullptr;
  OFCondition status =
      DcmSegmentation::createBinarySegmentation(created, rows, cols, equipment, content);
  if (status.bad() || !created) return dcmtkError(path, "cannot create the object", status);
  const std::unique_ptr<DcmSegmentation> seg(created);

  status = seg->importHierarchy(first, OFTrue, OFTrue, OFTrue, OFFalse);
  if (status.bad()) return dcmtkError(path, "cannot take over patient and study", status);
  if (utf8) seg->getSOPCommon().setSpecificCharacterSet("ISO_IR 192");
  seg->getSeries().setSeriesDescription(asciiOr(options.seriesDescription, "Segmentation"));
  seg->getSeries().setSeriesNumber(std::to_string(options.seriesNumber).c_str());

  // Shared functional groups: one orientation and pixel size for every frame.
  OFString orientation[6];
  for (unsigned long i = 0; i < 6; ++i) {
    if (first.findAndGetOFString(DCM_ImageOrientationPatient, orientation[i], i).bad()) {
      return Error{ErrorCode::CorruptData, "the slice has no Image Orientation (Patient)",
                   sources->front().path};
    }
  }
  FGPlaneOrientationPatient planeOrientation;
  planeOrientation.setImageOrientationPatient(orientation[0], orientation[1], orientation[2],
                                              orientation[3], orientation[4], orientation[5]);
  FGPixelMeasures measures;
  const ImageGeometry& g = labels.geometry;
  measures.setPixelSpacing(
      (decimalString(g.spacing[1]) + "\\" + decimalString(g.spacing[0])).c_str());
  OFString thickness;
  if (first.findAndGetOFString(DCM_SliceThickness, thickness).bad() || thickness.empty()) {
    thickness = decimalString(g.spacing[2]).c_str();
  }
  measures.setSliceThickness(thickness);
  measures.setSpacingBetweenSlices(decimalString(g.spacing[2]).c_str());
  if ((status = seg->addForAllFrames(planeOrientation)).bad() ||
      (status = seg->addForAllFrames(measures)).bad()) {
    return dcmtkError(path, "cannot add the shared functional groups", status);
  }

  char dimensionUid[100];
  dcmGenerateUniqueIdentifier(dimensionUid, SITE_INSTANCE_UID_ROOT);
  IODMultiframeDimensionModule& dimensions = seg->getDimensions();
  if ((status = dimensions.addDimensionIndex(DCM_ReferencedSegmentNumber, dimensionUid,
                                             DCM_SegmentIdentificationSequence,
                                             "ReferencedSegmentNumber"))
          .bad() ||
      (status = dimensions.addDimensionIndex(DCM_ImagePositionPatient, dimensionUid,
                                             DCM_PlanePositionSequence, "ImagePositionPatient"))
          .bad()) {
    return dcmtkError(path, "cannot add the dimension indices", status);
  }

  for (std::size_t s = 0; s < segments.size(); ++s) {
    const DicomSegSegment& info = segments[s];
    DcmSegment* segment = nullptr;
    status = DcmSegment::create(segment, asciiOr(info.label, "SEGMENT"), codeMacro(info.category),
                                codeMacro(info.type), DcmSegTypes::SAT_SEMIAUTOMATIC,
                                asciiOr(options.algorithmName, "ALGORITHM"));
    if (status.bad() || !segment) {
      delete segment;
      return dcmtkError(path, "cannot create segment '" + info.label + "'", status);
    }
    const auto lab = rgbToDicomLab(info.rgb);
    segment->setRecommendedDisplayCIELabValue(lab[0], lab[1], lab[2]);
    Uint16 number = 0;
    status = seg->addSegment(segment, number);
    if (status.bad()) {
      delete segment;
      return dcmtkError(path, "cannot add segment '" + info.label + "'", status);
    }
    if (number != s + 1) {
      return Error{
          ErrorCode::Internal,
          "DCMTK numbered segment " + std::to_string(s + 1) + " as " + std::to_string(number),
          path};
    }
  }

  const CodeSequenceMacro derivation("113076", "DCM", "Segmentation");
  const CodeSequenceMacro purpose("121322", "DCM", "Source image for image processing operation");
  std::vector<std::uint8_t> frame(pixelsPerFrame);
  std::vector<std::uint8_t> packed((plan.size() * pixelsPerFrame + 7) / 8, 0);
  std::set<std::size_t> referenced;
  for (std::size_t f = 0; f < plan.size(); ++f) {
    const FramePlan& item = plan[f];
    const SourceSlice& source = sources->at(static_cast<std::size_t>(sourceOfZ[item.z]));
    const std::uint16_t value = segments[item.segment - 1].labelValue;
    const std::uint16_t* slice = voxels + item.z * pixelsPerFrame;
    for (std::size_t i = 0; i < pixelsPerFrame; ++i) {
      frame[i] = slice[i] == value ? 1 : 0;
      if (frame[i]) setPackedBit(packed, f * pixelsPerFrame + i);
    }
    FGPlanePosPatient position;
    position.setImagePositionPatient(source.positionText[0], source.positionText[1],
                                     source.positionText[2]);
    FGFrameContent frameContent;
    frameContent.setDimensionIndexValues(item.segment, 0);
    frameContent.setDimensionIndexValues(static_cast<Uint32>(item.z + 1), 1);
    FGDerivationImage derivationImage;
    DerivationImageItem* derived = nullptr;
    status = derivationImage.addDerivationImageItem(derivation, "", derived);
    OFVector<SourceImageItem*> sourceItems;
    if (status.good() && derived) {
      OFVector<DcmDataset*> datasets(1, source.file->getDataset());
      status = derived->addSourceImageItems(datasets, purpose, sourceItems);
    }
    if (status.bad()) return dcmtkError(path, "cannot reference " + source.path, status);
    OFVector<FGBase*> perFrame;
    perFrame.push_back(&position);
    perFrame.push_back(&frameContent);
    perFrame.push_back(&derivationImage);
    status = seg->addFrame(frame.data(), item.segment, perFrame);
    if (status.bad()) return dcmtkError(path, "cannot add frame " + std::to_string(f + 1), status);
    referenced.insert(static_cast<std::size_t>(sourceOfZ[item.z]));
  }

  // Referenced Series Sequence: the source series and exactly the instances the frames use.
  auto* referencedSeries = new IODSeriesAndInstanceReferenceMacro::ReferencedSeriesItem;
  referencedSeries->setSeriesInstanceUID(series->seriesInstanceUid.c_str());
  for (std::size_t index : referenced) {
    referencedSeries->addReference(sources->at(index).sopClass.c_str(),
                                   sources->at(index).sopInstance.c_str());
  }
  seg->getCommonInstanceReference().getReferencedSeriesItems().push_back(referencedSeries);

  DcmFileFormat file;
  DcmDataset& dataset = *file.getDataset();
  status = seg->writeDataset(dataset);
  if (status.bad()) return dcmtkError(path, "DCMTK refused the object", status);
  if (utf8) {
    if ((status = restoreText(dataset, segments, options)).good() &&
        !options.contentDescription.empty()) {
      status = dataset.putAndInsertString(DCM_ContentDescription,
                                          longString(options.contentDescription).c_str());
    }
    if (status.good()) {
      status =
          dataset.putAndInsertString(DCM_ContentCreatorName, personName(options.creator).c_str());
    }
    if (status.bad()) return dcmtkError(path, "cannot store the UTF-8 text", status);
  }

  // Our packing replaces DCMTK's (see dicom_seg_bits.h); both agree when frames fill whole bytes.
  DcmElement* pixelData = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, pixelData).bad() || !pixelData ||
      pixelData->getLength() < packed.size()) {
    return Error{ErrorCode::Internal, "DCMTK wrote no Pixel Data of the expected size", path};
  }
  packed.resize(pixelData->getLength(), 0);
  if ((status = pixelData->putUint8Array(packed.data(), packed.size())).bad()) {
    return dcmtkError(path, "cannot store the pixel data", status);
  }

  Result<FileReplacement> replacement = beginFileReplacement(path, ".dcm");
  if (!replacement) return replacement.error();
  status = file.saveFile(replacement->temporary.c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) {
    abandonFileReplacement(replacement.value());
    return Error{ErrorCode::WriteFailed, std::string("cannot write the file: ") + status.text(),
                 path};
  }
  return finishFileReplacement(replacement.value());
}

}  // namespace medsa::io
