// Variant assignment: deterministic, and a 70/20/10 split stays within statistical bounds.
#include "ingest/experiments.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace voxbase {
namespace {

TEST(ExperimentsTest, AWeighted70_20_10SplitStaysWithinStatisticalBounds) {
  const std::vector<VariantWeight> weights = {{"a", 70}, {"b", 20}, {"c", 10}};
  constexpr int kSessions = 100000;
  std::map<std::string, int> counts;
  for (int i = 0; i < kSessions; ++i) {
    ++counts[AssignVariant("exp_1", "ses_" + std::to_string(i), weights)];
  }
  // Each count is binomial; 5 standard deviations is a bound a fair split breaks once in ~3.5M.
  for (const auto& [id, weight] :
       std::vector<std::pair<std::string, double>>{{"a", 0.7}, {"b", 0.2}, {"c", 0.1}}) {
    double expected = kSessions * weight;
    double sd = std::sqrt(kSessions * weight * (1 - weight));
    EXPECT_NEAR(counts[id], expected, 5 * sd) << id;
  }
  // Chi-square with 2 degrees of freedom; 13.8 is its 0.001 critical value.
  double chi2 = 0;
  for (const auto& [id, weight] :
       std::vector<std::pair<std::string, double>>{{"a", 0.7}, {"b", 0.2}, {"c", 0.1}}) {
    double e = kSessions * weight;
    chi2 += (counts[id] - e) * (counts[id] - e) / e;
  }
  EXPECT_LT(chi2, 13.8);
}

TEST(ExperimentsTest, TheSameSessionAlwaysGetsTheSameVariantAndExperimentsAreIndependent) {
  const std::vector<VariantWeight> weights = {{"x", 1}, {"y", 1}};
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string session = "s" + std::to_string(i);
    std::string first = AssignVariant("exp_a", session, weights);
    EXPECT_EQ(AssignVariant("exp_a", session, weights), first);
    differ += AssignVariant("exp_b", session, weights) != first;
  }
  EXPECT_GT(differ, 400) << "two experiments split the same sessions the same way";
  EXPECT_LT(differ, 600);
}

}  // namespace
}  // namespace voxbase
