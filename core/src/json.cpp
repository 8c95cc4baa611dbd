#include "medsa/core/json.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace medsa {
namespace {

constexpr int kMaxDepth = 128;

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
  bool fail(std::string message) {
    if (message_.empty()) {
      message_ = std::move(message);
      errorPos_ = pos_;
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

  bool parseValue(Json& out, int depth) {
    if (depth > kMaxDepth) return fail("nesting deeper than 128");
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
    if (ec != std::errc() || end != text_.data() + pos_ || !std::isfinite(value))
      return fail("number out of range");
    out = Json(value);
    return true;
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
    if (pos_ + 4 > text_.size()) return fail("truncated \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
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

  bool parseString(std::string& out) {
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= text_.size()) return fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) return fail("unterminated escape");
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
        case 'u': {
          std::uint32_t cp = 0;
          if (!parseHex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair encodes one code point
            std::uint32_t low = 0;
            if (!consume("\\u") || !parseHex4(low) || low < 0xDC00 || low > 0xDFFF)
              return fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            return fail("unpaired surrogate");
          }
          appendUtf8(out, cp);
          break;
        }
        default:
          return fail("invalid escape");
      }
    }
  }

  bool parseArray(Json& out, int depth) {
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
      if (text_[pos_++] != ',') return fail("expected ',' or ']'");
    }
  }

  bool parseObject(Json& out, int depth) {
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
      std::string key;
      if (!parseString(key)) return false;
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_++] != ':') return fail("expected ':'");
      skipSpace();
      Json value;
      if (!parseValue(value, depth + 1)) return false;
      if (!object.emplace(std::move(key), std::move(value)).second)
        return fail("duplicate member name");
      skipSpace();
      if (pos_ >= text_.size()) return fail("unterminated object");
      if (text_[pos_] == '}') {
        ++pos_;
        out = Json(std::move(object));
        return true;
      }
      if (text_[pos_++] != ',') return fail("expected ',' or '}'");
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
  for (const char c : s) {
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
