// Vectors inside events: float32, little-endian, base64 (OpenSSL's encoder). Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schemas/status.h"

namespace voxbase {

std::string EncodeVector(const std::vector<float>& v);
// Refuses anything but exactly `dims` floats (dims 0: any count).
Result<std::vector<float>> DecodeVector(std::string_view base64, size_t dims = 0);

}  // namespace voxbase
