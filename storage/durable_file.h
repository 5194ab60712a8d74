// Files that must survive a crash or a power loss once written: the small metadata files beside
// the log and the stores (snapshot descriptions, the knowledge-index snapshot, replay markers).
#pragma once

#include <string>
#include <string_view>

#include "schemas/status.h"

namespace voxbase {

// Writes `bytes` to `path` so that afterwards it holds either the old content or all of the new:
// a temporary file beside it, fsynced, renamed over it, and the directory fsynced.
Status WriteFileDurably(const std::string& path, std::string_view bytes);

// fsyncs a directory, so that files created, renamed or removed in it stay so.
Status SyncDirectory(const std::string& dir);

}  // namespace voxbase
