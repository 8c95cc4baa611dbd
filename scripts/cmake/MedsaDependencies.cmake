# Finds every third-party package once, so the folders below only link imported targets.
# The model-only configuration must find nothing but Torch.

find_package(Torch REQUIRED)
# Torch's flags carry the C++ ABI switch (_GLIBCXX_USE_CXX11_ABI) of the LibTorch build. Every
# translation unit that exchanges std::string with medsa_model must agree with it, so it is
# applied project-wide; Debian's LibTorch and Qt both use the new ABI, so nothing changes there.
separate_arguments(_medsa_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
foreach(_flag IN LISTS _medsa_torch_flags)
  if(_flag MATCHES "_GLIBCXX_USE_CXX11_ABI")
    add_compile_options(${_flag})
  endif()
endforeach()
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")

if(MEDSA_MODEL_ONLY)
  return()
endif()

find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Sql Concurrent Network Test LinguistTools)
qt_standard_project_setup()

find_package(ITK 5.2 REQUIRED COMPONENTS
  ITKCommon ITKIOImageBase ITKIOGDCM ITKIONIFTI ITKIONRRD ITKIOMeta ITKImageIntensity)
find_package(GDCM 3.0 REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(DCMTK REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
# libpq: only to ask a PostgreSQL connection whether it is still alive (PQstatus), which QtSql
# does not tell; the queries themselves go through QtSql's QPSQL driver.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
