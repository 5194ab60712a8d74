#include "api/flags.h"

#include <charconv>
#include <cstdlib>

namespace voxbase {

Result<Flags> Flags::Parse(const std::vector<std::string>& args, std::set<std::string> known,
                           const std::set<std::string>& switches) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--")) {
      flags.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (switches.contains(name)) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return InvalidArgument("flag --" + name + " needs a value");
    }
    if (!known.contains(name) && !switches.contains(name))
      return InvalidArgument("unknown flag --" + name);
    flags.values_[name] = value;
  }
  return flags;
}

bool Flags::GetBool(const std::string& name) const {
  std::string v = Get(name, "false");
  return v == "true" || v == "1";
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  if (it != values_.end()) return it->second;
  std::string env = "VOXBASE_";
  for (char c : name) env.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  if (const char* v = std::getenv(env.c_str()); v != nullptr && *v != '\0') return v;
  return fallback;
}

Result<int64_t> Flags::GetInt(const std::string& name, int64_t fallback, int64_t min,
                              int64_t max) const {
  std::string raw = Get(name, std::to_string(fallback));
  int64_t v = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc() || end != raw.data() + raw.size() || v < min || v > max) {
    return InvalidArgument("--" + name + " must be an integer from " + std::to_string(min) +
                           " to " + std::to_string(max));
  }
  return v;
}

}  // namespace voxbase
