// LogFileOps: the calls the embedded log makes on its segment files while it runs: the real ones
// by default; a test replaces them to make the disk fill up, a sync fail, or to record what a
// power cut would keep (LevelDB's fault-injection Env does the same one level up).
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstddef>

namespace voxbase {

struct LogFileOps {
  ssize_t (*pwrite)(int fd, const void* data, size_t size, off_t offset) = &::pwrite;
  int (*fdatasync)(int fd) = &::fdatasync;
};

}  // namespace voxbase
