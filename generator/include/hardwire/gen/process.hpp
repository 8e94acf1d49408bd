// hardwire/gen/process.hpp — the process around the libraries: interrupts, temporaries, child processes.
//
// Contract:
//  * install_signal_handlers() (called once by the CLI): SIGPIPE is ignored (a dead child's pipe gives EPIPE, not a
//    silent exit 141); SIGINT, SIGTERM and SIGHUP stop every registered child process group, remove every
//    registered temporary path, print one line and exit with 128 + the signal (130 for Ctrl-C).
//  * TempGuard registers a path that this process created and that must not outlive it (a temporary directory
//    or file); the guard unregisters it when it goes out of scope (after a rename, the path no longer exists).
//    Only paths the tool created itself are ever registered: the handler removes nothing else.
//  * run_command() runs a shell command in its own process group, registered so that an interrupt stops it too,
//    and describes how it ended ("exit 2", "killed by signal 9").
//  * remove_stale_temporaries() removes what a killed earlier run left beside a target: entries named
//    ".NAME.tmp.PID" / ".NAME.old.PID" whose process PID no longer exists.
#pragma once

#include <string>

#include "hardwire/status.hpp"

namespace hardwire::gen {

void install_signal_handlers();

class TempGuard {
 public:
  explicit TempGuard(const std::string& path);
  ~TempGuard();
  TempGuard(const TempGuard&) = delete;
  TempGuard& operator=(const TempGuard&) = delete;

 private:
  int slot_ = -1;
};

struct CommandResult {
  bool ok = false;          // exited with status 0
  std::string how;          // "exit 0", "exit 2", "killed by signal 9 (Killed)"
};
// Runs `/bin/sh -c command` in its own process group and waits for it.
Result<CommandResult> run_command(const std::string& command);

// Registers / unregisters a child process group that an interrupt must stop (run_command does this itself).
void register_child(int pgid);
void unregister_child(int pgid);

// A temporary name beside `target`: "<parent>/.<name>.<kind>.<pid>".
std::string temp_name_beside(const std::string& target, const std::string& kind);
// Removes "<parent>/.<name>.tmp.<pid>" and ".old.<pid>" entries beside `target` left by processes that no longer
// exist. Directories are removed only if they hold `marker` (when given), so nothing of a user's is touched.
void remove_stale_temporaries(const std::string& target, const std::string& marker = "");

// Describes a wait() status: "exit 1", "killed by signal 11 (Segmentation fault)".
std::string describe_wait_status(int status);

}  // namespace hardwire::gen
