#include "dcmtk_decoder.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>

#include <bit>
#include <cstring>
#include <mutex>

namespace medsa::io {

// Samples are copied as they lie in memory; every machine we build for is little-endian.
static_assert(std::endian::native == std::endian::little);

Result<DcmtkPixels> decodeWithDcmtk(const std::string& path) {
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  static const bool registered = [] {
    DJDecoderRegistration::registerCodecs();
    return true;
  }();
  (void)registered;

  DcmFileFormat file;
  OFCondition status = file.loadFile(path.c_str());
  if (status.bad()) {
    return Error{ErrorCode::CorruptData,
                 std::string("DCMTK could not read the file: ") + status.text(), path};
  }
  DcmDataset* dataset = file.getDataset();
  status = dataset->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
  if (status.bad() || !dataset->canWriteXfer(EXS_LittleEndianExplicit)) {
    return Error{ErrorCode::UnsupportedFormat,
                 std::string("DCMTK could not decode the pixel data: ") + status.text(), path};
  }
  DcmtkPixels out;
  Uint16 bits = 0;
  dataset->findAndGetUint16(DCM_BitsAllocated, bits);
  out.bitsAllocated = bits;
  OFString photometric;
  dataset->findAndGetOFString(DCM_PhotometricInterpretation, photometric);
  out.photometric = photometric.c_str();
  while (!out.photometric.empty() && out.photometric.back() == ' ') out.photometric.pop_back();
  Uint16 planar = 0;
  dataset->findAndGetUint16(DCM_PlanarConfiguration, planar);
  out.planarConfiguration = planar;

  unsigned long count = 0;
  if (bits > 8) {
    const Uint16* words = nullptr;
    status = dataset->findAndGetUint16Array(DCM_PixelData, words, &count);
    if (status.good() && words) {
      out.bytes.resize(count * 2);
      std::memcpy(out.bytes.data(), words, count * 2);  // host order is little-endian here
    }
  } else {
    const Uint8* bytes = nullptr;
    status = dataset->findAndGetUint8Array(DCM_PixelData, bytes, &count);
    if (status.good() && bytes) out.bytes.assign(bytes, bytes + count);
  }
  if (status.bad() || out.bytes.empty()) {
    return Error{ErrorCode::CorruptData, "DCMTK found no decodable pixel data", path};
  }
  return out;
}

}  // namespace medsa::io
