// hardwire/gen/files.hpp — reading and writing files with user-facing errors (paths and OS reasons named).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/status.hpp"

namespace hardwire::gen {

// Reads a whole file. The error names the path and the OS reason (a missing file, a link loop, not a file).
Result<std::vector<char>> read_file(const std::string& path, const char* what);
// Size of a regular file, or an error naming the path.
Result<uint64_t> file_size(const std::string& path, const char* what);
// Writes a report or an image to `path` without ever leaving a half-written file and without replacing anything
// that is not a regular file:
//   "-", /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N
//                                 that descriptor of this process, at its position (never reopened or truncated)
//   a symbolic link               followed (a chain of them too); the file it names is written, the link stays
//   a character device, a FIFO    written through (e.g. /dev/null, /dev/stdout, a named pipe), never replaced
//   a regular file, or nothing    written to a temporary file beside it that is then renamed into place; an
//                                 existing file keeps its permissions
//   a directory                   an error
Status write_file_atomic(const std::string& path, const std::string& bytes, const char* what);
// Creates a new file in a directory this process created itself (fails if it exists).
Status write_new_file(const std::string& path, const std::string& bytes, const char* what);

}  // namespace hardwire::gen
