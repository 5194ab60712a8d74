#include "projections/dead_letters.h"

#include "projections/keys.h"
#include "projections/tables.h"

namespace voxbase {

Result<std::vector<std::string>> DeadLettersView::List(size_t limit) const {
  std::vector<std::string> rows;
  auto it = store_.NewIterator(Family(Table::kDeadLetters));
  for (it->SeekToFirst(); it->Valid() && rows.size() < limit; it->Next()) {
    Result<std::string_view> json = DecodeValue(it->value());
    if (!json.ok()) return json.status();
    rows.emplace_back(*json);
  }
  VOX_RETURN_IF_ERROR(it->status());
  return rows;
}

}  // namespace voxbase
