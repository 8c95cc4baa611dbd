// libFuzzer target: medsa_core's JSON reader on arbitrary bytes (it reads untrusted safetensors
// headers and adapter metadata) must return a value or an Error naming the byte, never crash,
// hang or recurse without bound. What it accepts must survive the writer: the compact and the
// indented text read back to the same value, so `--json` output and adapter files round-trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "medsa/core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  medsa::Result<medsa::Json> json = medsa::parseJson(text, "fuzz");
  if (!json) {
    if (json.error().message.rfind("invalid JSON at byte ", 0) != 0) __builtin_trap();
    return 0;
  }
  const std::string compact = json.value().dump();
  for (const std::string& written : {compact, json.value().dump(2)}) {
    medsa::Result<medsa::Json> again = medsa::parseJson(written);
    if (!again || again.value().dump() != compact) __builtin_trap();
  }
  return 0;
}
