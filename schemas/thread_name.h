// NameThisThread: names the calling thread (at most 15 bytes are kept), so that `top -H`, perf
// and gdb tell the log writer, the appliers and the HTTP threads apart.
#pragma once

#include <string_view>

namespace voxbase {

void NameThisThread(std::string_view name);

}  // namespace voxbase
