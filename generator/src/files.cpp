#include "hardwire/gen/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "hardwire/gen/process.hpp"

namespace hardwire::gen {

namespace fs = std::filesystem;

namespace {

// Follows `path` through symbolic links (relative links resolve against their own directory) to the name that is
// actually written; a missing final target is fine (it will be created). A loop, or a chain longer than 40 links,
// is an error.
Result<fs::path> resolve_links(const std::string& path, const char* what) {
  fs::path p(path);
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::error_code ec;
    const fs::path link = fs::read_symlink(p, ec);
    if (ec) return Error{std::string("cannot write ") + what + " '" + path + "': " + ec.message()};
    p = link.is_absolute() ? link : (p.has_parent_path() ? p.parent_path() : fs::path(".")) / link;
  }
  return Error{std::string("cannot write ") + what + " '" + path +
               "': too many levels of symbolic links (a link loop?); fix the link or choose another path"};
}

Status write_all(int fd, const std::string& bytes, const std::string& path, const char* what) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(errno)};
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

// The descriptor a path names (-1 if it names none).
int descriptor_alias(const std::string& path) {
  if (path == "-" || path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (const char* prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    const std::string p(prefix);
    if (path.size() > p.size() && path.size() <= p.size() + 4 && path.compare(0, p.size(), p) == 0 &&
        path.find_first_not_of("0123456789", p.size()) == std::string::npos)
      return std::stoi(path.substr(p.size()));
  }
  return -1;
}

}  // namespace

Result<uint64_t> file_size(const std::string& path, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int e = errno;
    if (e == ELOOP)
      return Error{std::string("cannot open ") + what + " '" + path +
                   "': too many levels of symbolic links (a link loop?); fix the link"};
    if (e == ENOENT || e == ENOTDIR) return Error{std::string("cannot open ") + what + " '" + path + "': no such file"};
    return Error{std::string("cannot open ") + what + " '" + path + "': " + std::strerror(e)};
  }
  if (!S_ISREG(st.st_mode)) return Error{std::string(what) + " '" + path + "' is not a regular file"};
  return static_cast<uint64_t>(st.st_size);
}

Result<std::vector<char>> read_file(const std::string& path, const char* what) {
  auto size = file_size(path, what);
  if (!size) return size.error();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{std::string("cannot open ") + what + " '" + path + "': " + std::strerror(errno)};
  std::vector<char> data(*size);
  if (!data.empty() && !in.read(data.data(), static_cast<std::streamsize>(data.size())))
    return Error{std::string("cannot read ") + what + " '" + path + "': read failed"};
  return data;
}

Status write_file_atomic(const std::string& path, const std::string& bytes, const char* what) {
  // "-", /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: this process's own descriptor, written at its
  // current position (after what was printed before), never reopened.
  if (const int fd = descriptor_alias(path); fd >= 0) {
    std::fflush(stdout);
    return write_all(fd, bytes, path, what);
  }
  // A character device, FIFO or socket: written through, never replaced.
  struct stat st {};
  const bool special = ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
  auto resolved = special ? Result<fs::path>(fs::path(path)) : resolve_links(path, what);
  if (!resolved) return resolved.error();
  const fs::path target = *resolved;
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode))
    return Error{std::string("cannot write ") + what + " '" + path + "': it is a directory; give a file name"};
  if (special) {
    std::fflush(stdout);
    const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(errno)};
    const Status s = write_all(fd, bytes, path, what);
    ::close(fd);
    return s;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Error{std::string("cannot write ") + what + " '" + path + "': directory '" + dir.string() +
                 "' does not exist; create it first"};
  remove_stale_temporaries(target.string());
  const std::string tmp = temp_name_beside(target.string(), "tmp");
  TempGuard guard(tmp);
  const mode_t mode = exists ? (st.st_mode & 07777) : 0666;  // keep an existing file's permissions
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(errno) +
                 " (is the directory writable?)"};
  if (exists) {
    const int r = ::fchmod(fd, mode);  // not narrowed by the umask
    (void)r;
  }
  Status s = write_all(fd, bytes, path, what);
  if (::close(fd) != 0 && s.is_ok())
    s = Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(errno)};
  if (!s) {
    ::unlink(tmp.c_str());
    return s.error();
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(e)};
  }
  return Status::ok();
}

}  // namespace hardwire::gen

namespace hardwire::gen {

Status write_new_file(const std::string& path, const std::string& bytes, const char* what) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(errno)};
  Status s = write_all(fd, bytes, path, what);
  if (::close(fd) != 0 && s.is_ok())
    s = Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(errno)};
  return s;
}

}  // namespace hardwire::gen
