#pragma once

namespace medsa::cli {

/// Peak resident memory of this process in MiB (VmHWM), or -1 where /proc is unavailable.
double peakResidentMiB();

}  // namespace medsa::cli
