// libFuzzer target: NIfTI-1/2 (plain or gzip-compressed) through readImage, which recognises
// the format from the content, on arbitrary bytes: an Image or an Error, nothing else.
#include <cstddef>
#include <cstdint>

#include "fuzz_input_file.h"
#include "medsa/io/image_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool gzip = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  const std::string path = medsa::fuzz::writeInput(data, size, gzip ? "input.nii.gz" : "input.nii");
  try {
    (void)medsa::io::readImage(path);
  } catch (...) {
    __builtin_trap();
  }
  return 0;
}
