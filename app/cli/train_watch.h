#pragma once

#include <functional>
#include <ostream>

#include "medsa/annotations/project_store.h"

namespace medsa::cli {

struct WatchOptions {
  int minNew = 5;           ///< newly labelled cases that start a cycle
  double pollSeconds = 30;  ///< how often the cases are counted without a notification
  int cycles = 0;           ///< stop after this many cycles (0: run until stopped)
};

/// `medsa train --watch`: counts the project's labelled cases whenever a workstation changes a
/// case (PostgreSQL LISTEN/NOTIFY) or every pollSeconds, and runs `cycle` once at least minNew
/// were labelled since the last adapter version was trained (its data summary says how many it
/// saw). A failed count (a cut connection) is reported and retried at the next poll. Returns
/// the exit status of the last cycle, or 0 when `stopRequested` ended the wait.
int watchProject(annotations::ProjectStore& store, const WatchOptions& options,
                 const std::function<int()>& cycle, const std::function<bool()>& stopRequested,
                 std::ostream& err);

}  // namespace medsa::cli
