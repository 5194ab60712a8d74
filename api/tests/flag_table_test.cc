// The flag table is the one list of flags: parsing takes exactly what it declares, defaults come
// from it, and the README names every flag in it (and no flag it lacks).
#include "api/flag_table.h"

#include <gtest/gtest.h>

#include <charconv>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "api/flags.h"

namespace voxbase {
namespace {

TEST(FlagTableTest, NamesAreUniqueAndIntegerDefaultsLieWithinTheirBounds) {
  std::set<std::string_view> names;
  for (const FlagSpec& spec : FlagTable()) {
    EXPECT_TRUE(names.insert(spec.name).second) << "--" << spec.name << " is declared twice";
    EXPECT_NE(spec.commands, 0u) << "--" << spec.name << " belongs to no command";
    EXPECT_FALSE(spec.help.empty()) << "--" << spec.name << " has no help";
    if (spec.kind != FlagKind::kInt || spec.fallback.empty()) continue;
    int64_t value = 0;
    auto [end, ec] =
        std::from_chars(spec.fallback.data(), spec.fallback.data() + spec.fallback.size(), value);
    ASSERT_TRUE(ec == std::errc() && end == spec.fallback.data() + spec.fallback.size())
        << "--" << spec.name << " default '" << spec.fallback << "' is not an integer";
    EXPECT_GE(value, spec.min) << "--" << spec.name;
    EXPECT_LE(value, spec.max) << "--" << spec.name;
  }
}

TEST(FlagTableTest, ParsingTakesWhatTheTableDeclaresForTheCommand) {
  Result<Flags> serve =
      Flags::Parse({"--port", "9000", "--metrics-per-app", "--fsync=none"}, kServeCommand);
  ASSERT_TRUE(serve.ok()) << serve.status().ToString();
  EXPECT_EQ(*serve->GetInt("port"), 9000);
  EXPECT_TRUE(serve->GetBool("metrics-per-app"));
  EXPECT_EQ(serve->Get("fsync"), "none");
  EXPECT_EQ(serve->Get("bind"), "127.0.0.1") << "the table's default";
  EXPECT_EQ(*serve->GetInt("token-burst"), 20);
  EXPECT_FALSE(Flags::Parse({"--port", "9000"}, kReplayCommand).ok()) << "replay has no --port";
  EXPECT_FALSE(Flags::Parse({"--bogus", "1"}, kServeCommand).ok());
  Result<Flags> out_of_bounds = Flags::Parse({"--port", "70000"}, kServeCommand);
  ASSERT_TRUE(out_of_bounds.ok());
  EXPECT_FALSE(out_of_bounds->GetInt("port").ok());
  EXPECT_EQ(FlagEnvironmentName("data-dir"), "VOXBASE_DATA_DIR");
}

TEST(FlagTableTest, TheReadmeNamesEveryFlagAndNoOther) {
  std::ifstream in(std::string(VOXBASE_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in.good());
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  std::set<std::string> declared = {"help"};  // every command's
  for (const FlagSpec& spec : FlagTable()) {
    declared.insert(std::string(spec.name));
    const std::regex named("--" + std::string(spec.name) + "([^a-z0-9-]|$)");
    EXPECT_TRUE(std::regex_search(text, named)) << "README.md does not name --" << spec.name;
  }
  // The binary's section lists the commands' flags: each must be one the table declares.
  const size_t from = text.find("## The binary");
  ASSERT_NE(from, std::string::npos);
  const size_t to = text.find("\n## ", from + 1);
  const std::string section = text.substr(from, to - from);
  const std::regex flag("--([a-z][a-z0-9-]*)");
  for (auto it = std::sregex_iterator(section.begin(), section.end(), flag);
       it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE(declared.contains((*it)[1].str()))
        << "README.md's binary section names --" << (*it)[1].str() << ", which no command takes";
  }
}

}  // namespace
}  // namespace voxbase
