// hardwire/gen/outdir.hpp — output directories that hardwire owns, and never anything else.
//
// Every directory hardwire writes (a `generate` design, `sim`'s design, `synth --work`) carries a marker file,
// .hardwire-output, that starts with a fixed line, lists every file hardwire wrote there (and the subtrees it owns
// whole, such as sim/, the simulator build) and ends with a signature over that list. hardwire replaces or writes
// into a directory only if it does not exist, is empty, or holds a valid marker and nothing that the marker does not
// list; anything else is refused with an error that names the first foreign entry.
//
// A new design is written into a staging directory ".NAME.tmp.PID" beside the target (removed on error or on an
// interrupt, and by a later run if this process was killed) and then renamed into place, so a failed run leaves the
// previous design, or nothing, behind.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hardwire/gen/process.hpp"
#include "hardwire/status.hpp"

namespace hardwire::gen {

inline constexpr const char* kOwnerMarker = ".hardwire-output";

// The marker's text for these files and owned subtrees (paths relative to the directory, '/'-separated).
std::string owner_marker_text(const std::vector<std::string>& files, const std::vector<std::string>& trees);

// What a directory holds, as far as hardwire is concerned.
enum class DirState { kMissing, kEmpty, kOwned };
// kMissing / kEmpty / kOwned, or an error naming why hardwire must not touch it. `what` names the option
// ("output directory", "work directory").
Result<DirState> check_owned(const std::string& dir, const char* what);

// A directory being written: staged beside the target, committed by rename.
class StagedDir {
 public:
  // Checks the target (check_owned), removes stale staging directories of dead processes, creates missing parent
  // directories (like mkdir -p) and the staging directory.
  static Result<std::unique_ptr<StagedDir>> create(const std::string& dir, const char* what);
  ~StagedDir();
  // Writes one file (relative path; parent directories are created).
  Status write(const std::string& rel, const std::string& content);
  // Writes the marker (every file written so far, plus `trees`) and renames the staging directory into place,
  // replacing the previous hardwire output there.
  Status commit(const std::vector<std::string>& trees);

 private:
  StagedDir() = default;
  std::string given_, target_, staging_;
  std::vector<std::string> files_;
  std::unique_ptr<TempGuard> guard_;
  bool created_ = false, committed_ = false;
};

// Creates `dir` if needed and writes a marker that owns `trees` (subdirectories hardwire then fills directly), after
// check_owned. For `synth --work`.
Status claim_directory(const std::string& dir, const std::vector<std::string>& trees, const char* what);

// `dir` as given, without trailing slashes ("out/" -> "out"; "/" stays "/").
std::string strip_trailing_slashes(const std::string& dir);

}  // namespace hardwire::gen
