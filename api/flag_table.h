// The flag table: every flag of every `voxbase` command, declared once — name, the commands that
// take it, kind, default, bounds and help. It drives parsing (Flags), `voxbase help`, and the
// environment: each flag may come from VOXBASE_<NAME> (upper case, dashes as underscores) instead.
// A test checks that the README names every flag.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace voxbase {

enum class FlagKind { kString, kInt, kSwitch };

// Commands, as bits of FlagSpec::commands.
enum FlagCommand : uint32_t {
  kServeCommand = 1,
  kReplayCommand = 2,
  kSnapshotCommand = 4,
  kChecksumCommand = 8,
  kRepairCommand = 16,
  kDevKafkaCommand = 32,
  kSeedAppCommand = 64,
};

struct FlagSpec {
  std::string_view name;
  uint32_t commands;  // FlagCommand bits
  FlagKind kind;
  // The default as the flag would be written; empty for none. `shown` replaces it in help where
  // the default is worked out at start ("<cores>") or the value is a choice.
  std::string_view fallback;
  int64_t min;  // kInt only
  int64_t max;
  std::string_view help;
  std::string_view shown = {};
};

const std::vector<FlagSpec>& FlagTable();
// The spec of `name`; aborts for a name not in the table (a programming error).
const FlagSpec& FindFlag(std::string_view name);
// VOXBASE_DATA_DIR for data-dir.
std::string FlagEnvironmentName(std::string_view name);
// The flags of `command` for `voxbase help`: one line each, with default and help.
std::string DescribeFlags(uint32_t command);

}  // namespace voxbase
