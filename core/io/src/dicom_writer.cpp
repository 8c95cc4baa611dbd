#include "medsa/io/dicom_writer.h"

#include <gdcmDataElement.h>
#include <gdcmImage.h>
#include <gdcmImageWriter.h>
#include <gdcmUIDGenerator.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "dicom_header.h"

namespace medsa::io {
namespace {

void put(gdcm::DataSet& dataSet, std::uint16_t group, std::uint16_t element, gdcm::VR vr,
         std::string value) {
  if (value.size() % 2) value.push_back(vr == gdcm::VR::UI ? '\0' : ' ');
  gdcm::DataElement de(gdcm::Tag(group, element));
  de.SetVR(vr);
  de.SetByteValue(value.data(), static_cast<std::uint32_t>(value.size()));
  dataSet.Replace(de);
}

}  // namespace

Status writeDicomSeries(const Image& volume, const std::string& folder,
                        const DicomSeriesWriteOptions& options) {
  quietGdcm();
  if (volume.isEmpty() || volume.components() != 1 || volume.size(3) != 1 ||
      (volume.pixelType() != PixelType::I16 && volume.pixelType() != PixelType::U16)) {
    return Error{ErrorCode::InvalidArgument,
                 "a DICOM series is written from a 3D grey volume of i16 or u16", folder};
  }
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return Error{ErrorCode::WriteFailed, "cannot create the folder: " + ec.message(), folder};

  gdcm::UIDGenerator uids;
  const std::string study = uids.Generate();
  const std::string series = uids.Generate();
  const std::string frame = uids.Generate();
  const char* sopClass =
      options.modality == "MR" ? "1.2.840.10008.5.1.4.1.1.4" : "1.2.840.10008.5.1.4.1.1.2";
  const ImageGeometry& g = volume.geometry;
  const std::size_t width = volume.size(0);
  const std::size_t height = volume.size(1);
  std::vector<std::uint16_t> stored(width * height);
  for (std::size_t z = 0; z < volume.size(2); ++z) {
    for (std::size_t y = 0; y < height; ++y) {
      for (std::size_t x = 0; x < width; ++x) {
        const double value = volume.value(x, y, z) - options.rescaleIntercept;
        if (value < 0 || value > 65535) {
          return Error{ErrorCode::InvalidArgument,
                       "a value does not fit 16 unsigned bits after the rescale intercept", folder};
        }
        stored[y * width + x] = static_cast<std::uint16_t>(std::lround(value));
      }
    }
    gdcm::ImageWriter writer;
    gdcm::Image& image = writer.GetImage();
    image.SetNumberOfDimensions(2);
    image.SetDimension(0, static_cast<unsigned>(width));
    image.SetDimension(1, static_cast<unsigned>(height));
    image.SetPixelFormat(gdcm::PixelFormat::UINT16);
    image.SetPhotometricInterpretation(gdcm::PhotometricInterpretation::MONOCHROME2);
    image.SetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    const auto position = g.indexToPhysical(0, 0, static_cast<double>(z));
    for (unsigned i = 0; i < 3; ++i) image.SetOrigin(i, position[i]);
    const double cosines[6] = {g.direction[0], g.direction[3], g.direction[6],
                               g.direction[1], g.direction[4], g.direction[7]};
    image.SetDirectionCosines(cosines);
    for (unsigned i = 0; i < 3; ++i) image.SetSpacing(i, g.spacing[i]);
    image.SetIntercept(options.rescaleIntercept);
    image.SetSlope(1);
    gdcm::DataElement pixels(gdcm::Tag(0x7fe0, 0x0010));
    pixels.SetVR(gdcm::VR::OW);
    pixels.SetByteValue(reinterpret_cast<const char*>(stored.data()),
                        static_cast<std::uint32_t>(stored.size() * 2));
    image.SetDataElement(pixels);

    gdcm::DataSet& ds = writer.GetFile().GetDataSet();
    put(ds, 0x0008, 0x0016, gdcm::VR::UI, sopClass);
    put(ds, 0x0008, 0x0018, gdcm::VR::UI, uids.Generate());
    put(ds, 0x0008, 0x0060, gdcm::VR::CS, options.modality);
    put(ds, 0x0008, 0x103e, gdcm::VR::LO, options.seriesDescription);
    put(ds, 0x0010, 0x0010, gdcm::VR::PN, "Synthetic^Phantom");
    put(ds, 0x0010, 0x0020, gdcm::VR::LO, "0");
    put(ds, 0x0020, 0x000d, gdcm::VR::UI, study);
    put(ds, 0x0020, 0x000e, gdcm::VR::UI, series);
    put(ds, 0x0020, 0x0052, gdcm::VR::UI, frame);
    put(ds, 0x0020, 0x0011, gdcm::VR::IS, "1");
    put(ds, 0x0020, 0x0013, gdcm::VR::IS, std::to_string(z + 1));
    put(ds, 0x0018, 0x0050, gdcm::VR::DS, std::to_string(g.spacing[2]));

    char name[64];
    std::snprintf(name, sizeof name, "%s%05zu.dcm", options.fileNamePrefix.c_str(), z);
    const std::string path = (std::filesystem::path(folder) / name).string();
    writer.SetFileName(path.c_str());
    if (!writer.Write()) return Error{ErrorCode::WriteFailed, "GDCM could not write", path};
  }
  return {};
}

}  // namespace medsa::io
