#include "processors/fold.h"

namespace voxbase {
namespace {

// More row changes than any event makes: handlers that keep changing each other's rows.
constexpr size_t kMaxRowChanges = 4096;

// Passes everything to the batch, and queues the rows of watched tables that are put or deleted:
// each with its value before the first change since the row handlers last saw it (the value a
// handler read just before, when it did — folds read before they write — else read here) and its
// value after the last change (kept as it is written, so the row is not read back).
class RowTrackingBatch final : public ForwardingBatch {
 public:
  RowTrackingBatch(StoreBatch& batch, const FoldTable& folds)
      : ForwardingBatch(batch), folds_(folds) {}

  void Put(int family, std::string_view key, std::string_view value) override {
    Track(family, key, value);
    inner_.Put(family, key, value);
  }
  void PutUnread(int family, std::string_view key, std::string_view value) override {
    Track(family, key, value);
    inner_.PutUnread(family, key, value);
  }
  void Delete(int family, std::string_view key) override {
    Track(family, key, std::nullopt);
    inner_.Delete(family, key);
  }
  void DeleteRange(int family, std::string_view begin, std::string_view end) override {
    if (folds_.Watched(family) && status_.ok()) {
      status_ = Internal("rows of watched table " + FamilyNames()[static_cast<size_t>(family)] +
                         " were deleted by range: their handlers cannot be told which");
    }
    inner_.DeleteRange(family, begin, end);
  }
  Result<bool> Get(int family, std::string_view key, std::string* value) override {
    Result<bool> found = inner_.Get(family, key, value);
    if (found.ok() && folds_.Watched(family) && Pending(family, key) == nullptr) {
      read_ = RowRead{family, std::string(key),
                      *found ? std::optional<std::string>(*value) : std::nullopt};
    }
    return found;
  }
  const Status& status() const { return status_; }

  // The oldest queued change; nullopt when none is queued.
  std::optional<RowChange> TakeNext() {
    if (next_ == pending_.size()) return std::nullopt;
    return std::move(pending_[next_++]);
  }

 private:
  struct RowRead {
    int family = -1;
    std::string key;
    std::optional<std::string> value;
  };

  RowChange* Pending(int family, std::string_view key) {
    for (size_t i = next_; i < pending_.size(); ++i) {
      if (Family(pending_[i].table) == family && pending_[i].key == key) return &pending_[i];
    }
    return nullptr;
  }

  void Track(int family, std::string_view key, std::optional<std::string_view> value) {
    if (!folds_.Watched(family) || !status_.ok()) return;
    auto after = value ? std::optional<std::string>(*value) : std::nullopt;
    if (RowChange* queued = Pending(family, key)) {
      queued->after = std::move(after);  // its before stands
      return;
    }
    RowChange change{static_cast<Table>(family), std::string(key), std::nullopt, std::move(after)};
    if (read_.family == family && read_.key == key) {
      change.before = std::move(read_.value);
    } else {
      std::string before;
      Result<bool> found = inner_.Get(family, key, &before);
      if (!found.ok()) {
        status_ = found.status();
        return;
      }
      if (*found) change.before = std::move(before);
    }
    read_ = RowRead{};
    pending_.push_back(std::move(change));
  }

  const FoldTable& folds_;
  std::vector<RowChange> pending_;
  size_t next_ = 0;  // pending_[next_..] are not handed over yet
  RowRead read_;     // the last watched row read and not yet changed
  Status status_;
};

}  // namespace

void FoldTable::On(EventType type, Fold fold) { folds_[static_cast<size_t>(type)].push_back(fold); }

void FoldTable::OnRowChanged(Table table, RowFold fold) {
  row_folds_[static_cast<size_t>(table)].push_back(fold);
}

Status FoldTable::Check() const {
  for (EventType type : AllEventTypes()) {
    if (Handlers(type).empty()) {
      return Internal("event type " + std::string(EventTypeName(type)) + " has no fold");
    }
  }
  return Status::Ok();
}

Status ApplyFolds(const FoldTable& folds, const FoldContext& context) {
  RowTrackingBatch tracked(context.batch, folds);
  const FoldContext c{context.event, context.position, tracked, context.row_parser};
  for (Fold fold : folds.Handlers(context.event.type)) VOX_RETURN_IF_ERROR(fold(c));
  for (size_t dispatched = 0;; ++dispatched) {
    VOX_RETURN_IF_ERROR(tracked.status());
    std::optional<RowChange> change = tracked.TakeNext();
    if (!change) return Status::Ok();
    if (dispatched == kMaxRowChanges) {
      return Internal("row handlers keep changing rows: a cycle between tables?");
    }
    for (RowFold fold : folds.RowHandlers(change->table)) VOX_RETURN_IF_ERROR(fold(c, *change));
  }
}

Status BadPayload(const DecodedEvent& event, std::string_view what) {
  return Corruption(std::string(EventTypeName(event.type)) + " event " + std::string(event.id) +
                    ": " + std::string(what));
}

}  // namespace voxbase
