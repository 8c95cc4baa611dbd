# Compiler settings shared by every target: warnings, sanitizers, ccache.

option(MEDSA_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

find_program(MEDSA_CCACHE ccache)
if(MEDSA_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # Precompiled headers defeat ccache unless it may ignore their time stamps and defines.
  set(_medsa_launcher "${CMAKE_COMMAND}" -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "${MEDSA_CCACHE}")
  set(CMAKE_C_COMPILER_LAUNCHER ${_medsa_launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_medsa_launcher})
endif()

# Inline functions get hidden visibility in every target. Debian's LibTorch loads Qt 5 (through
# OpenCV's highgui) into our Qt 6 processes; an executable that exported its out-of-line copies
# of Qt 6 inlines (operator==(QString, QString), QByteArray::append, ...) would have Qt 5's
# calls bound to them, with another class layout. The ASan build crashed at start-up this way.
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)

# Applied per target (not globally) so third-party code is never compiled with our warnings.
function(medsa_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow=local -Wnon-virtual-dtor)
  elseif(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wnon-virtual-dtor)
  endif()
endfunction()

# Fuzz builds instrument every library for coverage and AddressSanitizer; only the fuzz
# targets themselves link libFuzzer's main (tests/fuzz).
if(MEDSA_FUZZERS)
  add_compile_options(-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address)
endif()

if(MEDSA_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
