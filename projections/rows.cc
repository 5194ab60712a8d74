#include "projections/rows.h"

namespace voxbase {

Result<simdjson::dom::object> ParseStoredRow(simdjson::dom::parser& parser, std::string_view stored,
                                             char version) {
  Result<std::string_view> json = DecodeValue(stored, version);
  if (!json.ok()) return json.status();
  simdjson::dom::object obj;
  if (parser.parse(json->data(), json->size()).get(obj)) {
    return Corruption("stored row is not a JSON object");
  }
  return obj;
}

std::string StringField(simdjson::dom::object obj, std::string_view name) {
  std::string_view v;
  if (obj[name].get(v)) return {};
  return std::string(v);
}

int64_t IntField(simdjson::dom::object obj, std::string_view name) {
  int64_t v = 0;
  if (obj[name].get(v)) return 0;
  return v;
}

}  // namespace voxbase
