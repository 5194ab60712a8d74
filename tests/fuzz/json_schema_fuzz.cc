// A tool's parametersSchema and a call's parameters, both from the input (split at the first
// newline): compiling and validating must give a Status, never a crash, a stack overflow or a
// stall, whatever patterns, formats and nesting the schema holds.
#include <string_view>

#include "ingest/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace voxbase;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  std::string_view schema_json = input.substr(0, newline);
  std::string_view parameters =
      newline == std::string_view::npos ? std::string_view("{}") : input.substr(newline + 1);
  Result<std::shared_ptr<const JsonSchema>> schema = JsonSchema::Compile(schema_json);
  if (!schema.ok()) return 0;
  (void)(*schema)->Validate(parameters, "parameters").ok();
  return 0;
}
