#pragma once
// Numbers as the commands print them in their text reports.

#include <iomanip>
#include <sstream>
#include <string>

namespace medsa::cli {

/// `value` with `digits` decimals ("0.903").
inline std::string fixed(double value, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << value;
  return text.str();
}

}  // namespace medsa::cli
