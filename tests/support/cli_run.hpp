// Runs the `hardwire` binary as a user does: its exit status, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "support/tmpdir.hpp"

namespace hw_test {

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

// `hardwire <args>` with stdout and stderr captured in files of `tmp`; run from `cwd` when given (relative paths
// in args are then relative to it).
// Runs `hardwire ARGS` (from `cwd` if given; `prefix` goes before the binary: "HARDWIRE_SEED=1", "ulimit -v 1000;").
inline CliRun run_hardwire(const TmpDir& tmp, const std::string& args, const std::string& cwd = "",
                           const std::string& prefix = "") {
  const std::string out = tmp.file("stdout.txt"), err = tmp.file("stderr.txt");
  const std::string cmd = (cwd.empty() ? std::string() : "cd " + cwd + " && ") + "(" + prefix + " " +
                          std::string(HARDWIRE_BIN) + " " + args + ") >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_bytes(out);
  r.err = read_bytes(err);
  return r;
}

}  // namespace hw_test
