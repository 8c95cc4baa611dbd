#include "medsa/core/json.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace medsa {
namespace {

constexpr int kMaxDepth = 128;  // arrays and objects inside each other

/// Length of the well-formed UTF-8 sequence at `pos` (Unicode table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
size_t utf8SequenceLength(std::string_view text, size_t pos) {
  const auto at = [&](size_t i) {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0u;
  };
  const auto in = [&](size_t i, unsigned low, unsigned high) {
    return at(i) >= low && at(i) <= high;
  };
  const unsigned lead = at(0);
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned high = lead == 0xED ? 0x9F : 0xBF;
    return in(1, low, high) && in(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned high = lead == 0xF4 ? 0x8F : 0xBF;
    return in(1, low, high) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

void dumpString(std::string& out, const std::string& s);

std::string quoted(const std::string& s) {
  std::string out;
  dumpString(out, s);
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Result<Json> parseDocument() {
    skipSpace();
    Json value;
    if (!parseValue(value, 0)) return error();
    skipSpace();
    if (pos_ != text_.size()) {
      fail("unexpected data after the JSON value");
      return error();
    }
    return value;
  }

 private:
  Error error() const {
    return Error{ErrorCode::CorruptData,
                 "invalid JSON at byte " + std::to_string(errorPos_) + ": " + message_,
                 std::string(source_)};
  }
  bool fail(std::string message) { return failAt(pos_, std::move(message)); }
  bool failAt(size_t position, std::string message) {
    if (message_.empty()) {
      message_ = std::move(message);
      errorPos_ = position;
    }
    return false;
  }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  /// `depth`: how many arrays and objects enclose this value.
  bool parseValue(Json& out, int depth) {
    if (pos_ >= text_.size()) return fail("unexpected end of text");
    const char c = text_[pos_];
    if (c == '{') return parseObject(out, depth);
    if (c == '[') return parseArray(out, depth);
    if (c == '"') {
      std::string s;
      if (!parseString(s)) return false;
      out = Json(std::move(s));
      return true;
    }
    if (consume("true")) return out = Json(true), true;
    if (consume("false")) return out = Json(false), true;
    if (consume("null")) return out = Json(), true;
    return parseNumber(out);
  }

  bool parseNumber(Json& out) {
    const size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_])))
      return fail("expected a value");
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_])))
        return fail("digits expected after '.'");
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (pos_ >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[pos_])))
        return fail("digits expected in exponent");
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
    if (ec == std::errc::result_out_of_range && end == text_.data() + pos_ &&
        firstDigitExponent(start, pos_) < 0) {
      // Closer to zero than the smallest double: it rounds to zero, as in every other reader.
      value = text_[start] == '-' ? -0.0 : 0.0;
    } else if (ec != std::errc() || end != text_.data() + pos_ || !std::isfinite(value)) {
      pos_ = start;
      return fail("number out of range");
    }
    out = Json(value);
    return true;
  }

  /// The power of ten of a number's first significant digit (1.5e3: 3, 0.02: -2), which tells
  /// an underflow (< 0) from an overflow when from_chars reports a number out of range.
  long long firstDigitExponent(size_t start, size_t end) const {
    long long integerDigits = 0, leadingZeros = 0, exponent = 0;
    bool significant = false, fraction = false;
    size_t i = start + (text_[start] == '-' ? 1 : 0);
    for (; i < end && text_[i] != 'e' && text_[i] != 'E'; ++i) {
      if (text_[i] == '.') {
        fraction = true;
        continue;
      }
      if (!fraction) ++integerDigits;
      if (!significant && text_[i] == '0') {
        ++leadingZeros;
      } else {
        significant = true;
      }
    }
    if (i < end) {
      ++i;
      const bool negative = text_[i] == '-';
      if (text_[i] == '-' || text_[i] == '+') ++i;
      for (; i < end && exponent < 1000000000; ++i) exponent = exponent * 10 + (text_[i] - '0');
      if (negative) exponent = -exponent;
    }
    return integerDigits - 1 - leadingZeros + exponent;
  }

  static void appendUtf8(std::string& s, std::uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool parseHex4(std::uint32_t& cp) {
    cp = 0;
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (pos_ >= text_.size()) return fail("truncated \\u escape");
      const char h = text_[pos_];
      cp <<= 4;
      if (h >= '0' && h <= '9')
        cp |= h - '0';
      else if (h >= 'a' && h <= 'f')
        cp |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F')
        cp |= h - 'A' + 10;
      else
        return fail("invalid \\u escape");
    }
    return true;
  }

  /// After "\\u" (pos_ at the hex digits); a surrogate pair becomes one code point.
  bool parseUnicodeEscape(std::string& out, size_t escapeStart) {
    std::uint32_t cp = 0;
    if (!parseHex4(cp)) return false;
    if (cp >= 0xD800 && cp < 0xDC00) {
      std::uint32_t low = 0;
      if (!consume("\\u")) return failAt(escapeStart, "unpaired surrogate");
      if (!parseHex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return failAt(escapeStart, "unpaired surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp < 0xE000) {
      return failAt(escapeStart, "unpaired surrogate");
    }
    appendUtf8(out, cp);
    return true;
  }

  bool parseString(std::string& out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= text_.size()) return fail("unterminated string");
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        // JSON text is UTF-8 (RFC 8259 section 8.1); anything else would reach callers and our
        // own output as bytes no reader agrees on.
        const size_t length = utf8SequenceLength(text_, pos_);
        if (length == 0) return fail("invalid UTF-8 in string");
        out.append(text_.substr(pos_, length));
        pos_ += length;
        continue;
      }
      const size_t escapeStart = pos_++;
      if (pos_ >= text_.size()) return fail("unterminated string");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u':
          if (!parseUnicodeEscape(out, escapeStart)) return false;
          break;
        default:
          return failAt(escapeStart, "invalid escape");
      }
    }
  }

  bool parseArray(Json& out, int depth) {
    if (depth >= kMaxDepth) return fail("nesting deeper than 128");
    ++pos_;
    Json::Array array;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out = Json(std::move(array));
      return true;
    }
    while (true) {
      skipSpace();
      Json element;
      if (!parseValue(element, depth + 1)) return false;
      array.push_back(std::move(element));
      skipSpace();
      if (pos_ >= text_.size()) return fail("unterminated array");
      if (text_[pos_] == ']') {
        ++pos_;
        out = Json(std::move(array));
        return true;
      }
      if (text_[pos_] != ',') return fail("expected ',' or ']'");
      ++pos_;
    }
  }

  bool parseObject(Json& out, int depth) {
    if (depth >= kMaxDepth) return fail("nesting deeper than 128");
    ++pos_;
    Json::Object object;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      out = Json(std::move(object));
      return true;
    }
    while (true) {
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a member name");
      const size_t keyStart = pos_;
      std::string key;
      if (!parseString(key)) return false;
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail("expected ':'");
      ++pos_;
      skipSpace();
      Json value;
      if (!parseValue(value, depth + 1)) return false;
      // A second value for a name would be read by some readers and not others: refused.
      if (object.count(key) != 0) {
        pos_ = keyStart;
        return fail("duplicate member name " + quoted(key));
      }
      object.emplace(std::move(key), std::move(value));
      skipSpace();
      if (pos_ >= text_.size()) return fail("unterminated object");
      if (text_[pos_] == '}') {
        ++pos_;
        out = Json(std::move(object));
        return true;
      }
      if (text_[pos_] != ',') return fail("expected ',' or '}'");
      ++pos_;
    }
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  size_t errorPos_ = 0;
  std::string message_;
};

void dumpString(std::string& out, const std::string& s) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Strings built in the program (a file name in another encoding) may hold bytes that are
      // not UTF-8; JSON output must stay UTF-8, so they become U+FFFD.
      const size_t length = utf8SequenceLength(s, i);
      if (length == 0) {
        out += "\xEF\xBF\xBD";
      } else {
        out.append(s, i, length);
        i += length - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void dumpNumber(std::string& out, double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    out += std::to_string(static_cast<long long>(value));
    return;
  }
  if (!std::isfinite(value)) {  // JSON has no NaN/Inf; null is the honest spelling
    out += "null";
    return;
  }
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

}  // namespace

std::optional<std::int64_t> Json::asInteger() const {
  if (!isNumber()) return std::nullopt;
  const double value = asNumber();
  // -2^63 is a double exactly; 2^63 is the first value past the range.
  if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0)) return std::nullopt;
  if (value != std::trunc(value)) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

const Json* Json::find(std::string_view key) const {
  if (!isObject()) return nullptr;
  const Object& object = asObject();
  auto it = object.find(key);
  return it == object.end() ? nullptr : &it->second;
}

std::string Json::dump(int indent) const {
  std::string out;
  dumpTo(out, indent, 0);
  return out;
}

void Json::dumpTo(std::string& out, int indent, int depth) const {
  const auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  if (isNull())
    out += "null";
  else if (isBool())
    out += asBool() ? "true" : "false";
  else if (isNumber())
    dumpNumber(out, asNumber());
  else if (isString())
    dumpString(out, asString());
  else if (isArray()) {
    const Array& array = asArray();
    out += '[';
    for (size_t i = 0; i < array.size(); ++i) {
      if (i) out += indent < 0 ? "," : ", ";
      array[i].dumpTo(out, indent < 0 ? -1 : indent, depth + 1);
    }
    out += ']';
  } else {
    const Object& object = asObject();
    out += '{';
    bool first = true;
    for (const auto& [key, value] : object) {
      if (!first) out += ',';
      first = false;
      newline(depth + 1);
      dumpString(out, key);
      out += indent < 0 ? ":" : ": ";
      value.dumpTo(out, indent, depth + 1);
    }
    if (!object.empty()) newline(depth);
    out += '}';
  }
}

Result<Json> parseJson(std::string_view text, std::string_view source) {
  return Parser(text, source).parseDocument();
}

}  // namespace medsa
