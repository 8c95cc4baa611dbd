// libFuzzer target: the checkpoint reader (zip + restricted unpickler, safetensors) on arbitrary
// bytes must return a checkpoint or an Error, never crash, hang or touch memory it does not own.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checkpoint/checkpoint_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    (void)medsa::model::readCheckpointBytes(std::move(bytes), "fuzz");
  } catch (...) {
    // readCheckpointBytes promises error values; an exception escaping it is a bug.
    __builtin_trap();
  }
  return 0;
}
