#pragma once

#include <QString>

#include "medsa/core/error.h"

namespace medsa::ui {

/// What an error means, in the user's language, from its stable code ("The file is damaged.").
/// The libraries' own reasons are English technical detail; this sentence is what a user reads
/// first, so every error is understood whatever the language of the window.
QString errorSummary(const Error& error);

/// The whole text of an error box: the summary, the detail, the file, and `advice` (what to try).
QString errorText(const Error& error, const QString& advice = {});

}  // namespace medsa::ui
