// libFuzzer target: photographs (PNG, JPEG, TIFF, BMP structure checks, EXIF orientation, OpenCV
// decoding) through readImage on arbitrary bytes: an Image or an Error, nothing else.
#include <cstddef>
#include <cstdint>

#include "fuzz_input_file.h"
#include "medsa/io/image_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = medsa::fuzz::writeInput(data, size, "input.png");
  try {
    (void)medsa::io::readImage(path);
  } catch (...) {
    __builtin_trap();
  }
  return 0;
}
