// The plain-ITK baseline. Factories are registered explicitly (no ITK_USE_FILE machinery).
#include "medsa/io/itk_reference.h"

#include <itkGDCMImageIO.h>
#include <itkGDCMImageIOFactory.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkImageSeriesReader.h>
#include <itkMetaImageIOFactory.h>
#include <itkNiftiImageIOFactory.h>
#include <itkNrrdImageIOFactory.h>

#include <cstring>
#include <mutex>

namespace medsa::io {
namespace {

using ItkVolume = itk::Image<std::int16_t, 3>;

void registerFactories() {
  static std::once_flag once;
  std::call_once(once, [] {
    itk::GDCMImageIOFactory::RegisterOneFactory();
    itk::NiftiImageIOFactory::RegisterOneFactory();
    itk::NrrdImageIOFactory::RegisterOneFactory();
    itk::MetaImageIOFactory::RegisterOneFactory();
  });
}

Result<Image> fromItk(const ItkVolume* volume, const std::string& path) {
  const auto size = volume->GetLargestPossibleRegion().GetSize();
  Result<Image> created = Image::create({size[0], size[1], size[2], 1}, 1, PixelType::I16);
  if (!created) return Error{created.error().code, created.error().message, path};
  Image image = std::move(created).value();
  std::memcpy(image.bytes(), volume->GetBufferPointer(), image.byteCount());
  for (unsigned i = 0; i < 3; ++i) {
    image.geometry.spacing[i] = volume->GetSpacing()[i];
    image.geometry.origin[i] = volume->GetOrigin()[i];
    for (unsigned j = 0; j < 3; ++j) {
      image.geometry.direction[i * 3 + j] = volume->GetDirection()(i, j);
    }
  }
  return image;
}

}  // namespace

Result<Image> readDicomSeriesWithItk(const std::string& folder) {
  registerFactories();
  try {
    auto names = itk::GDCMSeriesFileNames::New();
    names->SetDirectory(folder);
    names->SetRecursive(true);
    const auto& uids = names->GetSeriesUIDs();
    if (uids.empty()) return Error{ErrorCode::NotAnImage, "ITK found no DICOM series", folder};
    auto reader = itk::ImageSeriesReader<ItkVolume>::New();
    reader->SetImageIO(itk::GDCMImageIO::New());
    reader->SetFileNames(names->GetFileNames(uids.front()));
    reader->Update();
    Result<Image> image = fromItk(reader->GetOutput(), folder);
    if (image) image->metadata.format = "DICOM (ITK)";
    return image;
  } catch (const itk::ExceptionObject& e) {
    return Error{ErrorCode::ReadFailed, std::string("ITK: ") + e.GetDescription(), folder};
  }
}

Result<Image> readVolumeWithItk(const std::string& path) {
  registerFactories();
  try {
    auto reader = itk::ImageFileReader<ItkVolume>::New();
    reader->SetFileName(path);
    reader->Update();
    Result<Image> image = fromItk(reader->GetOutput(), path);
    if (image) image->metadata.format = "ITK";
    return image;
  } catch (const itk::ExceptionObject& e) {
    return Error{ErrorCode::ReadFailed, std::string("ITK: ") + e.GetDescription(), path};
  }
}

}  // namespace medsa::io
