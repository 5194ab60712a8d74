// Flags: "--name value" / "--name=value" command-line flags of one command, as the flag table
// (flag_table.h) declares them, each with an environment variable that stands in when the flag is
// absent (VOXBASE_<NAME>), and the table's default after that. Flags the command does not take
// are an error. Read-only after parsing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/flag_table.h"
#include "schemas/status.h"

namespace voxbase {

class Flags {
 public:
  // `command` is a FlagCommand bit.
  static Result<Flags> Parse(const std::vector<std::string>& args, uint32_t command);

  // The flag, then its environment variable, then the table's default.
  std::string Get(const std::string& name) const;
  // A switch: the flag, or its environment variable, is "true" or "1".
  bool GetBool(const std::string& name) const;
  // Within the table's bounds.
  Result<int64_t> GetInt(const std::string& name) const;
  // For a default worked out at start (the table shows it in <>).
  Result<int64_t> GetInt(const std::string& name, int64_t fallback) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::string Get(const std::string& name, const std::string& fallback) const;

  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace voxbase
