#include "hardwire/gen/outdir.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "hardwire/gen/design.hpp"
#include "hardwire/gen/files.hpp"
#include "hardwire/gen/manifest.hpp"
#include "json_input.hpp"

namespace hardwire::gen {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMarkerFirstLine = "hardwire output directory v1";

struct Marker {
  std::set<std::string> files, trees;
};

// Parses and verifies a marker; nullopt if it is not one hardwire wrote.
std::optional<Marker> read_marker(const fs::path& path) {
  auto data = read_file(path.string(), "marker");
  if (!data || data->size() > (64u << 20)) return std::nullopt;
  const std::string text(data->begin(), data->end());
  const auto sig = text.rfind("signature ");
  if (sig == std::string::npos || text.rfind(kMarkerFirstLine, 0) != 0) return std::nullopt;
  if (text.substr(sig) != "signature " + fnv1a64_hex(text.substr(0, sig)) + "\n") return std::nullopt;
  Marker m;
  std::istringstream in(text.substr(0, sig));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("file ", 0) == 0) m.files.insert(line.substr(5));
    else if (line.rfind("tree ", 0) == 0) m.trees.insert(line.substr(5));
  }
  return m;
}

// A design written before the marker existed: its manifest.json (content hash, file list) names what hardwire
// wrote; the directory is hardwire's if that is all it holds (plus sim/, the simulator build).
std::optional<Marker> legacy_marker(const fs::path& root) {
  if (fs::exists(root / kOwnerMarker)) return std::nullopt;  // a marker that does not verify is never overruled
  auto m = read_manifest(root.string());
  if (!m) return std::nullopt;
  Marker mk;
  for (const auto& f : m->files) mk.files.insert(f.path);
  mk.files.insert("manifest.json");
  mk.trees.insert("sim");
  return mk;
}

std::string quoted(const std::string& s) { return "'" + printable_snippet(s, 400) + "'"; }

}  // namespace

std::string strip_trailing_slashes(const std::string& dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d;
}

std::string owner_marker_text(const std::vector<std::string>& files, const std::vector<std::string>& trees) {
  std::string t = std::string(kMarkerFirstLine) + "\n";
  t += "# Written by hardwire. hardwire replaces this directory only while everything in it is listed here: the\n"
       "# files it wrote, and the subtrees it owns whole. Anything else in it makes hardwire refuse to touch it.\n";
  std::vector<std::string> tr(trees), fi(files);
  std::sort(tr.begin(), tr.end());
  std::sort(fi.begin(), fi.end());
  for (const auto& d : tr) t += "tree " + d + "\n";
  for (const auto& f : fi) t += "file " + f + "\n";
  return t + "signature " + fnv1a64_hex(t) + "\n";
}

Result<DirState> check_owned(const std::string& dir_in, const char* what) {
  const std::string dir = strip_trailing_slashes(dir_in);
  const std::string pre = std::string(what) + " " + quoted(dir_in);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return DirState::kMissing;  // the parent path reports itself
    return Error{"cannot use " + pre + ": " + std::strerror(errno)};
  }
  if (S_ISLNK(st.st_mode))
    return Error{pre + " is a symbolic link; hardwire does not replace links: give the directory it points to"};
  if (!S_ISDIR(st.st_mode)) return Error{pre + " exists and is not a directory; choose another path"};
  std::error_code ec;
  if (fs::is_empty(dir, ec) && !ec) return DirState::kEmpty;
  const fs::path root(dir);
  auto marker = read_marker(root / kOwnerMarker);
  if (!marker) marker = legacy_marker(root);
  if (!marker) {
    return Error{pre + " exists and is not a hardwire output (no valid " + std::string(kOwnerMarker) +
                 " marker); choose another directory or remove it"};
  }
  std::set<std::string> dirs;  // every directory that holds a listed file
  for (const auto& f : marker->files)
    for (fs::path p = fs::path(f).parent_path(); !p.empty(); p = p.parent_path()) dirs.insert(p.string());
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return Error{"cannot read " + pre + ": " + ec.message()};
  for (; it != end; it.increment(ec)) {
    if (ec) return Error{"cannot read " + pre + ": " + ec.message()};
    const std::string rel = it->path().lexically_relative(root).string();
    const auto t = it->symlink_status(ec);
    const std::string top = rel.substr(0, rel.find('/'));
    if (marker->trees.count(top)) {
      if (fs::is_directory(t)) it.disable_recursion_pending();
      continue;
    }
    const bool ok = rel == kOwnerMarker ? fs::is_regular_file(t)
                    : fs::is_directory(t) ? dirs.count(rel) > 0
                                          : fs::is_regular_file(t) && marker->files.count(rel) > 0;
    if (!ok) {
      return Error{pre + " holds " + quoted(rel) +
                   ", which hardwire did not write; hardwire replaces only its own output: move that away or "
                   "choose another directory"};
    }
  }
  return DirState::kOwned;
}

Result<std::unique_ptr<StagedDir>> StagedDir::create(const std::string& dir, const char* what) {
  auto state = check_owned(dir, what);
  if (!state) return state.error();
  std::unique_ptr<StagedDir> s(new StagedDir);
  s->given_ = dir;
  s->target_ = fs::absolute(strip_trailing_slashes(dir)).lexically_normal().string();
  s->target_ = strip_trailing_slashes(s->target_);
  const fs::path target(s->target_);
  if (target.filename().empty() || target == target.root_path())
    return Error{std::string("cannot use ") + what + " '" + dir + "': give a directory below the file system root"};
  const fs::path parent = target.parent_path();
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) {
    fs::create_directories(parent, ec);  // like mkdir -p
    if (ec || !fs::is_directory(parent, ec)) {
      return Error{std::string("cannot create ") + what + " '" + dir + "': cannot create '" + parent.string() + "' (" +
                   (ec ? ec.message() : std::string("not a directory")) + ")"};
    }
  }
  remove_stale_temporaries(s->target_, kOwnerMarker);
  s->staging_ = temp_name_beside(s->target_, "tmp");
  if (fs::exists(fs::symlink_status(s->staging_, ec))) {  // a leftover of an earlier process with this PID
    if (!fs::is_directory(fs::symlink_status(s->staging_, ec)) ||
        !fs::is_regular_file(fs::path(s->staging_) / kOwnerMarker, ec))
      return Error{std::string("cannot create ") + what + " '" + dir + "': '" + s->staging_ +
                   "' is in the way and is not hardwire's; move it away"};
    fs::remove_all(s->staging_, ec);
  }
  s->guard_ = std::make_unique<TempGuard>(s->staging_);
  if (!fs::create_directory(s->staging_, ec)) {
    return Error{std::string("cannot create ") + what + " '" + dir + "': " + ec.message() +
                 " (is the parent directory writable?)"};
  }
  s->created_ = true;  // from here on the staging directory is this process's own
  // The marker first, so that a staging directory left by a killed run is recognisably ours.
  if (auto st = write_new_file(s->staging_ + "/" + kOwnerMarker, owner_marker_text({}, {}), "marker"); !st) {
    return st.error();
  }
  return s;
}

StagedDir::~StagedDir() {
  if (created_ && !committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

Status StagedDir::write(const std::string& rel, const std::string& content) {
  const fs::path p = fs::path(staging_) / rel;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) return Error{"cannot create '" + p.parent_path().string() + "': " + ec.message()};
  HW_TRY(write_new_file(p.string(), content, "generated file"));
  files_.push_back(rel);
  return Status::ok();
}

Status StagedDir::commit(const std::vector<std::string>& trees) {
  const std::string marker = staging_ + "/" + kOwnerMarker;
  std::error_code ec;
  fs::remove(marker, ec);
  HW_TRY(write_new_file(marker, owner_marker_text(files_, trees), "marker"));
  // Checked again: another process may have written into the target meanwhile.
  auto state = check_owned(target_, "output directory");
  if (!state) return state.error();
  const std::string old = temp_name_beside(target_, "old");
  TempGuard old_guard(old);
  if (*state != DirState::kMissing && ::rename(target_.c_str(), old.c_str()) != 0)
    return Error{"cannot replace '" + given_ + "': " + std::strerror(errno)};
  if (::rename(staging_.c_str(), target_.c_str()) != 0) {
    const int e = errno;
    if (*state != DirState::kMissing) (void)::rename(old.c_str(), target_.c_str());  // put the old one back
    return Error{"cannot move the generated design into '" + given_ + "': " + std::strerror(e)};
  }
  committed_ = true;
  fs::remove_all(old, ec);
  return Status::ok();
}

Status claim_directory(const std::string& dir, const std::vector<std::string>& trees, const char* what) {
  auto state = check_owned(dir, what);
  if (!state) return state.error();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{std::string("cannot create ") + what + " '" + dir + "': " + ec.message()};
  return write_file_atomic((fs::path(strip_trailing_slashes(dir)) / kOwnerMarker).string(),
                           owner_marker_text({}, trees), "marker");
}

}  // namespace hardwire::gen
