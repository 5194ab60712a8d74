// Flags: "--name value" / "--name=value" command-line flags, each with an environment variable
// that stands in when the flag is absent (VOXBASE_<NAME>, upper case, dashes as underscores).
// Unknown flags are an error. Read-only after parsing.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "schemas/status.h"

namespace voxbase {

class Flags {
 public:
  // `known` lists the flag names this command accepts; `switches` those that take no value
  // ("--name" alone means true; "--name=false" is allowed).
  static Result<Flags> Parse(const std::vector<std::string>& args, std::set<std::string> known,
                             const std::set<std::string>& switches = {});

  // Flag, then environment variable, then `fallback`.
  std::string Get(const std::string& name, const std::string& fallback) const;
  // A switch: the flag, or its environment variable, is "true" or "1".
  bool GetBool(const std::string& name) const;
  Result<int64_t> GetInt(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

}  // namespace voxbase
