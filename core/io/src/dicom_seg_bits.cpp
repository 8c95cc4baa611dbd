#include "dicom_seg_bits.h"

#include <dcmtk/dcmiod/cielabutil.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace medsa::io {

std::string decimalString(double value) {
  if (value == 0 || !std::isfinite(value)) return "0";
  // The most significant digits that fit, written without a needless exponent or zeros.
  for (int digits = 15; digits > 0; --digits) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    const std::string s(text);
    if (s.size() <= 16) return s;
  }
  return "0";
}

std::array<std::uint16_t, 3> rgbToDicomLab(const std::array<std::uint8_t, 3>& rgb) {
  double l = 0, a = 0, b = 0;
  IODCIELabUtil::rgb2DicomLab(l, a, b, rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0);
  auto scaled = [](double v) {
    return static_cast<std::uint16_t>(std::clamp(std::lround(v), 0L, 65535L));
  };
  return {scaled(l), scaled(a), scaled(b)};
}

std::array<std::uint8_t, 3> dicomLabToRgb(const std::array<std::uint16_t, 3>& lab) {
  double r = 0, g = 0, b = 0;
  IODCIELabUtil::dicomLab2RGB(r, g, b, lab[0], lab[1], lab[2]);
  auto byte = [](double v) {
    return static_cast<std::uint8_t>(std::clamp(std::lround(v * 255.0), 0L, 255L));
  };
  return {byte(r), byte(g), byte(b)};
}

std::string longString(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out.push_back('/');
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  // Cut at 64 bytes without splitting a UTF-8 sequence.
  if (out.size() > 64) {
    std::size_t end = 64;
    while (end > 0 && (static_cast<unsigned char>(out[end]) & 0xc0) == 0x80) --end;
    out.resize(end);
  }
  return out;
}

std::string codeString(const std::string& text, const std::string& fallback) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80) {
      out.push_back(static_cast<char>(std::toupper(u)));
    } else if (c == ' ' || c == '_' || c == '-') {
      out.push_back('_');
    }
    if (out.size() == 16) break;
  }
  return out.empty() ? fallback : out;
}

}  // namespace medsa::io
