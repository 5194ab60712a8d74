// The segment log's recovery over arbitrary bytes: a segment file holding anything opens (and its
// records read back) or is refused with a reason, both without and with repair, never a crash.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "storage/segment_log.h"

namespace {

const std::string& Dir() {
  static const std::string dir = [] {
    char path[] = "/tmp/voxbase-fuzz-segment-XXXXXX";
    return std::string(::mkdtemp(path));
  }();
  return dir;
}

void Check(const std::string& dir, bool repair) {
  using namespace voxbase;
  // No preallocation: what is fuzzed is recovery (zeros come from the input); filling 8 MiB of
  // zeros ahead at every open would cost each run a large write and fsync.
  Result<std::unique_ptr<SegmentLog>> log =
      SegmentLog::Open({.dir = dir, .preallocate_bytes = 0, .repair = repair});
  if (!log.ok()) return;
  Result<std::unique_ptr<LogReader>> reader = (*log)->NewReader({0});
  if (reader.ok()) {
    while (true) {
      Result<std::vector<LogRecord>> batch = (*reader)->Poll(1000, std::chrono::milliseconds(0));
      if (!batch.ok() || batch->empty()) break;
    }
  }
  (*log)->Close();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& dir = Dir();
  for (const auto& e : std::filesystem::directory_iterator(dir)) std::filesystem::remove_all(e);
  {
    std::ofstream f(dir + "/00000000000000000000.log", std::ios::binary);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  Check(dir, false);
  Check(dir, true);
  return 0;
}
