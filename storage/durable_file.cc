#include "storage/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace voxbase {
namespace {

Status Errno(const std::string& what) { return IOError(what + ": " + std::strerror(errno)); }

}  // namespace

Status WriteFileDurably(const std::string& path, std::string_view bytes) {
  const std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create " + temp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      Status failed = Errno("cannot write " + temp);
      ::close(fd);
      return failed;
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return IOError("cannot sync " + temp);
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return IOError("cannot rename " + temp + ": " + ec.message());
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return SyncDirectory(dir.empty() ? "." : dir);
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced ? Status::Ok() : Errno("fsync " + dir);
}

}  // namespace voxbase
