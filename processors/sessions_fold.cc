// session.created: a browser token's hash and expiry, under its app.
#include "processors/fold.h"
#include "projections/sessions.h"
#include "projections/tables.h"
#include "schemas/ids.h"

namespace voxbase {
namespace {

Status FoldSessionCreated(const FoldContext& c) {
  std::string_view hash_hex;
  int64_t expires_at = 0;
  if (c.event.payload["tokenHash"].get(hash_hex) || c.event.payload["expiresAt"].get(expires_at)) {
    return BadPayload(c.event, "no tokenHash or expiresAt");
  }
  std::string hash;
  if (!HexDecode(hash_hex, &hash)) return BadPayload(c.event, "tokenHash is not hex");
  c.batch.Put(Family(Table::kSessions), SessionTokenKey(c.event.app_id, hash),
              EncodeSessionRow({c.event.ts_ms, expires_at}));
  return Status::Ok();
}

}  // namespace

void RegisterSessionFolds(FoldTable& folds) {
  folds.Register(EventType::kSessionCreated, &FoldSessionCreated);
}

}  // namespace voxbase
