#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "medsa/core/error.h"
#include "medsa/core/image.h"

namespace medsa::io {

/// A coded concept as DICOM's Code Sequence Macro holds it.
struct DicomCode {
  std::string value;    ///< Code Value, e.g. "85756007"
  std::string scheme;   ///< Coding Scheme Designator, e.g. "SCT"
  std::string meaning;  ///< Code Meaning, e.g. "Tissue"
  friend bool operator==(const DicomCode&, const DicomCode&) = default;
};

/// SNOMED CT "Tissue": the generic category and type for a segment nobody coded.
inline DicomCode genericTissueCode() { return {"85756007", "SCT", "Tissue"}; }

/// One segment of a binary DICOM SEG: the voxels holding `labelValue` in a label volume.
struct DicomSegSegment {
  std::uint16_t labelValue = 0;  ///< the voxel value this segment stands for
  std::string label;             ///< Segment Label (LO: at most 64 characters, no backslash)
  std::array<std::uint8_t, 3> rgb{255, 0, 0};  ///< written as the recommended CIELab value
  DicomCode category = genericTissueCode();    ///< Segmented Property Category
  DicomCode type = genericTissueCode();        ///< Segmented Property Type
  friend bool operator==(const DicomSegSegment&, const DicomSegSegment&) = default;
};

struct DicomSegWriteOptions {
  std::string seriesDescription = "Segmentation";
  int seriesNumber = 300;
  std::string contentLabel = "SEGMENTATION";  ///< CS: upper case, at most 16 characters
  std::string contentDescription;
  std::string creator = "medsa";  ///< Content Creator's Name (PN)
  /// Annotations are made with the model's help, so segments are SEMIAUTOMATIC, by this algorithm.
  std::string algorithmName = "Med-SA Studio";
};

/// Writes `labels` (a u16 label volume on the grid of a DICOM series, as readImage read it) as one
/// binary DICOM Segmentation object at `path`: one segment per entry of `segments`, numbered from
/// 1 in that order, each with its label, colour and codes; one frame per slice that holds the
/// segment (a segment without voxels gets one empty frame, so segment numbers stay those of the
/// list). Patient, study and Frame of Reference come from the source series (the series
/// `seriesUid` found under `sourceFolder`, or its largest series when empty; when `sourceFolder`
/// is one DICOM file, that file alone, whatever else shares its UID); every frame has its
/// plane position and a derivation reference to its source instance, and the Referenced Series
/// Sequence lists the instances referenced. Frames are bit-packed here rather than by DCMTK
/// (3.6.7 loses bits of some frames whose rows x columns is not a multiple of 8). The file is
/// written under a temporary name and renamed. Errors name the file and the reason.
Status writeDicomSeg(const Image& labels, const std::string& sourceFolder,
                     const std::string& seriesUid, const std::vector<DicomSegSegment>& segments,
                     const std::string& path, const DicomSegWriteOptions& options = {});

/// A DICOM SEG read back onto the grid of its source image.
struct DicomSegObject {
  /// The segments, in segment number order; labelValue is the segment number.
  std::vector<DicomSegSegment> segments;
  /// u16 on the reference grid: the number of the segment covering each voxel, 0 for none.
  Image labels;
  std::string seriesInstanceUid;  ///< of the SEG itself
  std::string frameOfReferenceUid;
  std::string referencedSeriesUid;               ///< from the Referenced Series Sequence
  std::vector<std::string> referencedInstances;  ///< SOP Instance UIDs it lists
};

/// Reads a binary DICOM SEG (DCMTK dcmseg for its structure; frames unpacked here, contiguous
/// across frames as the standard says) and places its frames on the grid of `reference` (the
/// source series as readImage reads it) by their plane positions. Fails, naming the file, for
/// another SOP class, a fractional SEG, another frame size or orientation, a frame between the
/// reference's slices, or segments that overlap (they cannot share one label volume).
Result<DicomSegObject> readDicomSeg(const std::string& path, const Image& reference);

}  // namespace medsa::io
