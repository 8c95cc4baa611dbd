// Volume writers through ITK's ImageIO objects, fed our buffer directly (no itk::Image).
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include "file_bytes.h"
#include "writers.h"

namespace medsa::io {
namespace {

itk::IOComponentEnum componentOf(PixelType type) {
  switch (type) {
    case PixelType::U8:
      return itk::IOComponentEnum::UCHAR;
    case PixelType::I16:
      return itk::IOComponentEnum::SHORT;
    case PixelType::U16:
      return itk::IOComponentEnum::USHORT;
    case PixelType::I32:
      return itk::IOComponentEnum::INT;
    case PixelType::F32:
      return itk::IOComponentEnum::FLOAT;
    case PixelType::F64:
      break;
  }
  return itk::IOComponentEnum::DOUBLE;
}

itk::ImageIOBase::Pointer ioForExtension(const std::string& ext) {
  if (ext == ".nii" || ext == ".nii.gz") return itk::NiftiImageIO::New().GetPointer();
  if (ext == ".nrrd" || ext == ".nhdr") return itk::NrrdImageIO::New().GetPointer();
  if (ext == ".mha" || ext == ".mhd") return itk::MetaImageIO::New().GetPointer();
  return nullptr;
}

}  // namespace

Status writeItkVolume(const Image& image, const std::string& path) {
  const std::string ext = lowerExtension(path);
  itk::ImageIOBase::Pointer io = ioForExtension(ext);
  if (!io) return Error{ErrorCode::InvalidArgument, "no volume writer for " + ext, path};
  // At least 3 axes so the slice spacing and the full direction matrix are kept for 2D images.
  const unsigned dims = image.size(3) > 1 ? 4 : 3;
  try {
    io->SetNumberOfDimensions(dims);
    const ImageGeometry& g = image.geometry;
    for (unsigned d = 0; d < dims; ++d) {
      io->SetDimensions(d, static_cast<unsigned>(image.size(static_cast<int>(d))));
      io->SetSpacing(d, d < 3 ? g.spacing[d] : g.timeSpacing);
      io->SetOrigin(d, d < 3 ? g.origin[d] : 0.0);
      std::vector<double> column(dims, 0.0);
      for (unsigned row = 0; row < dims; ++row) {
        column[row] = (d < 3 && row < 3) ? g.direction[row * 3 + d] : (row == d ? 1.0 : 0.0);
      }
      io->SetDirection(d, column);
    }
    io->SetComponentType(componentOf(image.pixelType()));
    io->SetNumberOfComponents(static_cast<unsigned>(image.components()));
    io->SetPixelType(image.components() == 3 ? itk::IOPixelEnum::RGB : itk::IOPixelEnum::SCALAR);
    io->SetUseCompression(true);
    io->SetFileName(path);
    itk::ImageIORegion region(dims);
    for (unsigned d = 0; d < dims; ++d) region.SetSize(d, image.size(static_cast<int>(d)));
    io->SetIORegion(region);
    io->Write(image.bytes());
  } catch (const itk::ExceptionObject& e) {
    return errorFromException(ErrorCode::WriteFailed, path, e.GetDescription());
  } catch (const std::exception& e) {
    return errorFromException(ErrorCode::WriteFailed, path, e.what());
  }
  return {};
}

}  // namespace medsa::io
