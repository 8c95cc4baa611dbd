#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "medsa/core/error.h"

namespace medsa {

/// A JSON document value. medsa_core carries its own small, strict JSON reader and writer because
/// the engine must build where only a compiler and LibTorch exist (the model-only preset): model
/// configs, safetensors headers, adapter metadata and `--json` output all go through it.
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json, std::less<>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool value) : value_(value) {}
  Json(int value) : value_(static_cast<double>(value)) {}
  Json(std::int64_t value) : value_(static_cast<double>(value)) {}
  Json(std::size_t value) : value_(static_cast<double>(value)) {}
  Json(double value) : value_(value) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(std::string_view value) : value_(std::string(value)) {}
  Json(Array value) : value_(std::make_shared<Array>(std::move(value))) {}
  Json(Object value) : value_(std::make_shared<Object>(std::move(value))) {}

  bool isNull() const { return std::holds_alternative<std::monostate>(value_); }
  bool isBool() const { return std::holds_alternative<bool>(value_); }
  bool isNumber() const { return std::holds_alternative<double>(value_); }
  bool isString() const { return std::holds_alternative<std::string>(value_); }
  bool isArray() const { return std::holds_alternative<std::shared_ptr<Array>>(value_); }
  bool isObject() const { return std::holds_alternative<std::shared_ptr<Object>>(value_); }

  bool asBool() const { return std::get<bool>(value_); }
  double asNumber() const { return std::get<double>(value_); }
  const std::string& asString() const { return std::get<std::string>(value_); }
  const Array& asArray() const { return *std::get<std::shared_ptr<Array>>(value_); }
  const Object& asObject() const { return *std::get<std::shared_ptr<Object>>(value_); }

  /// The number when it is a whole number an int64 holds exactly (2, -7, 1e3), else nullopt
  /// (1.5, 1e300, a string). Untrusted sizes and offsets must be read this way: casting an
  /// out-of-range double to an integer is undefined behaviour. Numbers are doubles, so integers
  /// beyond 2^53 arrive rounded.
  std::optional<std::int64_t> asInteger() const;

  /// Member of an object, or nullptr when this is not an object or has no such key.
  const Json* find(std::string_view key) const;

  /// Compact (indent < 0) or pretty-printed text.
  std::string dump(int indent = -1) const;

 private:
  void dumpTo(std::string& out, int indent, int depth) const;
  std::variant<std::monostate, bool, double, std::string, std::shared_ptr<Array>,
               std::shared_ptr<Object>>
      value_;
};

/// Parses a complete JSON text (RFC 8259). Rejects trailing data, arrays and objects nested more
/// than 128 deep, invalid escapes and unpaired surrogates, text that is not UTF-8, duplicate
/// member names and numbers beyond the range of a double (those below it become 0); the error
/// message gives the byte offset of the fault. `source` names the file in the Error.
Result<Json> parseJson(std::string_view text, std::string_view source = {});

}  // namespace medsa
