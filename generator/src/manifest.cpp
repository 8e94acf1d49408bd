#include "hardwire/gen/manifest.hpp"

#include <filesystem>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/files.hpp"
#include "json_input.hpp"

namespace hardwire::gen {

namespace fs = std::filesystem;

Result<Manifest> parse_manifest(const std::string& text) {
  auto parsed = parse_json_strict(text, "manifest.json");
  if (!parsed) return parsed.error();
  const auto& j = *parsed;
  auto bad = [](const std::string& what) {
    return Error{"manifest.json: " + what + "; the design is damaged: regenerate it with hardwire generate"};
  };
  if (!j.is_object()) return bad("not a JSON object");
  Manifest m;
  const auto h = j.find("content_hash");
  if (h == j.end() || !h->is_string() || h->get<std::string>().size() != 16 ||
      h->get<std::string>().find_first_not_of("0123456789abcdef") != std::string::npos)
    return bad("\"content_hash\" is missing or not 16 hex digits");
  m.content_hash = h->get<std::string>();
  const auto f = j.find("files");
  if (f == j.end() || !f->is_array()) return bad("\"files\" is missing or not a list");
  for (const auto& e : *f) {
    if (!e.is_object()) return bad("an entry of \"files\" is not an object");
    const auto p = e.find("path"), b = e.find("bytes"), x = e.find("fnv1a64");
    if (p == e.end() || !p->is_string() || b == e.end() || !b->is_number_unsigned() || x == e.end() ||
        !x->is_string())
      return bad("an entry of \"files\" lacks path, bytes or fnv1a64");
    ManifestFile mf;
    mf.path = p->get<std::string>();
    const fs::path fp(mf.path);
    bool inside = !mf.path.empty() && !fp.is_absolute() && mf.path.find('\0') == std::string::npos;
    for (const auto& part : fp) inside = inside && part != ".." && part != ".";
    if (!inside) return bad("file path '" + printable_snippet(mf.path) + "' is not inside the design directory");
    if (b->get<uint64_t>() > (uint64_t{1} << 40)) return bad("file size of '" + printable_snippet(mf.path) + "' is implausible");
    mf.bytes = static_cast<int64_t>(b->get<uint64_t>());
    mf.fnv1a64 = x->get<std::string>();
    m.files.push_back(std::move(mf));
  }
  return m;
}

Result<Manifest> read_manifest(const std::string& dir) {
  auto data = read_file((fs::path(dir) / "manifest.json").string(), "manifest");
  if (!data) return data.error();
  return parse_manifest(std::string(data->begin(), data->end()));
}

DesignIntegrity check_design_files(const std::string& dir, const Manifest& m) {
  DesignIntegrity r;
  for (const auto& f : m.files) {
    const std::string path = (fs::path(dir) / f.path).string();
    auto size = file_size(path, "design file");
    if (!size) {
      r.damaged = f.path + " is missing";
      return r;
    }
    if (static_cast<int64_t>(*size) != f.bytes) {
      r.damaged = f.path + " is " + std::to_string(*size) + " bytes, manifest.json says " + std::to_string(f.bytes) +
                  " (truncated or damaged)";
      return r;
    }
    if (f.path == "manifest.json") continue;
    auto data = read_file(path, "design file");
    if (!data) {
      r.damaged = f.path + " cannot be read";
      return r;
    }
    if (fnv1a64_hex(std::string(data->begin(), data->end())) != f.fnv1a64) r.edited.push_back(f.path);
  }
  return r;
}

}  // namespace hardwire::gen
