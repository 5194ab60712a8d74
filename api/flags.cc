#include "api/flags.h"

#include <charconv>
#include <cstdlib>

namespace voxbase {

Result<Flags> Flags::Parse(const std::vector<std::string>& args, uint32_t command) {
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
    }
    const FlagSpec* spec = nullptr;
    for (const FlagSpec& s : FlagTable()) {
      if (s.name == name && (s.commands & command) != 0) spec = &s;
    }
    if (spec == nullptr) return InvalidArgument("unknown flag --" + name);
    if (eq == std::string::npos) {
      if (spec->kind == FlagKind::kSwitch) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return InvalidArgument("flag --" + name + " needs a value");
      }
    }
    flags.values_[name] = value;
  }
  return flags;
}

bool Flags::GetBool(const std::string& name) const {
  std::string v = Get(name, "false");
  return v == "true" || v == "1";
}

std::string Flags::Get(const std::string& name) const {
  return Get(name, std::string(FindFlag(name).fallback));
}

std::string Flags::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  if (it != values_.end()) return it->second;
  if (const char* v = std::getenv(FlagEnvironmentName(name).c_str()); v != nullptr && *v != '\0') {
    return v;
  }
  return fallback;
}

Result<int64_t> Flags::GetInt(const std::string& name) const {
  const FlagSpec& spec = FindFlag(name);
  int64_t fallback = 0;
  std::from_chars(spec.fallback.data(), spec.fallback.data() + spec.fallback.size(), fallback);
  return GetInt(name, fallback);
}

Result<int64_t> Flags::GetInt(const std::string& name, int64_t fallback) const {
  const FlagSpec& spec = FindFlag(name);
  std::string raw = Get(name, std::to_string(fallback));
  int64_t v = 0;
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (ec != std::errc() || end != raw.data() + raw.size() || v < spec.min || v > spec.max) {
    return InvalidArgument("--" + name + " must be an integer from " + std::to_string(spec.min) +
                           " to " + std::to_string(spec.max));
  }
  return v;
}

}  // namespace voxbase
