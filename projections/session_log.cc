#include "projections/session_log.h"

#include <algorithm>
#include <compare>
#include <memory>
#include <optional>

namespace voxbase {
namespace {

constexpr char kAloneMarker = '\xFE';
constexpr char kHeadMarker = '\xFF';
constexpr size_t kPlaceBytes = 20;
constexpr size_t kRunItemHeaderBytes = 16;  // be64 time | be32 index | be32 JSON size

struct Place {
  int64_t time = 0;
  int64_t offset = 0;
  uint32_t index = 0;
  auto operator<=>(const Place&) const = default;
};

void AppendPlace(std::string* out, const Place& place) {
  // Times and offsets are never negative, so the casts keep their order.
  AppendBigEndian64(out, static_cast<uint64_t>(place.time));
  AppendBigEndian64(out, static_cast<uint64_t>(place.offset));
  AppendBigEndian32(out, place.index);
}

Place ReadPlace(std::string_view bytes) {
  return {static_cast<int64_t>(ReadBigEndian64(bytes)),
          static_cast<int64_t>(ReadBigEndian64(bytes.substr(8))),
          ReadBigEndian32(bytes.substr(16))};
}

std::string KeyAt(std::string_view prefix, const Place& place) {
  std::string key(prefix);
  AppendPlace(&key, place);
  return key;
}

bool IsRunKey(std::string_view key, std::string_view prefix) {
  return key.size() == prefix.size() + kPlaceBytes && key.starts_with(prefix) &&
         static_cast<unsigned char>(key[prefix.size()]) < static_cast<unsigned char>(kAloneMarker);
}

std::string EncodeRun(const std::vector<SessionLogItem>& items, size_t first) {
  size_t bytes = 5;
  for (size_t i = first; i < items.size(); ++i) bytes += kRunItemHeaderBytes + items[i].json.size();
  std::string value;
  value.reserve(bytes);
  value.push_back(kSessionLogRunVersion);
  AppendBigEndian32(&value, static_cast<uint32_t>(items.size() - first));
  for (size_t i = first; i < items.size(); ++i) {
    AppendBigEndian64(&value, static_cast<uint64_t>(items[i].time));
    AppendBigEndian32(&value, items[i].index);
    AppendBigEndian32(&value, static_cast<uint32_t>(items[i].json.size()));
    value.append(items[i].json);
  }
  return value;
}

struct RunItem {
  Place place;
  std::string_view json;  // inside the iterator's current value
};

// The items of the run row at the iterator, in place order.
Status DecodeRun(std::string_view key, std::string_view value, std::string_view prefix,
                 std::vector<RunItem>* items) {
  items->clear();
  const Place first = ReadPlace(key.substr(prefix.size()));
  if (value.size() < 5 || value[0] != kSessionLogRunVersion) {
    // Also what projections written before runs hold: `voxbase replay` rebuilds them.
    return Corruption("session log row is not a run");
  }
  uint32_t count = ReadBigEndian32(value.substr(1));
  value.remove_prefix(5);
  for (uint32_t i = 0; i < count; ++i) {
    if (value.size() < kRunItemHeaderBytes) return Corruption("session log run is cut short");
    Place place{static_cast<int64_t>(ReadBigEndian64(value)), first.offset,
                ReadBigEndian32(value.substr(8))};
    uint32_t size = ReadBigEndian32(value.substr(12));
    value.remove_prefix(kRunItemHeaderBytes);
    if (value.size() < size) return Corruption("session log run is cut short");
    items->push_back({place, value.substr(0, size)});
    value.remove_prefix(size);
  }
  return Status::Ok();
}

// Items of runs in place order, from a given place on.
class RunStream {
 public:
  RunStream(std::unique_ptr<StoreIterator> it, std::string_view prefix)
      : it_(std::move(it)), prefix_(prefix) {}

  // Positions on the first item at or after `start`: in the run that holds it, or the next run.
  Status Start(const Place& start) {
    const std::string target = KeyAt(prefix_, start);
    it_->SeekForPrev(target);
    if (!(it_->Valid() && IsRunKey(it_->key(), prefix_))) it_->Seek(target);
    VOX_RETURN_IF_ERROR(Load());
    while (valid() && place() < start) VOX_RETURN_IF_ERROR(Next());
    return Status::Ok();
  }
  bool valid() const { return pos_ < items_.size(); }
  const Place& place() const { return items_[pos_].place; }
  std::string_view json() const { return items_[pos_].json; }
  Status Next() {
    if (++pos_ < items_.size()) return Status::Ok();
    it_->Next();
    return Load();
  }

 private:
  // Decodes the run at the iterator, skipping empty ones; leaves valid() false past the last.
  Status Load() {
    pos_ = 0;
    items_.clear();
    for (; it_->Valid() && IsRunKey(it_->key(), prefix_); it_->Next()) {
      VOX_RETURN_IF_ERROR(DecodeRun(it_->key(), it_->value(), prefix_, &items_));
      if (!items_.empty()) return Status::Ok();
    }
    return it_->status();
  }

  std::unique_ptr<StoreIterator> it_;
  std::string_view prefix_;
  std::vector<RunItem> items_;
  size_t pos_ = 0;
};

}  // namespace

std::string SessionLogPrefix(std::string_view app_id, std::string_view session_id) {
  std::string key;
  key.reserve(app_id.size() + session_id.size() + 1);
  key.append(app_id).append(session_id).push_back('\0');
  return key;
}

Status AppendSessionLog(StoreBatch& batch, int family, std::string_view app_id,
                        std::string_view session_id, int64_t log_offset,
                        std::vector<SessionLogItem>& items) {
  if (items.empty()) return Status::Ok();
  for (const SessionLogItem& item : items) {
    // A run key must not start with the late or head marker (see session_log.h).
    if (item.time < 0 || static_cast<uint64_t>(item.time) >> 56 >= 0xFE) {
      return InvalidArgument("session log time is out of range");
    }
  }
  std::sort(items.begin(), items.end(), [](const SessionLogItem& a, const SessionLogItem& b) {
    return std::tie(a.time, a.index) < std::tie(b.time, b.index);
  });
  const std::string prefix = SessionLogPrefix(app_id, session_id);
  if (items.size() == 1) {  // alone: no run, no head to read
    batch.PutUnread(family,
                    KeyAt(prefix + kAloneMarker, {items[0].time, log_offset, items[0].index}),
                    EncodeValue(items[0].json, kSessionLogItemVersion));
    return Status::Ok();
  }
  const std::string head_key = prefix + kHeadMarker;
  std::string head_value;
  Result<bool> found = batch.Get(family, head_key, &head_value);
  if (!found.ok()) return found.status();
  if (*found && head_value.size() != kPlaceBytes) return Corruption("session log head is damaged");
  const std::optional<Place> head =
      *found ? std::optional<Place>(ReadPlace(head_value)) : std::nullopt;

  // Items sort by (time, index) and share the offset, so those placed before the head come first.
  size_t first = 0;
  for (; first < items.size() && head &&
         Place{items[first].time, log_offset, items[first].index} <= *head;
       ++first) {
    const SessionLogItem& item = items[first];
    batch.PutUnread(family, KeyAt(prefix + kAloneMarker, {item.time, log_offset, item.index}),
                    EncodeValue(item.json, kSessionLogItemVersion));
  }
  if (first == items.size()) return Status::Ok();
  // Keyed by the log position: written once, never read back by a fold in the same batch.
  batch.PutUnread(family, KeyAt(prefix, {items[first].time, log_offset, items[first].index}),
                  EncodeRun(items, first));
  std::string last;
  AppendPlace(&last, {items.back().time, log_offset, items.back().index});
  batch.Put(family, head_key, last);
  return Status::Ok();
}

Result<Page> SessionLogView::List(std::string_view app_id, std::string_view session_id,
                                  size_t limit, std::string_view cursor) const {
  const std::string prefix = SessionLogPrefix(app_id, session_id);
  Place start;
  if (!cursor.empty()) {
    Result<std::string> key = CursorKey(cursor, app_id, prefix);
    if (!key.ok()) return key.status();
    if (key->size() != prefix.size() + kPlaceBytes) return InvalidArgument("cursor is not valid");
    start = ReadPlace(std::string_view(*key).substr(prefix.size()));
  }

  // One iterator, so one snapshot, serves both streams: first up to a page and one more of the
  // items alone, copied, then the runs.
  const std::string alone_prefix = prefix + kAloneMarker;
  std::unique_ptr<StoreIterator> it = store_.NewGroupIterator(family_, prefix);
  struct AloneItem {
    Place place;
    std::string json;  // a copy: the iterator moves on
  };
  std::vector<AloneItem> alone;
  for (it->Seek(KeyAt(alone_prefix, start)); it->Valid() && alone.size() <= limit; it->Next()) {
    std::string_view key = it->key();
    if (!key.starts_with(alone_prefix)) break;
    if (key.size() != alone_prefix.size() + kPlaceBytes) {
      return Corruption("session log item key is damaged");
    }
    Result<std::string_view> json = DecodeValue(it->value(), kSessionLogItemVersion);
    if (!json.ok()) return json.status();
    alone.push_back({ReadPlace(key.substr(alone_prefix.size())), std::string(*json)});
  }
  VOX_RETURN_IF_ERROR(it->status());
  RunStream runs(std::move(it), prefix);
  VOX_RETURN_IF_ERROR(runs.Start(start));

  // At most `limit` rows are taken, so the copied items alone always hold the next one.
  Page page;
  size_t next_alone = 0;
  while (true) {
    const bool has_alone = next_alone < alone.size();
    if (!runs.valid() && !has_alone) break;
    const bool take_alone = has_alone && (!runs.valid() || alone[next_alone].place < runs.place());
    const Place& next = take_alone ? alone[next_alone].place : runs.place();
    if (page.rows.size() == limit) {
      page.next_cursor = MakeCursor(KeyAt(prefix, next), app_id);
      break;
    }
    if (take_alone) {
      page.rows.push_back(std::move(alone[next_alone++].json));
    } else {
      page.rows.emplace_back(runs.json());
      VOX_RETURN_IF_ERROR(runs.Next());
    }
  }
  return page;
}

}  // namespace voxbase
