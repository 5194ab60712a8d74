#include "processors/applied_event_ids.h"

#include <algorithm>
#include <string>

#include "projections/keys.h"
#include "projections/tables.h"

namespace voxbase {
namespace {

// Sorts after every bucket: the newest bucket seen, never inside a pruned range.
const std::string& NewestKey() {
  static const std::string key(8, '\xff');
  return key;
}

std::string BucketStart(uint64_t bucket) {
  std::string key;
  AppendBigEndian64(&key, bucket);
  return key;
}

}  // namespace

Result<bool> AppliedEventIds::SeenElsewhere(const DecodedEvent& event, const LogPosition& at,
                                            StoreBatch& batch) {
  if (event.id.empty()) return false;
  const int family = Family(Table::kAppliedEvents);
  constexpr uint64_t kWindowBuckets = kWindowMs / kBucketMs;
  const uint64_t bucket = static_cast<uint64_t>(std::max<int64_t>(event.ts_ms, 0) / kBucketMs);
  std::string newest;
  Result<bool> has_newest = batch.Get(family, NewestKey(), &newest);
  if (!has_newest.ok()) return has_newest.status();
  if (*has_newest && newest.size() != 8) return Corruption("the applied-event bucket is malformed");
  const uint64_t newest_bucket = *has_newest ? ReadBigEndian64(newest) : 0;
  // Older than the window: forgotten. Decided from the bucket, not from whether a range delete
  // already removed the entry, so that how records fall into batches changes nothing.
  if (*has_newest && bucket + kWindowBuckets < newest_bucket) return false;

  std::string key = BucketStart(bucket);
  key.append(event.id);
  std::string stored;
  Result<bool> found = batch.Get(family, key, &stored);
  if (!found.ok()) return found.status();
  if (*found) {
    if (stored.size() != 12) return Corruption("an applied-event entry is malformed");
    return static_cast<int32_t>(ReadBigEndian32(stored)) != at.partition ||
           static_cast<int64_t>(ReadBigEndian64(std::string_view(stored).substr(4))) != at.offset;
  }
  std::string position;
  AppendBigEndian32(&position, static_cast<uint32_t>(at.partition));
  AppendBigEndian64(&position, static_cast<uint64_t>(at.offset));
  batch.Put(family, key, position);
  if (!*has_newest || bucket > newest_bucket) {
    batch.Put(family, NewestKey(), BucketStart(bucket));
    // The entries of forgotten buckets are never read again (see above): the batch need not see
    // the range delete.
    if (bucket > kWindowBuckets) {
      batch.DeleteRange(family, BucketStart(0), BucketStart(bucket - kWindowBuckets));
    }
  }
  return false;
}

}  // namespace voxbase
