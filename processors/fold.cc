#include "processors/fold.h"

#include <deque>

namespace voxbase {
namespace {

// More row changes than any event makes: handlers that keep changing each other's rows.
constexpr size_t kMaxRowChanges = 4096;

// Passes everything to the batch, and queues the rows of watched tables that are put or deleted,
// with their value before the first change since the row handlers last saw them.
class RowTrackingBatch final : public StoreBatch {
 public:
  RowTrackingBatch(StoreBatch& batch, const FoldTable& folds) : batch_(batch), folds_(folds) {}

  void Put(int family, std::string_view key, std::string_view value) override {
    Track(family, key);
    batch_.Put(family, key, value);
  }
  void PutUnread(int family, std::string_view key, std::string_view value) override {
    Track(family, key);
    batch_.PutUnread(family, key, value);
  }
  void Delete(int family, std::string_view key) override {
    Track(family, key);
    batch_.Delete(family, key);
  }
  void DeleteRange(int family, std::string_view begin, std::string_view end) override {
    if (folds_.Watched(family) && status_.ok()) {
      status_ = Internal("rows of watched table " + FamilyNames()[static_cast<size_t>(family)] +
                         " were deleted by range: their handlers cannot be told which");
    }
    batch_.DeleteRange(family, begin, end);
  }
  Result<bool> Get(int family, std::string_view key, std::string* value) override {
    return batch_.Get(family, key, value);
  }
  size_t Count() const override { return batch_.Count(); }
  void SetSavePoint() override { batch_.SetSavePoint(); }
  Status RollbackToSavePoint() override { return batch_.RollbackToSavePoint(); }
  Status PopSavePoint() override { return batch_.PopSavePoint(); }

  const Status& status() const { return status_; }

  // The oldest queued change, with the row as it stands now; nullopt when none is queued.
  Result<std::optional<RowChange>> TakeNext() {
    if (pending_.empty()) return std::optional<RowChange>();
    RowChange change = std::move(pending_.front());
    pending_.pop_front();
    std::string after;
    Result<bool> found = batch_.Get(Family(change.table), change.key, &after);
    if (!found.ok()) return found.status();
    if (*found) change.after = std::move(after);
    return std::optional<RowChange>(std::move(change));
  }

 private:
  void Track(int family, std::string_view key) {
    if (!folds_.Watched(family) || !status_.ok()) return;
    for (const RowChange& queued : pending_) {
      if (Family(queued.table) == family && queued.key == key) return;  // its before stands
    }
    RowChange change{static_cast<Table>(family), std::string(key), std::nullopt, std::nullopt};
    std::string before;
    Result<bool> found = batch_.Get(family, key, &before);
    if (!found.ok()) {
      status_ = found.status();
      return;
    }
    if (*found) change.before = std::move(before);
    pending_.push_back(std::move(change));
  }

  StoreBatch& batch_;
  const FoldTable& folds_;
  std::deque<RowChange> pending_;
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
    Result<std::optional<RowChange>> change = tracked.TakeNext();
    if (!change.ok()) return change.status();
    if (!change->has_value()) return Status::Ok();
    if (dispatched == kMaxRowChanges) {
      return Internal("row handlers keep changing rows: a cycle between tables?");
    }
    for (RowFold fold : folds.RowHandlers((*change)->table)) VOX_RETURN_IF_ERROR(fold(c, **change));
  }
}

Status BadPayload(const DecodedEvent& event, std::string_view what) {
  return Corruption(std::string(EventTypeName(event.type)) + " event " + std::string(event.id) +
                    ": " + std::string(what));
}

}  // namespace voxbase
