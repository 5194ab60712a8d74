// The insights rows' arithmetic: histograms within the accuracy they promise, merges that add in
// any grouping, and rows written before analytics (version 1) read as counters.
#include "projections/insights.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "projections/keys.h"

namespace voxbase {
namespace {

std::string Row(const std::string& json) { return EncodeValue(json, kInsightRowVersion); }

TEST(InsightsTest, QuantilesAreWithinOnePercentOfTheNearestRankValue) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(6.5, 1.2);  // around 700 ms, a long tail
  std::vector<int64_t> values;
  InsightCounters counters;
  for (int i = 0; i < 20000; ++i) {
    const auto v = static_cast<int64_t>(latency(rng));
    values.push_back(v);
    AddSample(counters, "ms", v);
  }
  values.push_back(0);
  AddSample(counters, "ms", 0);
  std::sort(values.begin(), values.end());
  for (double q : {0.01, 0.5, 0.9, 0.95, 0.99, 1.0}) {
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
    const double exact = static_cast<double>(values[rank - 1]);
    std::optional<double> estimate = Quantile(counters, "ms", q);
    ASSERT_TRUE(estimate.has_value());
    EXPECT_NEAR(*estimate, exact, exact * 0.01 + 1e-9) << "q " << q;
  }
  EXPECT_EQ(Counter(counters, "ms.n"), 20001);
  EXPECT_FALSE(Quantile(counters, "other", 0.5).has_value());
}

TEST(InsightsTest, MergesAddInAnyGroupingAndDropCountersThatReachZero) {
  const std::vector<std::string> ops = {Row(R"({"a":1,"b":2})"), Row(R"({"a":-1,"c":5})"),
                                        Row(R"({"b":3})")};
  std::string all, first_two, grouped;
  ASSERT_TRUE(MergeInsightCounters(std::nullopt, {ops[0], ops[1], ops[2]}, &all));
  ASSERT_TRUE(MergeInsightCounters(std::nullopt, {ops[0], ops[1]}, &first_two));
  ASSERT_TRUE(MergeInsightCounters(first_two, {ops[2]}, &grouped));
  EXPECT_EQ(all, grouped);
  EXPECT_EQ(all, Row(R"({"b":5,"c":5})"));  // a: 1 - 1 = 0, dropped
  std::string bad;
  EXPECT_FALSE(MergeInsightCounters(std::nullopt, {Row(R"({"a":"x"})")}, &bad));
}

TEST(InsightsTest, AVersionOneRowReadsAsCounters) {
  const std::string v1 = EncodeValue(
      R"({"date":"2025-12-01","counters":{"tokensMinted":{"openai":2,"gemini":1}}})", 1);
  std::string merged;
  ASSERT_TRUE(MergeInsightCounters(v1, {Row(R"({"tokensMinted.openai":1})")}, &merged));
  EXPECT_EQ(merged, Row(R"({"tokensMinted.gemini":1,"tokensMinted.openai":3})"));
}

}  // namespace
}  // namespace voxbase
