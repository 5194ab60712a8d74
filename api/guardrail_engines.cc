#include "api/guardrail_engines.h"

#include "ingest/guardrails.h"
#include "projections/apps.h"
#include "projections/guardrails.h"

namespace voxbase {

Result<std::shared_ptr<const GuardrailMatcher>> GuardrailEngines::For(const ProjectionStore& store,
                                                                      const std::string& app_id,
                                                                      std::string_view direction) {
  GuardrailsView view(store);
  Result<int64_t> version = view.Version(app_id);
  if (!version.ok()) return version.status();
  const std::string key = app_id + std::string(direction);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.version == *version) return it->second.matcher;
  }
  Result<std::vector<RuleRow>> rows = view.Rules(app_id);
  if (!rows.ok()) return rows.status();
  std::vector<GuardrailRule> rules;
  for (RuleRow& row : *rows) rules.push_back(std::move(row.rule));
  Result<std::optional<AppRecord>> app = AppsView(store).Get(app_id);
  if (!app.ok()) return app.status();
  if (app->has_value() && !(*app)->blocked_terms.empty()) {
    rules.push_back(PersonaRule((*app)->blocked_terms));
  }
  Result<std::shared_ptr<const GuardrailMatcher>> matcher =
      GuardrailMatcher::Build(std::move(rules), direction);
  if (!matcher.ok()) return matcher.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = Entry{*version, *matcher};
  return matcher;
}

}  // namespace voxbase
