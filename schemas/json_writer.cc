#include "schemas/json_writer.h"

namespace voxbase {

std::string ErrorJson(std::string_view message) {
  JsonWriter w;
  w.BeginObject().Field("error", message).EndObject();
  return w.str();
}

}  // namespace voxbase
