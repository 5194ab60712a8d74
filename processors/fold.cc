#include "processors/fold.h"

namespace voxbase {

void FoldTable::Register(EventType type, Fold fold) {
  Fold& slot = folds_[static_cast<size_t>(type)];
  if (slot != nullptr && twice_.empty()) twice_ = std::string(EventTypeName(type));
  slot = fold;
}

Status FoldTable::Check() const {
  if (!twice_.empty()) return Internal("event type " + twice_ + " has two folds");
  for (EventType type : AllEventTypes()) {
    if (Find(type) == nullptr) {
      return Internal("event type " + std::string(EventTypeName(type)) + " has no fold");
    }
  }
  return Status::Ok();
}

Status BadPayload(const DecodedEvent& event, std::string_view what) {
  return Corruption(std::string(EventTypeName(event.type)) + " event " + std::string(event.id) +
                    ": " + std::string(what));
}

}  // namespace voxbase
