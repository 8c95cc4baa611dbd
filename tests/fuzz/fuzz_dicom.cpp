// libFuzzer target: the DICOM path (structure walk, header, GDCM/DCMTK/RLE decoding, colour,
// rescale, volume assembly) on arbitrary bytes must return an Image or an Error.
#include <cstddef>
#include <cstdint>

#include "fuzz_input_file.h"
#include "medsa/io/dicom.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = medsa::fuzz::writeInput(data, size, "input.dcm");
  try {
    (void)medsa::io::readDicomFile(path);
  } catch (...) {
    __builtin_trap();  // readers promise error values; an escaping exception is a bug
  }
  return 0;
}
