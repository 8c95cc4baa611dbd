// DICOM headers through GDCM. Values are fetched as text with gdcm::StringFilter (which knows
// the VR of implicit-VR files and the byte order) and parsed here with range checks, rather
// than with gdcm::Attribute, which asserts on malformed elements.
#include "dicom_header.h"

#include <gdcmDataSet.h>
#include <gdcmFileMetaInformation.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmStringFilter.h>
#include <gdcmTrace.h>
#include <gdcmUIDs.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <istream>
#include <mutex>
#include <sstream>

#include "dicom_structure.h"
#include "file_bytes.h"
#include "memory_stream.h"

namespace medsa::io {
namespace {

std::string trim(std::string text) {
  const auto notSpace = [](unsigned char c) { return !std::isspace(c) && c != '\0'; };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), notSpace));
  text.erase(std::find_if(text.rbegin(), text.rend(), notSpace).base(), text.end());
  return text;
}

std::vector<std::string> splitValues(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\\', start);
    parts.push_back(trim(text.substr(start, end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

std::optional<double> parseDouble(const std::string& text) {
  const std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  double value = 0;
  const char* begin = t.data();
  if (*begin == '+') ++begin;
  const auto [end, ec] = std::from_chars(begin, t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<long> parseLong(const std::string& text) {
  const std::optional<double> value = parseDouble(text);
  if (!value || std::abs(*value) > 2e9) return std::nullopt;
  return static_cast<long>(std::lround(*value));
}

template <std::size_t N>
std::optional<std::array<double, N>> parseVector(const std::string& text) {
  const std::vector<std::string> parts = splitValues(text);
  if (parts.size() < N) return std::nullopt;
  std::array<double, N> values;
  for (std::size_t i = 0; i < N; ++i) {
    const std::optional<double> v = parseDouble(parts[i]);
    if (!v) return std::nullopt;
    values[i] = *v;
  }
  return values;
}

std::vector<double> parseList(const std::string& text) {
  std::vector<double> values;
  if (trim(text).empty()) return values;
  for (const std::string& part : splitValues(text)) {
    const std::optional<double> v = parseDouble(part);
    if (!v) return {};
    values.push_back(*v);
  }
  return values;
}

/// Reads elements of one data set (top level or a functional group item) as text.
class Fields {
 public:
  Fields(const gdcm::StringFilter& filter, const gdcm::DataSet& dataSet)
      : filter_(filter), dataSet_(dataSet) {}

  std::string text(std::uint16_t group, std::uint16_t element) const {
    const gdcm::Tag tag(group, element);
    if (!dataSet_.FindDataElement(tag)) return {};
    const gdcm::DataElement& de = dataSet_.GetDataElement(tag);
    if (de.IsEmpty() || de.GetByteValue() == nullptr) return {};
    return trim(filter_.ToString(de));
  }
  std::optional<double> number(std::uint16_t group, std::uint16_t element) const {
    return parseDouble(splitValues(text(group, element)).front());
  }
  std::optional<long> integer(std::uint16_t group, std::uint16_t element) const {
    return parseLong(splitValues(text(group, element)).front());
  }
  /// A sequence element's items. Kept alive by the returned pointer: for UN and some implicit
  /// elements GDCM parses the sequence on demand and nothing else owns it.
  gdcm::SmartPointer<gdcm::SequenceOfItems> sequence(std::uint16_t group,
                                                     std::uint16_t element) const {
    const gdcm::Tag tag(group, element);
    if (!dataSet_.FindDataElement(tag)) return nullptr;
    return dataSet_.GetDataElement(tag).GetValueAsSQ();
  }
  /// A copy of item `index` (0-based) of a sequence, if present.
  std::optional<gdcm::DataSet> item(std::uint16_t group, std::uint16_t element,
                                    std::size_t index) const {
    const gdcm::SmartPointer<gdcm::SequenceOfItems> items = sequence(group, element);
    if (!items || index >= items->GetNumberOfItems()) return std::nullopt;
    return items->GetItem(index + 1).GetNestedDataSet();
  }
  Fields nested(const gdcm::DataSet& dataSet) const { return Fields(filter_, dataSet); }

 private:
  const gdcm::StringFilter& filter_;
  const gdcm::DataSet& dataSet_;
};

void readWindows(const Fields& f, std::vector<WindowPreset>* windows) {
  const std::vector<double> centers = parseList(f.text(0x0028, 0x1050));
  const std::vector<double> widths = parseList(f.text(0x0028, 0x1051));
  const std::vector<std::string> names = splitValues(f.text(0x0028, 0x1055));
  for (std::size_t i = 0; i < std::min(centers.size(), widths.size()); ++i) {
    if (widths[i] <= 0) continue;
    windows->push_back({centers[i], widths[i], i < names.size() ? names[i] : std::string()});
  }
}

/// Functional groups of enhanced multi-frame objects: shared values first, then frame 1's for
/// what the shared group lacks, and the position of every frame.
void readFunctionalGroups(const Fields& top, DicomHeader* h) {
  std::vector<gdcm::DataSet> groups;
  if (auto shared = top.item(0x5200, 0x9229, 0)) groups.push_back(std::move(*shared));
  if (auto first = top.item(0x5200, 0x9230, 0)) groups.push_back(std::move(*first));
  for (const gdcm::DataSet& group : groups) {
    const Fields g = top.nested(group);
    if (const auto measures = g.item(0x0028, 0x9110, 0)) {
      const Fields m = top.nested(*measures);
      if (!h->pixelSpacing) h->pixelSpacing = parseVector<2>(m.text(0x0028, 0x0030));
      if (!h->sliceThickness) h->sliceThickness = m.number(0x0018, 0x0050);
      if (!h->spacingBetweenSlices) h->spacingBetweenSlices = m.number(0x0018, 0x0088);
    }
    if (const auto plane = g.item(0x0020, 0x9116, 0); plane && !h->orientation) {
      h->orientation = parseVector<6>(top.nested(*plane).text(0x0020, 0x0037));
    }
    if (const auto transform = g.item(0x0028, 0x9145, 0)) {
      const Fields t = top.nested(*transform);
      if (auto s = t.number(0x0028, 0x1053)) h->slope = *s;
      if (auto i = t.number(0x0028, 0x1052)) h->intercept = *i;
    }
    if (const auto voi = g.item(0x0028, 0x9132, 0); voi && h->windows.empty()) {
      readWindows(top.nested(*voi), &h->windows);
    }
  }
  // Some files keep more per-frame items than frames (cut from larger objects): use the first.
  const gdcm::SmartPointer<gdcm::SequenceOfItems> perFrame = top.sequence(0x5200, 0x9230);
  if (!perFrame || perFrame->GetNumberOfItems() < h->frames) return;
  for (std::size_t i = 0; i < h->frames; ++i) {
    const Fields frame = top.nested(perFrame->GetItem(i + 1).GetNestedDataSet());
    const auto position = frame.item(0x0020, 0x9113, 0);
    std::optional<std::array<double, 3>> p;
    if (position) p = parseVector<3>(top.nested(*position).text(0x0020, 0x0032));
    if (!p) {
      h->framePositions.clear();
      return;
    }
    h->framePositions.push_back(*p);
  }
  if (!h->position && !h->framePositions.empty()) h->position = h->framePositions.front();
}

}  // namespace

void quietGdcm() {
  static std::once_flag once;
  std::call_once(once, [] {
    gdcm::Trace::DebugOff();
    gdcm::Trace::WarningOff();
    gdcm::Trace::ErrorOff();
  });
}

bool DicomHeader::framesAreTime() const {
  if (frames <= 1) return false;
  if (!framePositions.empty() || !gridFrameOffsets.empty()) return false;
  for (std::uint32_t pointer : frameIncrementPointers) {
    if (pointer == 0x00181063u || pointer == 0x00181065u) return true;  // Frame Time (Vector)
  }
  // Cine modalities that give a frame time but no pointer.
  return frameTimeMs > 0 && (modality == "US" || modality == "XA" || modality == "RF" ||
                             modality == "ES" || modality == "IVUS");
}

std::string describeSopClass(const std::string& sopClassUid) {
  gdcm::UIDs uid;
  if (!sopClassUid.empty() && uid.SetFromUID(sopClassUid.c_str()) && uid.GetName()) {
    return uid.GetName();
  }
  return sopClassUid.empty() ? "unknown SOP class" : sopClassUid;
}

Result<DicomHeader> readDicomHeader(const std::string& path) {
  quietGdcm();
  Result<std::uint64_t> size = regularFileSize(path);
  if (!size) return size.error();
  if (size.value() == 0) return Error{ErrorCode::NotAnImage, "the file is empty", path};

  // Our structural walk first (see dicom_structure.h): the header is read in growing pieces
  // until the walk reaches Pixel Data or the end of the file.
  std::size_t headBytes = std::size_t(1) << 16;
  std::vector<std::uint8_t> head;
  DicomLayout layout;
  while (true) {
    Result<std::vector<std::uint8_t>> bytes = readFileHead(path, headBytes);
    if (!bytes) return bytes.error();
    Result<DicomLayout> walked = walkDicom(bytes->data(), bytes->size(), true, path);
    if (walked) {
      head = std::move(bytes).value();
      layout = walked.value();
      break;
    }
    if (walked.error().code != ErrorCode::Truncated || bytes->size() >= size.value()) {
      return walked.error();
    }
    headBytes *= 4;
  }

  DicomHeader h;
  h.path = path;
  try {
    // GDCM parses the bytes before Pixel Data only: asked to stop at Pixel Data itself
    // (ReadUpToTag), it still walks the fragments and asserts on malformed ones.
    if (layout.pixelDataElement && *layout.pixelDataElement <= layout.dataSetOffset) {
      return Error{ErrorCode::NotAnImage, "the data set holds nothing but Pixel Data", path};
    }
    if (layout.pixelDataElement) head.resize(*layout.pixelDataElement);
    const bool whole = !layout.pixelDataElement && head.size() < size.value();
    if (whole) {
      Result<std::vector<std::uint8_t>> all = readFileHead(path, size.value());
      if (!all) return all.error();
      head = std::move(all).value();
    }
    RecordingMemoryBuffer buffer(head);
    std::istream stream(&buffer);
    gdcm::Reader reader;
    reader.SetStream(stream);
    if (!reader.Read()) {
      return Error{ErrorCode::CorruptData,
                   "not a readable DICOM file (GDCM could not parse its header)", path};
    }
    const gdcm::File& file = reader.GetFile();
    gdcm::StringFilter filter;
    filter.SetFile(file);
    const Fields f(filter, file.GetDataSet());

    h.transferSyntax = file.GetHeader().GetDataSetTransferSyntax().GetString()
                           ? file.GetHeader().GetDataSetTransferSyntax().GetString()
                           : "";
    h.sopClassUid = f.text(0x0008, 0x0016);
    h.sopInstanceUid = f.text(0x0008, 0x0018);
    h.modality = f.text(0x0008, 0x0060);
    h.studyDescription = f.text(0x0008, 0x1030);
    h.seriesDescription = f.text(0x0008, 0x103e);
    h.acquisitionTime = f.text(0x0008, 0x0032);
    if (h.acquisitionTime.empty()) h.acquisitionTime = f.text(0x0008, 0x0031);
    h.studyUid = f.text(0x0020, 0x000d);
    h.seriesUid = f.text(0x0020, 0x000e);
    h.seriesNumber = static_cast<int>(f.integer(0x0020, 0x0011).value_or(0));
    h.acquisitionNumber = f.integer(0x0020, 0x0012);
    h.instanceNumber = f.integer(0x0020, 0x0013);
    h.patientOrientation = f.text(0x0020, 0x0020);
    h.triggerTime = f.number(0x0018, 0x1060);
    h.position = parseVector<3>(f.text(0x0020, 0x0032));
    h.orientation = parseVector<6>(f.text(0x0020, 0x0037));

    h.samplesPerPixel = static_cast<int>(f.integer(0x0028, 0x0002).value_or(1));
    h.photometric = f.text(0x0028, 0x0004);
    h.frames = static_cast<std::size_t>(std::max(1L, f.integer(0x0028, 0x0008).value_or(1)));
    h.rows = static_cast<std::size_t>(std::max(0L, f.integer(0x0028, 0x0010).value_or(0)));
    h.columns = static_cast<std::size_t>(std::max(0L, f.integer(0x0028, 0x0011).value_or(0)));
    h.bitsAllocated = static_cast<int>(f.integer(0x0028, 0x0100).value_or(0));
    h.bitsStored = static_cast<int>(f.integer(0x0028, 0x0101).value_or(h.bitsAllocated));
    h.highBit = static_cast<int>(f.integer(0x0028, 0x0102).value_or(h.bitsStored - 1));
    h.pixelRepresentation = static_cast<int>(f.integer(0x0028, 0x0103).value_or(0));
    h.planarConfiguration = static_cast<int>(f.integer(0x0028, 0x0006).value_or(0));

    h.pixelSpacing = parseVector<2>(f.text(0x0028, 0x0030));
    if (!h.pixelSpacing) h.pixelSpacing = parseVector<2>(f.text(0x0018, 0x1164));  // imager
    h.sliceThickness = f.number(0x0018, 0x0050);
    h.spacingBetweenSlices = f.number(0x0018, 0x0088);
    if (auto slope = f.number(0x0028, 0x1053)) h.slope = *slope;
    if (auto intercept = f.number(0x0028, 0x1052)) h.intercept = *intercept;
    // RT Dose stores its scaling separately from the rescale tags.
    if (auto dose = f.number(0x3004, 0x000e); dose && *dose != 0) h.slope = *dose;
    readWindows(f, &h.windows);

    h.gridFrameOffsets = parseList(f.text(0x3004, 0x000c));
    if (h.gridFrameOffsets.size() != h.frames) h.gridFrameOffsets.clear();
    h.frameTimeMs = f.number(0x0018, 0x1063).value_or(0);
    h.frameTimeVectorMs = parseList(f.text(0x0018, 0x1065));
    for (const std::string& pointer : splitValues(f.text(0x0028, 0x0009))) {
      // StringFilter prints AT values as "(gggg,eeee)".
      unsigned group = 0;
      unsigned element = 0;
      if (std::sscanf(pointer.c_str(), "(%x,%x)", &group, &element) == 2) {
        h.frameIncrementPointers.push_back(group << 16 | element);
      }
    }
    if (file.GetDataSet().FindDataElement(gdcm::Tag(0x5200, 0x9229)) ||
        file.GetDataSet().FindDataElement(gdcm::Tag(0x5200, 0x9230))) {
      readFunctionalGroups(f, &h);
    }
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::CorruptData, "the DICOM header announces an impossible size", path};
  } catch (const std::exception& e) {
    return errorFromException(ErrorCode::CorruptData, path,
                              std::string("DICOM header: ") + e.what());
  }
  if (!h.isImage()) {
    return Error{ErrorCode::NotAnImage,
                 "a DICOM " + describeSopClass(h.sopClassUid) + " object, not an image", path};
  }
  if (h.slope == 0 || !std::isfinite(h.slope)) h.slope = 1;
  return h;
}

}  // namespace medsa::io
