// hardwire/gen/files.hpp — reading and writing files with user-facing errors (paths and OS reasons named).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/status.hpp"

namespace hardwire::gen {

// Reads a whole file. The error names the path and the OS reason.
Result<std::vector<char>> read_file(const std::string& path, const char* what);
// Size of a regular file, or an error naming the path.
Result<uint64_t> file_size(const std::string& path, const char* what);
// Writes `bytes` to a temporary file beside `path`, then renames it into place: no half-written file remains.
Status write_file_atomic(const std::string& path, const std::string& bytes, const char* what);

}  // namespace hardwire::gen
