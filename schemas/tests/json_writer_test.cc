#include "schemas/json_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace voxbase {
namespace {

TEST(JsonWriterTest, RawValuesTakeTheSeparatorsOfTheirPlace) {
  JsonWriter w;
  w.BeginObject().RawField("a", R"({"x":1})").Key("list").BeginArray();
  w.Raw("[1,2]").Raw("\"s\"").String("t").Raw("null");
  w.EndArray().Field("n", int64_t{3}).RawField("b", "true").EndObject();
  EXPECT_EQ(w.str(), R"({"a":{"x":1},"list":[[1,2],"s","t",null],"n":3,"b":true})");
}

TEST(JsonWriterTest, ARawValueIsCopiedWhole) {
  // Longer than the buffer's first allocation, with every byte kept as it is (escapes included).
  std::string big = "[";
  for (int i = 0; i < 5000; ++i) big += (i ? ",\"\\u00e9\\n" : "\"") + std::to_string(i) + "\"";
  big += "]";
  JsonWriter w;
  w.BeginArray().Raw(big).Raw(big).EndArray();
  EXPECT_EQ(w.str(), "[" + big + "," + big + "]");
}

TEST(JsonWriterTest, ARawValueCanBeTheWholeDocument) {
  JsonWriter w;
  w.Raw(R"({"k":[]})");
  EXPECT_EQ(w.str(), R"({"k":[]})");
}

}  // namespace
}  // namespace voxbase
