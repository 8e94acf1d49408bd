// Runs the `hardwire` binary as a user does: its exit status, stdout and stderr.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

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

// Starts `hardwire ARGS` in the background, in the test's directory, stdout and stderr to `log` there; returns its
// pid (for signals and waitpid). With `wait_fd` >= 0 the child first waits for one byte on it (so the test can
// prepare something that depends on the child's pid).
inline pid_t spawn_hardwire(const TmpDir& tmp, const std::vector<std::string>& args, const std::string& log = "out.txt",
                            int wait_fd = -1) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  char c;
  if (wait_fd >= 0 && ::read(wait_fd, &c, 1) != 1) ::_exit(126);
  if (::chdir(tmp.path().c_str()) != 0) ::_exit(126);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(fd, 1);
  ::dup2(fd, 2);
  std::vector<char*> argv{const_cast<char*>(HARDWIRE_BIN)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(HARDWIRE_BIN, argv.data());
  ::_exit(127);
}

}  // namespace hw_test
