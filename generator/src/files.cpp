#include "hardwire/gen/files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace hardwire::gen {

namespace fs = std::filesystem;

Result<uint64_t> file_size(const std::string& path, const char* what) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return Error{std::string("cannot open ") + what + " '" + path + "': no such file"};
  if (!fs::is_regular_file(st)) return Error{std::string(what) + " '" + path + "' is not a regular file"};
  const auto n = fs::file_size(path, ec);
  if (ec) return Error{std::string("cannot read ") + what + " '" + path + "': " + ec.message()};
  return static_cast<uint64_t>(n);
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
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Error{std::string("cannot write ") + what + " '" + path + "': directory '" + dir.string() +
                 "' does not exist; create it first"};
  const std::string tmp = (dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      return Error{std::string("cannot write ") + what + " '" + path + "': " + std::strerror(errno) +
                   " (is the directory writable?)"};
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      return Error{std::string("cannot write ") + what + " '" + path + "': write failed (disk full?)"};
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ec2;
    fs::remove(tmp, ec2);
    return Error{std::string("cannot write ") + what + " '" + path + "': " + ec.message()};
  }
  return Status::ok();
}

}  // namespace hardwire::gen
