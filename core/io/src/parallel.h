#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "medsa/core/error.h"
#include "medsa/core/progress.h"

namespace medsa::io {

/// Runs work(i) for every i in [0, count) on the machine's cores. The calling thread works too
/// and is the only one that talks to `progress` (sinks are UI objects, not thread-safe). Stops at
/// the first failure and returns it; Cancelled when the progress scope says stop.
Status parallelFor(std::size_t count, const std::function<Status(std::size_t)>& work,
                   ProgressScope& progress, std::string_view stage, const std::string& path);

}  // namespace medsa::io
