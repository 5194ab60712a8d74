#include "schemas/json_minify.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace voxbase {
namespace {

std::string Minified(simdjson::dom::element value) {
  std::string out = "kept:";
  AppendMinified(value, &out);
  EXPECT_EQ(out.substr(0, 5), "kept:") << "appends, never replaces";
  return out.substr(5);
}

void ExpectSameAsSimdjson(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(json).get(root)) << json;
  EXPECT_EQ(Minified(root), simdjson::minify(root)) << json;
}

TEST(JsonMinifyTest, WritesWhatSimdjsonMinifyWrites) {
  for (const char* json : {
           R"({})",
           R"([])",
           R"(null)",
           R"(true)",
           R"(false)",
           R"(0)",
           R"(-0)",
           R"(-0.0)",
           R"(  { "a" : [ 1 , 2.5 , -3 , 1e300 , 5e-324 , 0.1 , 123456789012345678 ] } )",
           R"(18446744073709551615)",
           R"(-9223372036854775808)",
           R"(9223372036854775808)",
           R"("quote \" backslash \\ slash \/ tab \t nl \n cr \r bs \b ff \f")",
           R"("\u0000\u0001\u001f\u007f \u00e9 \ud83d\ude00 é")",
           R"({"nested":{"deeper":{"x":[{},[],[[]],{"y":null}]}},"e":""})",
       }) {
    ExpectSameAsSimdjson(json);
  }
  // Past the depth at which simdjson's builder recurses (16).
  ExpectSameAsSimdjson(std::string(40, '[') + R"(1,[2,{"k":[3]}])" + std::string(40, ']'));
}

// Random documents: every byte that needs escaping, UTF-8, numbers of every kind, nesting.
std::string RandomValue(std::mt19937_64& rng, int depth) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  switch (depth > 6 ? pick(6) : pick(8)) {
    case 0:
      return "null";
    case 1:
      return pick(2) ? "true" : "false";
    case 2:
      return std::to_string(static_cast<int64_t>(rng()));
    case 3:
      return std::to_string(rng());
    case 4: {
      std::uniform_real_distribution<double> any(-1e6, 1e6);
      double d = pick(3) == 0 ? std::ldexp(any(rng), pick(600) - 300) : any(rng);
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.17g", d);
      std::string s(buf);
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      return s;
    }
    case 5: {
      static const char* pieces[] = {"a",       "Z",       " ",       "\\\"",          "\\\\",
                                     "\\/",     "\\b",     "\\f",     "\\n",           "\\r",
                                     "\\t",     "\\u0000", "\\u001f", "\\u0007",       "\\u007f",
                                     "\\u00e9", "é",       "日本",    "\\ud83d\\ude00"};
      std::string s = "\"";
      for (int i = pick(12); i > 0; --i) s += pieces[pick(sizeof(pieces) / sizeof(pieces[0]))];
      return s + "\"";
    }
    case 6: {
      std::string s = "[ ";
      for (int i = pick(5); i > 0; --i) s += RandomValue(rng, depth + 1) + (i > 1 ? " , " : "");
      return s + " ]";
    }
    default: {
      std::string s = "{ ";
      for (int i = pick(5); i > 0; --i) {
        s += "\"k" + std::to_string(i) + (pick(4) == 0 ? "\\n\\\"" : "") +
             "\" : " + RandomValue(rng, depth + 1) + (i > 1 ? " , " : "");
      }
      return s + " }";
    }
  }
}

TEST(JsonMinifyTest, RandomDocumentsMatchSimdjsonByteForByte) {
  std::mt19937_64 rng(20261201);
  for (int i = 0; i < 3000; ++i) ExpectSameAsSimdjson(RandomValue(rng, 0));
}

}  // namespace
}  // namespace voxbase
