#include "projections/tables.h"

#include "schemas/ids.h"

namespace voxbase {

const std::vector<std::string>& FamilyNames() {
  static const std::vector<std::string> kNames = {
#define VOXBASE_TABLE_NAME(name, family) family,
      VOXBASE_TABLES(VOXBASE_TABLE_NAME)
#undef VOXBASE_TABLE_NAME
  };
  return kNames;
}

StoreOptions ProjectionStoreOptions(std::string path) {
  StoreOptions options;
  options.path = std::move(path);
  options.families = FamilyNames();
  // Session log rows (session_log.h): app id (20 bytes) | session id | NUL | run, late item or
  // head.
  for (Table table : {Table::kMessages, Table::kEvents}) {
    options.append_ordered.push_back({Family(table), kAppIdLength, '\0'});
  }
  return options;
}

}  // namespace voxbase
