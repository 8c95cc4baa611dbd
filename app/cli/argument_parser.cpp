#include "argument_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace medsa::cli {
namespace {

bool isOption(const std::string& arg) { return arg.size() > 2 && arg.compare(0, 2, "--") == 0; }

}  // namespace

ArgumentParser::ArgumentParser(std::vector<std::string> args)
    : args_(std::move(args)), used_(args_.size(), false) {}

void ArgumentParser::fail(std::string message) {
  if (!error_) error_ = Error{ErrorCode::InvalidArgument, std::move(message), {}};
}

void ArgumentParser::know(std::string_view name) {
  if (std::find(known_.begin(), known_.end(), name) == known_.end()) known_.emplace_back(name);
}

bool ArgumentParser::flag(std::string_view name) {
  know(name);
  bool found = false;
  for (size_t i = 0; i < args_.size(); ++i) {
    if (used_[i]) continue;
    if (args_[i] == name) {
      used_[i] = true;
      found = true;
    } else if (args_[i].starts_with(std::string(name) + "=")) {
      used_[i] = true;
      fail("option " + std::string(name) + " takes no value");
    }
  }
  return found;
}

std::vector<std::string> ArgumentParser::options(std::string_view name) {
  know(name);
  std::vector<std::string> values;
  const std::string withEquals = std::string(name) + "=";
  for (size_t i = 0; i < args_.size(); ++i) {
    if (used_[i]) continue;
    if (args_[i] == name) {
      used_[i] = true;
      // A value may itself start with '-' (a negative number) but not with "--".
      if (i + 1 >= args_.size() || isOption(args_[i + 1])) {
        fail("option " + std::string(name) + " needs a value");
        continue;
      }
      used_[i + 1] = true;
      values.push_back(args_[i + 1]);
      ++i;
    } else if (args_[i].starts_with(withEquals)) {
      used_[i] = true;
      values.push_back(args_[i].substr(withEquals.size()));
    }
  }
  return values;
}

std::optional<std::string> ArgumentParser::option(std::string_view name) {
  std::vector<std::string> values = options(name);
  if (values.size() > 1) fail("option " + std::string(name) + " given more than once");
  if (values.empty()) return std::nullopt;
  return values.front();
}

std::optional<std::string> ArgumentParser::positional() {
  for (size_t i = 0; i < args_.size(); ++i) {
    if (used_[i] || isOption(args_[i])) continue;
    used_[i] = true;
    return args_[i];
  }
  return std::nullopt;
}

Status ArgumentParser::finish() {
  if (error_) return *error_;
  for (size_t i = 0; i < args_.size(); ++i) {
    if (used_[i]) continue;
    if (!isOption(args_[i])) {
      return Error{ErrorCode::InvalidArgument, "unexpected argument " + args_[i], {}};
    }
    std::string known;
    for (const std::string& name : known_) known += (known.empty() ? "" : ", ") + name;
    return Error{
        ErrorCode::InvalidArgument,
        "unknown option " + args_[i] +
            (known.empty() ? " (this command takes no options)" : " (options: " + known + ")"),
        {}};
  }
  return {};
}

Result<long long> parseInteger(std::string_view text, std::string_view optionName) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Error{
        ErrorCode::InvalidArgument,
        std::string(optionName) + " expects a whole number, got '" + std::string(text) + "'",
        {}};
  }
  return value;
}

Result<long long> parseCount(const std::optional<std::string>& text, long long fallback,
                             long long minimum, std::string_view optionName) {
  if (!text) return fallback;
  Result<long long> value = parseInteger(*text, optionName);
  if (!value.ok() || value.value() < minimum) {
    return Error{ErrorCode::InvalidArgument,
                 std::string(optionName) + " must be a number >= " + std::to_string(minimum),
                 {}};
  }
  return value;
}

Result<double> parseNumber(std::string_view text, std::string_view optionName) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return Error{ErrorCode::InvalidArgument,
                 std::string(optionName) + " expects a number, got '" + std::string(text) + "'",
                 {}};
  }
  return value;
}

}  // namespace medsa::cli
