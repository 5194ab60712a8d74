#include "projections/dead_letters.h"

#include "projections/keys.h"
#include "projections/tables.h"

namespace voxbase {

Result<Page> DeadLettersView::List(size_t limit, std::string_view cursor) const {
  // Not per app: the whole family is one list, its cursor the hex of the next key.
  return ScanPage(
      store_, Family(Table::kDeadLetters), "", "", limit, cursor,
      [](std::string_view, std::string_view value) -> Result<std::optional<std::string>> {
        Result<std::string_view> json = DecodeValue(value);
        if (!json.ok()) return json.status();
        return std::optional<std::string>(std::string(*json));
      });
}

}  // namespace voxbase
