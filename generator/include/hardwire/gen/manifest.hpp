// hardwire/gen/manifest.hpp — reading back a generated design's manifest.json (what `sim` reuses and checks).
//
// parse_manifest() accepts only what `hardwire generate` writes: a JSON object (at most 64 levels deep, no
// duplicate keys) with a 16-hex-digit "content_hash" and a "files" list of {path, bytes, fnv1a64}, each path
// relative, inside the directory ('..' and absolute paths are rejected). Anything else is an error naming the field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hardwire/status.hpp"

namespace hardwire::gen {

struct ManifestFile {
  std::string path;
  int64_t bytes = 0;
  std::string fnv1a64;
};
struct Manifest {
  std::string content_hash;
  std::vector<ManifestFile> files;
};

Result<Manifest> parse_manifest(const std::string& text);
// Reads <dir>/manifest.json.
Result<Manifest> read_manifest(const std::string& dir);

struct DesignIntegrity {
  std::string damaged;              // first missing or resized file, described; empty if none
  std::vector<std::string> edited;  // files of the listed size whose content differs (edited in place)
};
DesignIntegrity check_design_files(const std::string& dir, const Manifest& m);

}  // namespace hardwire::gen
