// Row codecs: one field list writes a row and reads it back, and a malformed stored row is
// Corruption naming the field.
#include "projections/row_codec.h"

#include <gtest/gtest.h>

#include "projections/conversations.h"
#include "projections/csat.h"
#include "projections/experiments.h"
#include "projections/guardrails.h"
#include "projections/handoffs.h"
#include "projections/knowledge.h"
#include "projections/tools.h"

namespace voxbase {
namespace {

TEST(RowCodecTest, EveryKindOfFieldRoundTrips) {
  simdjson::dom::parser parser;
  ConversationRow c;
  c.conversation_id = "conv_1";
  c.session_id = "s1";
  c.status = "resolved";
  c.channel = "web";
  c.started_at = 100;
  c.ended_at = 400;
  c.messages_json = R"([{"role":"user","content":"hi \"there\""}])";
  c.metadata_json = R"({"a":[1,2]})";
  c.created_at = 5;
  c.updated_at = 6;
  const std::string json = c.ToJson();
  EXPECT_NE(json.find(R"("durationMs":300)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("resolution":null)"), std::string::npos) << json;
  Result<ConversationRow> back = ConversationRow::Decode(parser, c.Encode());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), json);
  EXPECT_FALSE(back->resolution.has_value());
  EXPECT_FALSE(back->handed_off_at.has_value());

  ExperimentRow e;
  e.experiment_id = "exp_1";
  e.name = "x";
  e.variants.push_back(VariantRow{"a", 0.5, R"({"greeting":"hi"})", 3, 1, 1, 9, 2});
  e.variants.push_back(VariantRow{"b", 2, "null", 0, 0, 0, 0, 0});
  Result<ExperimentRow> experiment = ExperimentRow::Decode(parser, e.Encode());
  ASSERT_TRUE(experiment.ok()) << experiment.status().ToString();
  ASSERT_EQ(experiment->variants.size(), 2u);
  EXPECT_EQ(experiment->variants[0].weight, 0.5);
  EXPECT_EQ(experiment->variants[0].csat_sum, 9);
  EXPECT_EQ(experiment->variants[1].config_json, "null");
  EXPECT_EQ(experiment->ToJson(true), e.ToJson(true));
  EXPECT_EQ(e.ToJson(false).find("exposures"), std::string::npos) << "the configured view";

  ExecutionRow x;
  x.execution_id = "exec_1";
  x.http_status = 502;
  x.result_truncated = true;
  x.started_at = 7;
  Result<ExecutionRow> execution = ExecutionRow::Decode(parser, x.Encode());
  ASSERT_TRUE(execution.ok());
  EXPECT_EQ(execution->http_status, 502);
  EXPECT_TRUE(execution->result_truncated);
  EXPECT_EQ(execution->started_at, 7);
  EXPECT_FALSE(execution->finished_at.has_value());

  RuleRow rule;
  rule.rule.rule_id = "gr_1";
  rule.rule.pattern = "a,b";
  rule.rule.enabled = false;
  rule.created_at = 3;
  Result<RuleRow> rule_back = RuleRow::Decode(parser, rule.Encode());
  ASSERT_TRUE(rule_back.ok()) << rule_back.status().ToString();
  EXPECT_EQ(rule_back->rule.rule_id, "gr_1");
  EXPECT_EQ(rule_back->rule.pattern, "a,b");
  EXPECT_FALSE(rule_back->rule.enabled);
  EXPECT_EQ(rule_back->ToJson(), rule.ToJson());

  GapRow gap;
  gap.gap_id = "gap_1";
  gap.best_score = 0.25;
  gap.examples = {"where is it", "when"};
  gap.dismissed_at = 9;
  Result<GapRow> gap_back = GapRow::Decode(parser, gap.Encode());
  ASSERT_TRUE(gap_back.ok()) << gap_back.status().ToString();
  EXPECT_EQ(gap_back->examples, gap.examples);
  EXPECT_EQ(gap_back->best_score, 0.25);
  EXPECT_EQ(gap_back->dismissed_at, 9);
  EXPECT_FALSE(gap_back->resolved_at.has_value());

  CsatRow rating{"s1", 4, "ok", 10};
  Result<CsatRow> csat = CsatRow::Decode(parser, rating.Encode());
  ASSERT_TRUE(csat.ok());
  EXPECT_EQ(csat->rating, 4);
  EXPECT_EQ(csat->comment, "ok");
}

TEST(RowCodecTest, AMalformedRowIsCorruptionNamingTheField) {
  simdjson::dom::parser parser;
  auto stored = [](const std::string& json) { return EncodeValue(json, HandoffRow::kVersion); };
  Result<HandoffRow> missing = HandoffRow::Decode(parser, stored(R"({"status":"pending"})"));
  ASSERT_EQ(missing.status().code(), StatusCode::kCorruption);
  EXPECT_NE(missing.status().message().find("handoffId"), std::string::npos)
      << missing.status().ToString();
  Result<HandoffRow> wrong_type =
      HandoffRow::Decode(parser, stored(R"({"handoffId":"h","status":"pending","createdAt":"x"})"));
  ASSERT_EQ(wrong_type.status().code(), StatusCode::kCorruption);
  EXPECT_NE(wrong_type.status().message().find("createdAt"), std::string::npos);
  Result<HandoffRow> absent_optional =
      HandoffRow::Decode(parser, stored(R"({"handoffId":"h","status":"pending"})"));
  ASSERT_TRUE(absent_optional.ok()) << "fields not required keep their defaults";
  EXPECT_EQ(absent_optional->priority, "normal");
}

}  // namespace
}  // namespace voxbase
