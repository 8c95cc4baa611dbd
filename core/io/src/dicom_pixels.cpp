// DICOM pixel data through GDCM (every transfer syntax it has a codec for), DCMTK as the fallback
// for JPEG that GDCM refuses, then the fixes GDCM leaves to its caller: planar to interleaved,
// YCbCr to RGB, unused high bits masked and sign-extended, 1-bit samples unpacked.
#include "dicom_pixels.h"

#include <gdcmImage.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfFragments.h>
#include <gdcmStringFilter.h>
#include <gdcmTransferSyntax.h>
#include <gdcmUIDs.h>

#include <algorithm>
#include <cstring>
#include <istream>

#include "dcmtk_decoder.h"
#include "dicom_color.h"
#include "dicom_rle.h"
#include "dicom_structure.h"
#include "file_bytes.h"
#include "jpeg_colour.h"
#include "memory_stream.h"

namespace medsa::io {
namespace {

constexpr std::size_t kMaxDicomFileBytes = std::size_t(1) << 33;

bool storedTypeOf(const gdcm::PixelFormat& format, StoredType* type) {
  switch (format.GetScalarType()) {
    case gdcm::PixelFormat::SINGLEBIT:
    case gdcm::PixelFormat::UINT8:
      *type = StoredType::U8;
      return true;
    case gdcm::PixelFormat::INT8:
      *type = StoredType::I8;
      return true;
    case gdcm::PixelFormat::UINT12:
    case gdcm::PixelFormat::UINT16:
      *type = StoredType::U16;
      return true;
    case gdcm::PixelFormat::INT12:
    case gdcm::PixelFormat::INT16:
      *type = StoredType::I16;
      return true;
    case gdcm::PixelFormat::UINT32:
      *type = StoredType::U32;
      return true;
    case gdcm::PixelFormat::INT32:
      *type = StoredType::I32;
      return true;
    case gdcm::PixelFormat::FLOAT32:
      *type = StoredType::F32;
      return true;
    case gdcm::PixelFormat::FLOAT64:
      *type = StoredType::F64;
      return true;
    default:
      return false;
  }
}

bool isJpegFamily(const std::string& uid) {
  return uid.rfind("1.2.840.10008.1.2.4.5", 0) == 0 ||  // baseline, extended, ...
         uid.rfind("1.2.840.10008.1.2.4.6", 0) == 0 ||
         uid == "1.2.840.10008.1.2.4.70";  // lossless SV1
}

/// Keeps the BitsStored low bits of each integer sample and sign-extends signed ones: some files
/// carry overlay bits or garbage above the stored bits.
template <typename T>
void maskStoredBits(T* samples, std::size_t count, int bitsStored, bool isSigned) {
  constexpr int kBits = static_cast<int>(sizeof(T) * 8);
  if (bitsStored <= 0 || bitsStored >= kBits) return;
  using U = std::make_unsigned_t<T>;
  const U mask = static_cast<U>((U(1) << bitsStored) - 1);
  const U signBit = static_cast<U>(U(1) << (bitsStored - 1));
  for (std::size_t i = 0; i < count; ++i) {
    U v = static_cast<U>(samples[i]) & mask;
    if (isSigned && (v & signBit)) v = static_cast<U>(v | static_cast<U>(~mask));
    samples[i] = static_cast<T>(v);
  }
}

/// Colour and bit fixes shared by the GDCM and DCMTK paths.
Status finish(DicomPixels& pixels, std::string photometric, int planar, int bitsStored,
              const std::string& path) {
  const std::size_t pixelCount = pixels.columns * pixels.rows * pixels.frames;
  const std::size_t sampleBytes = storedTypeSize(pixels.type);
  if (pixels.samples == 3 && planar == 1) {
    planarToInterleaved(pixels.bytes, pixels.frames, pixels.columns * pixels.rows, sampleBytes);
  }
  if (photometric == "MONOCHROME1" || photometric == "MONOCHROME2") {
    if (pixels.samples != 1) {
      return Error{ErrorCode::CorruptData, photometric + " with 3 samples per pixel", path};
    }
    const std::size_t n = pixelCount;
    switch (pixels.type) {
      case StoredType::U16:
        maskStoredBits(reinterpret_cast<std::uint16_t*>(pixels.bytes.data()), n, bitsStored, false);
        break;
      case StoredType::I16:
        maskStoredBits(reinterpret_cast<std::int16_t*>(pixels.bytes.data()), n, bitsStored, true);
        break;
      case StoredType::U32:
        maskStoredBits(reinterpret_cast<std::uint32_t*>(pixels.bytes.data()), n, bitsStored, false);
        break;
      case StoredType::I32:
        maskStoredBits(reinterpret_cast<std::int32_t*>(pixels.bytes.data()), n, bitsStored, true);
        break;
      default:
        break;
    }
    pixels.photometric = photometric;
    return {};
  }
  if (pixels.samples != 3) {
    return Error{ErrorCode::UnsupportedFormat,
                 "photometric interpretation " + photometric + " with one sample per pixel", path};
  }
  if (photometric == "YBR_FULL" || photometric == "YBR_FULL_422") {
    if (pixels.type == StoredType::U8) {
      ybrFullToRgb8(pixels.bytes.data(), pixelCount);
    } else if (pixels.type == StoredType::U16) {
      ybrFullToRgb16(reinterpret_cast<std::uint16_t*>(pixels.bytes.data()), pixelCount, bitsStored);
    } else {
      return Error{ErrorCode::UnsupportedFormat, photometric + " with signed or 32-bit samples",
                   path};
    }
  } else if (photometric != "RGB" && photometric != "YBR_RCT" && photometric != "YBR_ICT" &&
             photometric != "PALETTE COLOR") {
    // YBR_RCT/ICT: the JPEG 2000 decoder has already undone the colour transform.
    return Error{ErrorCode::UnsupportedFormat,
                 "photometric interpretation " + photometric + " is not supported", path};
  }
  pixels.photometric = "RGB";
  return {};
}

Result<DicomPixels> fromDcmtk(const DicomHeader& h, DicomPixels pixels) {
  Result<DcmtkPixels> decoded = decodeWithDcmtk(h.path);
  if (!decoded) return decoded.error();
  if (decoded->bitsAllocated != 8 && decoded->bitsAllocated != 16) {
    return Error{ErrorCode::UnsupportedFormat,
                 "DCMTK decoded " + std::to_string(decoded->bitsAllocated) + "-bit samples",
                 h.path};
  }
  pixels.type = decoded->bitsAllocated == 8
                    ? (h.pixelRepresentation ? StoredType::I8 : StoredType::U8)
                    : (h.pixelRepresentation ? StoredType::I16 : StoredType::U16);
  const std::size_t need = pixels.frameBytes() * pixels.frames;
  if (decoded->bytes.size() < need) {
    return Error{ErrorCode::CorruptData,
                 "DCMTK decoded " + std::to_string(decoded->bytes.size()) + " bytes, " +
                     std::to_string(need) + " expected",
                 h.path};
  }
  decoded->bytes.resize(need);
  pixels.bytes = std::move(decoded->bytes);
  pixels.decodedByDcmtk = true;
  if (Status status =
          finish(pixels, decoded->photometric, decoded->planarConfiguration, h.bitsStored, h.path);
      !status) {
    return status.error();
  }
  return pixels;
}

JpegColour firstFragmentColour(const gdcm::DataElement& pixelData) {
  const gdcm::SequenceOfFragments* fragments = pixelData.GetSequenceOfFragments();
  if (!fragments || fragments->GetNumberOfFragments() == 0) return JpegColour::Unknown;
  const gdcm::ByteValue* value = fragments->GetFragment(0).GetByteValue();
  if (!value) return JpegColour::Unknown;
  return jpegColour(reinterpret_cast<const std::uint8_t*>(value->GetPointer()),
                    static_cast<std::size_t>(value->GetLength()));
}

enum class Codestream { Jpeg, JpegLs, Jpeg2000 };

/// Every JPEG, JPEG-LS or JPEG 2000 stream in the fragments must describe the image the header
/// describes (see jpeg_colour.h); GDCM asserts, or writes past its buffers, otherwise.
Status checkCodestreams(const gdcm::DataElement& pixelData, const DicomHeader& h, Codestream kind) {
  const gdcm::SequenceOfFragments* fragments = pixelData.GetSequenceOfFragments();
  if (!fragments || fragments->GetNumberOfFragments() == 0) {
    return Error{ErrorCode::CorruptData, "compressed pixel data without fragments", h.path};
  }
  std::size_t streams = 0;
  for (std::size_t i = 0; i < fragments->GetNumberOfFragments(); ++i) {
    const gdcm::ByteValue* value = fragments->GetFragment(i).GetByteValue();
    if (!value || value->GetLength() < 2) continue;
    const auto* data = reinterpret_cast<const std::uint8_t*>(value->GetPointer());
    const std::size_t size = value->GetLength();
    const bool starts = kind == Codestream::Jpeg2000
                            ? ((data[0] == 0xff && data[1] == 0x4f) ||
                               (size >= 8 && std::memcmp(data + 4, "jP  ", 4) == 0))
                            : (data[0] == 0xff && data[1] == 0xd8);
    if (!starts) continue;  // a continuation fragment
    ++streams;
    JpegFrame frame;
    const bool read = kind == Codestream::Jpeg2000
                          ? jpeg2000Frame(data, size, &frame)
                          : jpegFrame(data, size, &frame, kind == Codestream::JpegLs);
    if (!read) {
      return Error{ErrorCode::CorruptData, "a compressed frame has an unreadable header", h.path};
    }
    if (static_cast<std::size_t>(frame.width) != h.columns ||
        static_cast<std::size_t>(frame.height) != h.rows || frame.components != h.samplesPerPixel ||
        frame.precision > h.bitsAllocated || frame.precision < 1) {
      return Error{ErrorCode::CorruptData,
                   "a compressed frame is " + std::to_string(frame.width) + "x" +
                       std::to_string(frame.height) + " with " + std::to_string(frame.components) +
                       " " + std::to_string(frame.precision) +
                       "-bit components where the header says " + std::to_string(h.columns) + "x" +
                       std::to_string(h.rows) + " with " + std::to_string(h.samplesPerPixel) +
                       " of " + std::to_string(h.bitsAllocated) + " bits",
                   h.path};
    }
  }
  if (streams == 0) {
    return Error{ErrorCode::CorruptData, "no compressed frame in the pixel data", h.path};
  }
  return {};
}

/// RLE frames through our decoder (see dicom_rle.h).
Result<std::vector<std::uint8_t>> decodeRleFragments(const gdcm::DataElement& pixelData,
                                                     const DicomHeader& h) {
  const gdcm::SequenceOfFragments* fragments = pixelData.GetSequenceOfFragments();
  if (!fragments || fragments->GetNumberOfFragments() != h.frames) {
    return Error{ErrorCode::CorruptData, "RLE data needs one fragment per frame", h.path};
  }
  std::vector<RleFragment> frames;
  for (std::size_t f = 0; f < h.frames; ++f) {
    const gdcm::ByteValue* value = fragments->GetFragment(f).GetByteValue();
    if (!value) return Error{ErrorCode::CorruptData, "an empty RLE fragment", h.path};
    frames.push_back({reinterpret_cast<const std::uint8_t*>(value->GetPointer()),
                      static_cast<std::size_t>(value->GetLength())});
  }
  return decodeRle(frames, h.rows * h.columns, h.samplesPerPixel, h.bitsAllocated / 8, h.path);
}

/// Rejects sample layouts no codec handles before GDCM sees them.
Status checkPixelModule(const DicomHeader& h) {
  const int bits = h.bitsAllocated;
  if (bits != 1 && bits != 8 && bits != 16 && bits != 32) {
    return Error{ErrorCode::UnsupportedFormat,
                 "Bits Allocated " + std::to_string(bits) + " is not supported", h.path};
  }
  if (h.samplesPerPixel != 1 && h.samplesPerPixel != 3) {
    return Error{ErrorCode::UnsupportedFormat,
                 std::to_string(h.samplesPerPixel) + " samples per pixel are not supported",
                 h.path};
  }
  if (h.bitsStored < 1 || h.bitsStored > bits || h.highBit < 0 || h.highBit >= bits ||
      (h.pixelRepresentation != 0 && h.pixelRepresentation != 1) ||
      (h.planarConfiguration != 0 && h.planarConfiguration != 1)) {
    return Error{ErrorCode::CorruptData, "the pixel description (bits, sign, planes) is invalid",
                 h.path};
  }
  // GDCM asserts (aborts) on a photometric interpretation it does not know.
  const std::string& pi = h.photometric;
  const bool grey = pi == "MONOCHROME1" || pi == "MONOCHROME2" || pi == "PALETTE COLOR";
  const bool colour =
      pi == "RGB" || pi == "YBR_FULL" || pi == "YBR_FULL_422" || pi == "YBR_ICT" || pi == "YBR_RCT";
  if (!grey && !colour) {
    return Error{ErrorCode::UnsupportedFormat,
                 "photometric interpretation '" + pi + "' is not supported", h.path};
  }
  if ((grey && h.samplesPerPixel != 1) || (colour && h.samplesPerPixel != 3)) {
    return Error{ErrorCode::CorruptData,
                 pi + " with " + std::to_string(h.samplesPerPixel) + " samples per pixel", h.path};
  }
  if (h.columns > 65535 || h.rows > 65535 || h.frames > (1u << 24)) {
    return Error{ErrorCode::CorruptData, "the image size is out of range", h.path};
  }
  return {};
}

/// Reads one palette channel: descriptor (entries, first mapped, bits) and its table.
Result<PaletteChannel> paletteChannel(const gdcm::DataSet& dataSet, const gdcm::StringFilter& text,
                                      std::uint16_t descriptorElement, std::uint16_t dataElement,
                                      int* bits, const std::string& path) {
  const gdcm::Tag descriptorTag(0x0028, descriptorElement);
  const gdcm::Tag dataTag(0x0028, dataElement);
  if (!dataSet.FindDataElement(descriptorTag) || !dataSet.FindDataElement(dataTag)) {
    return Error{ErrorCode::CorruptData, "PALETTE COLOR without its lookup tables", path};
  }
  long values[3] = {0, 0, 0};
  if (std::sscanf(text.ToString(dataSet.GetDataElement(descriptorTag)).c_str(), "%ld\\%ld\\%ld",
                  &values[0], &values[1], &values[2]) != 3 ||
      (values[2] != 8 && values[2] != 16)) {
    return Error{ErrorCode::CorruptData, "a palette lookup table descriptor is invalid", path};
  }
  PaletteChannel channel;
  channel.entries = values[0] <= 0 ? 65536u : static_cast<std::size_t>(values[0]);
  channel.firstMapped = values[1];
  *bits = static_cast<int>(values[2]);
  const gdcm::ByteValue* data = dataSet.GetDataElement(dataTag).GetByteValue();
  if (!data || data->GetLength() < channel.entries) {
    return Error{ErrorCode::CorruptData, "a palette lookup table is shorter than its descriptor",
                 path};
  }
  const auto* raw = reinterpret_cast<const std::uint8_t*>(data->GetPointer());
  const bool words = data->GetLength() >= channel.entries * 2;  // OW: one entry per word
  channel.data.resize(channel.entries);
  for (std::size_t i = 0; i < channel.entries; ++i) {
    // GDCM keeps OW values in host (little-endian) order whatever the transfer syntax.
    channel.data[i] = words ? static_cast<std::uint16_t>(raw[2 * i] | raw[2 * i + 1] << 8) : raw[i];
  }
  if (*bits == 8 && words) {
    // Some writers put 8-bit entries in the high byte of each word.
    const bool high = std::all_of(channel.data.begin(), channel.data.end(),
                                  [](std::uint16_t v) { return (v & 0xff) == 0; });
    for (std::uint16_t& v : channel.data) v = high ? static_cast<std::uint16_t>(v >> 8) : v & 0xff;
  }
  return channel;
}

/// Replaces palette indices by RGB samples.
Status expandPalette(const gdcm::File& file, const DicomHeader& h, DicomPixels& pixels) {
  const gdcm::DataSet& dataSet = file.GetDataSet();
  gdcm::StringFilter text;
  text.SetFile(file);
  PaletteChannel channels[3];
  int bits[3] = {0, 0, 0};
  const std::uint16_t descriptors[3] = {0x1101, 0x1102, 0x1103};
  const std::uint16_t tables[3] = {0x1201, 0x1202, 0x1203};
  for (int c = 0; c < 3; ++c) {
    Result<PaletteChannel> channel =
        paletteChannel(dataSet, text, descriptors[c], tables[c], &bits[c], h.path);
    if (!channel) return channel.error();
    channels[c] = std::move(channel).value();
  }
  if (pixels.samples != 1 || (pixels.type != StoredType::U8 && pixels.type != StoredType::U16)) {
    return Error{ErrorCode::UnsupportedFormat, "PALETTE COLOR with these samples", h.path};
  }
  const bool wide = bits[0] == 16;
  pixels.bytes = applyPalette(pixels.bytes, pixels.type == StoredType::U16, channels, wide);
  pixels.samples = 3;
  pixels.type = wide ? StoredType::U16 : StoredType::U8;
  return {};
}

void unpackBits(std::vector<std::uint8_t>& bytes, std::size_t count) {
  std::vector<std::uint8_t> out(count);
  for (std::size_t i = 0; i < count && i / 8 < bytes.size(); ++i) {
    out[i] = (bytes[i / 8] >> (i % 8)) & 1u;  // DICOM packs 1-bit samples LSB first
  }
  bytes.swap(out);
}

}  // namespace

std::size_t storedTypeSize(StoredType type) {
  switch (type) {
    case StoredType::U8:
    case StoredType::I8:
      return 1;
    case StoredType::U16:
    case StoredType::I16:
      return 2;
    case StoredType::U32:
    case StoredType::I32:
    case StoredType::F32:
      return 4;
    case StoredType::F64:
      return 8;
  }
  return 1;
}

std::string transferSyntaxName(const std::string& uid) {
  gdcm::UIDs name;
  if (!uid.empty() && name.SetFromUID(uid.c_str()) && name.GetName()) return name.GetName();
  return uid.empty() ? "an unknown transfer syntax" : uid;
}

Result<DicomPixels> decodeDicomPixels(const DicomHeader& h, const DecodeOptions& options) {
  quietGdcm();
  if (Status status = checkPixelModule(h); !status) return status.error();
  Result<std::vector<std::uint8_t>> bytes = readWholeFile(h.path, kMaxDicomFileBytes);
  if (!bytes) return bytes.error();

  Result<DicomLayout> layout = walkDicom(bytes->data(), bytes->size(), false, h.path);
  if (!layout) return layout.error();

  DicomPixels pixels;
  pixels.columns = h.columns;
  pixels.rows = h.rows;
  pixels.frames = h.frames;
  pixels.samples = h.samplesPerPixel;
  const bool singleBit = h.bitsAllocated == 1;
  try {
    RecordingMemoryBuffer buffer(bytes.value());
    std::istream stream(&buffer);
    gdcm::Reader reader;
    reader.SetStream(stream);
    const bool parsed = reader.Read();
    const gdcm::DataSet& dataSet = reader.GetFile().GetDataSet();
    const gdcm::Tag pixelTag(0x7fe0, 0x0010);
    if (!parsed || !dataSet.FindDataElement(pixelTag)) {
      if (buffer.shortRequest() > 0) {
        return Error{ErrorCode::Truncated, "the file ends inside a DICOM element", h.path};
      }
      return Error{ErrorCode::CorruptData,
                   parsed ? "the file has no Pixel Data" : "GDCM could not parse the file", h.path};
    }
    const gdcm::TransferSyntax ts = reader.GetFile().GetHeader().GetDataSetTransferSyntax();
    const std::string tsUid = ts.GetString() ? ts.GetString() : h.transferSyntax;
    const gdcm::DataElement& pixelData = dataSet.GetDataElement(pixelTag);
    if (pixelData.IsEmpty()) {
      return Error{ErrorCode::CorruptData, "the Pixel Data element is empty", h.path};
    }
    const std::size_t sampleCount =
        pixels.columns * pixels.rows * pixels.frames * static_cast<std::size_t>(pixels.samples);
    const std::size_t nativeBytes =
        singleBit ? (sampleCount + 7) / 8
                  : sampleCount * static_cast<std::size_t>(h.bitsAllocated / 8);
    if (!ts.IsEncapsulated()) {
      // GDCM pads cut-off Pixel Data with zeros; the short read it made gives it away.
      const gdcm::ByteValue* value = pixelData.GetByteValue();
      const bool ybr422 = h.photometric == "YBR_FULL_422" && pixels.samples == 3;
      const std::size_t need = ybr422 ? nativeBytes / 3 * 2 : nativeBytes;
      if (ts != gdcm::TransferSyntax::DeflatedExplicitVRLittleEndian &&
          buffer.shortRequest() >= need) {
        return Error{ErrorCode::Truncated,
                     "the pixel data ends after " + std::to_string(buffer.shortReceived()) +
                         " of " + std::to_string(buffer.shortRequest()) + " bytes",
                     h.path};
      }
      if (!value || value->GetLength() < need) {
        return Error{ErrorCode::Truncated,
                     "the pixel data holds " +
                         std::to_string(value ? static_cast<std::size_t>(value->GetLength())
                                              : std::size_t(0)) +
                         " of the " + std::to_string(need) + " bytes the header announces",
                     h.path};
      }
    }
    if (ts.IsEncapsulated()) {
      // Compressed frames: the header alone sets the decoded size, so bound it by the file
      // before anything is allocated (4096:1 is beyond any real image codec's ratio).
      const std::uint64_t limit =
          std::max<std::uint64_t>(std::uint64_t(1) << 26, std::uint64_t(bytes->size()) * 4096);
      if (nativeBytes > limit) {
        return Error{ErrorCode::CorruptData,
                     "the header announces " + std::to_string(nativeBytes >> 20) +
                         " MiB of pixels for a " + std::to_string(bytes->size() >> 10) +
                         " KiB file",
                     h.path};
      }
    }
    const bool jpegLs = tsUid == "1.2.840.10008.1.2.4.80" || tsUid == "1.2.840.10008.1.2.4.81";
    const bool jpeg2000 = tsUid.rfind("1.2.840.10008.1.2.4.9", 0) == 0;
    if (isJpegFamily(tsUid) || jpegLs || jpeg2000) {
      const Codestream kind = jpeg2000 ? Codestream::Jpeg2000
                              : jpegLs ? Codestream::JpegLs
                                       : Codestream::Jpeg;
      if (Status status = checkCodestreams(pixelData, h, kind); !status) return status.error();
    }
    if (options.forceDcmtk) return fromDcmtk(h, std::move(pixels));

    // The image is described from our parsed header rather than by gdcm::ImageReader, whose
    // interpretation code asserts (aborts) on some malformed headers, e.g. RT Dose objects
    // without Number of Frames.
    gdcm::Image image;
    image.SetNumberOfDimensions(pixels.frames > 1 ? 3 : 2);
    image.SetDimension(0, static_cast<unsigned>(pixels.columns));
    image.SetDimension(1, static_cast<unsigned>(pixels.rows));
    if (pixels.frames > 1) image.SetDimension(2, static_cast<unsigned>(pixels.frames));
    image.SetPixelFormat(gdcm::PixelFormat(static_cast<unsigned short>(h.samplesPerPixel),
                                           static_cast<unsigned short>(h.bitsAllocated),
                                           static_cast<unsigned short>(h.bitsStored),
                                           // DICOM requires High Bit = Bits Stored - 1 and
                                           // GDCM asserts on more; masking is ours anyway.
                                           static_cast<unsigned short>(h.bitsStored - 1),
                                           static_cast<unsigned short>(h.pixelRepresentation)));
    image.SetPhotometricInterpretation(
        gdcm::PhotometricInterpretation::GetPIType(h.photometric.c_str()));
    image.SetPlanarConfiguration(static_cast<unsigned>(h.planarConfiguration));
    image.SetTransferSyntax(ts);
    image.SetDataElement(pixelData);

    std::size_t length = image.GetBufferLength();
    std::vector<std::uint8_t> decoded;
    if (ts == gdcm::TransferSyntax::RLELossless && !singleBit) {
      Result<std::vector<std::uint8_t>> rle = decodeRleFragments(pixelData, h);
      if (!rle) return rle.error();
      decoded = std::move(rle).value();
      length = decoded.size();
    } else if (decoded.resize(std::max(length, nativeBytes));
               length == 0 || !image.GetBuffer(reinterpret_cast<char*>(decoded.data()))) {
      if (isJpegFamily(tsUid)) return fromDcmtk(h, std::move(pixels));
      return Error{ts.IsEncapsulated() ? ErrorCode::CorruptData : ErrorCode::UnsupportedFormat,
                   "could not decode the " + transferSyntaxName(tsUid) + " pixel data", h.path};
    }
    // A codec may correct the sample format from the stream (12-bit JPEG in 16-bit words).
    if (!storedTypeOf(image.GetPixelFormat(), &pixels.type)) {
      return Error{ErrorCode::UnsupportedFormat,
                   std::to_string(h.bitsAllocated) + "-bit samples are not supported", h.path};
    }
    const bool ybr422Raw = h.photometric == "YBR_FULL_422" && !ts.IsEncapsulated() &&
                           pixels.samples == 3 && length * 3 == nativeBytes * 2;
    if (ybr422Raw) {
      decoded = expandYbr422(decoded, pixels.frames, pixels.columns, pixels.rows);
    } else if (length < nativeBytes) {
      return Error{ErrorCode::Truncated,
                   "the pixel data holds " + std::to_string(length) + " of " +
                       std::to_string(nativeBytes) + " bytes",
                   h.path};
    }
    if (ts.GetSwapCode() == gdcm::SwapCode::BigEndian && h.bitsAllocated == 32) {
      // GDCM reads big-endian OW data as 16-bit words into host order; 32-bit samples then have
      // their two halves in big-endian order still.
      for (std::size_t i = 0; i + 3 < decoded.size(); i += 4) {
        std::swap(decoded[i], decoded[i + 2]);
        std::swap(decoded[i + 1], decoded[i + 3]);
      }
    }
    if (singleBit) {
      unpackBits(decoded, sampleCount);
      pixels.type = StoredType::U8;
    } else {
      decoded.resize(ybr422Raw ? sampleCount : nativeBytes);
    }
    pixels.bytes = std::move(decoded);

    std::string photometric = h.photometric;
    if (pixels.samples == 3 &&
        (tsUid == "1.2.840.10008.1.2.4.50" || tsUid == "1.2.840.10008.1.2.4.51")) {
      // GDCM hands back the coded components: convert when the stream says YCbCr.
      const JpegColour coded = firstFragmentColour(pixelData);
      if (coded == JpegColour::YCbCr) photometric = "YBR_FULL";
      if (coded == JpegColour::Rgb) photometric = "RGB";
    }
    if (photometric == "PALETTE COLOR") {
      if (Status status = expandPalette(reader.GetFile(), h, pixels); !status) {
        return status.error();
      }
      photometric = "RGB";
    }
    if (Status status = finish(pixels, photometric, h.planarConfiguration,
                               singleBit ? 8 : h.bitsStored, h.path);
        !status) {
      return status.error();
    }
    return pixels;
  } catch (const std::bad_alloc&) {
    return Error{ErrorCode::CorruptData, "the file announces an impossible pixel data size",
                 h.path};
  } catch (const std::exception& e) {
    return errorFromException(ErrorCode::CorruptData, h.path,
                              std::string("DICOM pixel data: ") + e.what());
  }
}

}  // namespace medsa::io
