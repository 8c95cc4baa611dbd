#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "medsa/core/error.h"

namespace medsa::cli {

/// Reads a command's arguments the way users type them: "--name VALUE", "--name=VALUE", flags
/// and positionals. Every argument must be claimed; finish() reports the first problem (a
/// missing value, an unknown option), naming the argument.
class ArgumentParser {
 public:
  explicit ArgumentParser(std::vector<std::string> args);

  /// True if "--name" is present (consumes it). "--name=..." on a flag is an error.
  bool flag(std::string_view name);
  /// The value of a single-valued option; given twice is an error.
  std::optional<std::string> option(std::string_view name);
  /// Every value of a repeatable option, in order.
  std::vector<std::string> options(std::string_view name);
  /// The next argument that does not start with "--", if any.
  std::optional<std::string> positional();

  /// Ok when every argument was claimed and nothing was malformed. An unknown option is
  /// reported with the options the command asked for, so users (and the test that checks every
  /// option is in the command's help) see them all.
  Status finish();

 private:
  void fail(std::string message);
  void know(std::string_view name);

  std::vector<std::string> args_;
  std::vector<bool> used_;
  std::vector<std::string> known_;  ///< every option and flag asked for, in order
  std::optional<Error> error_;
};

/// Parses a whole decimal number or fails with a message naming the option.
Result<long long> parseInteger(std::string_view text, std::string_view optionName);
/// An optional whole-number option: `fallback` when absent; an error naming the option when it is
/// not a number >= minimum.
Result<long long> parseCount(const std::optional<std::string>& text, long long fallback,
                             long long minimum, std::string_view optionName);
/// Parses a finite decimal number or fails with a message naming the option.
Result<double> parseNumber(std::string_view text, std::string_view optionName);

}  // namespace medsa::cli
