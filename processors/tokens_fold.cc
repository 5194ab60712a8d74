// token.minted: counted in the day's insights row, by provider, so analytics can count voice
// sessions started. The token itself was never recorded.
#include "processors/fold.h"
#include "projections/insights.h"

namespace voxbase {
namespace {

Status FoldTokenMinted(const FoldContext& c) {
  std::string_view provider;
  if (c.event.payload["provider"].get(provider)) return BadPayload(c.event, "no provider");
  return IncrementDailyCounter(c.batch, c.event.app_id, c.event.ts_ms, "tokensMinted", provider);
}

}  // namespace

void RegisterTokenFolds(FoldTable& folds) { folds.On(EventType::kTokenMinted, &FoldTokenMinted); }

}  // namespace voxbase
