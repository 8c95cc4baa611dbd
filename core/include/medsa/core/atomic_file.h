#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "medsa/core/error.h"

namespace medsa {

/// Replaces `path` with `bytes` so that a crash or power loss at any moment leaves either the old
/// file or the complete new one, never a torn file: write a temporary file in the same folder,
/// flush it to disk (fsync), rename it over the target, then flush the folder (fsync), since the
/// rename itself is only durable once the folder is. Writing through a symbolic link replaces the
/// file it points to and keeps the link. Anything but a regular file (a device such as /dev/full,
/// a folder, a pipe) is refused, never replaced. Errors name the path and the real cause
/// ("cannot write in folder /x: permission denied").
Status writeFileAtomically(const std::string& path, std::string_view bytes);

/// The same guarantees for writers that produce the file themselves (image writers): begin
/// creates an empty temporary file beside the target, ending in `suffix` (writers that choose
/// the format by the extension need it); the caller writes it; finish flushes it, renames it over
/// the target and flushes the folder; abandon removes it after a failed write.
struct FileReplacement {
  std::string target;     ///< the file replaced, symbolic links followed
  std::string temporary;  ///< where the new content goes
};
Result<FileReplacement> beginFileReplacement(const std::string& path, std::string_view suffix = {});
Status finishFileReplacement(const FileReplacement& replacement);
void abandonFileReplacement(const FileReplacement& replacement);

/// The name of the file that a temporary file of the above replaces, when `temporaryName` (a
/// name in a folder, not a path) is one, made with `suffix`; otherwise nothing. A writer killed
/// between creating its temporary file and renaming it leaves that file behind: folders that
/// are written often (an embedding cache) recognise and sweep them with this. Targets longer
/// than 180 characters come back shortened, as their temporary files are named.
std::optional<std::string> replacedNameOf(std::string_view temporaryName,
                                          std::string_view suffix = {});

/// Reads a whole file; errors name the path and the reason (missing, unreadable, too large).
Result<std::string> readWholeFile(const std::string& path, std::size_t maxBytes = std::size_t(1)
                                                                                  << 36);

}  // namespace medsa
