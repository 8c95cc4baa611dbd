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

# oneDNN's headers, for the encoder's CPU linears (model/src/sam/onednn_linear.cpp): used only
# where LibTorch links the shared libdnnl beside it, as Debian's does, so that one copy of oneDNN
# runs in the process (Python's wheels carry their own inside libtorch_cpu). Without it LibTorch
# runs those linears. Not through dnnl's CMake package: it asks for OpenCL's development files,
# which the CPU matmul does not need.
option(MEDSA_WITH_ONEDNN "Run the encoder's CPU linears on oneDNN where LibTorch links it" ON)
if(MEDSA_WITH_ONEDNN)
  get_filename_component(_medsa_torch_lib_dir "${TORCH_LIBRARY}" DIRECTORY)
  find_library(MEDSA_DNNL_LIBRARY dnnl PATHS "${_medsa_torch_lib_dir}" NO_DEFAULT_PATH)
  find_path(MEDSA_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
endif()
if(MEDSA_WITH_ONEDNN AND MEDSA_DNNL_LIBRARY AND MEDSA_DNNL_INCLUDE_DIR)
  add_library(medsa_dnnl SHARED IMPORTED)
  set_target_properties(medsa_dnnl PROPERTIES IMPORTED_LOCATION "${MEDSA_DNNL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${MEDSA_DNNL_INCLUDE_DIR}")
  set(MEDSA_ONEDNN ON)
  message(STATUS "oneDNN ${MEDSA_DNNL_LIBRARY}: the encoder's CPU linears call its matmul")
else()
  set(MEDSA_ONEDNN OFF)
  message(STATUS "oneDNN: not used (MEDSA_WITH_ONEDNN=OFF, no libdnnl-dev, or a LibTorch with "
                 "its own copy)")
endif()

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
