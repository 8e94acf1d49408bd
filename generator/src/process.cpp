#include "hardwire/gen/process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <ctime>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <filesystem>

namespace hardwire::gen {

namespace fs = std::filesystem;

namespace {

// The registries are fixed-size arrays of plain characters, so the signal handler reads them without allocating.
constexpr int kMaxTemps = 32;
constexpr int kMaxPath = 4096;
constexpr int kMaxChildren = 64;  // run_command from several threads (synth --jobs) at once
char g_temps[kMaxTemps][kMaxPath];
volatile sig_atomic_t g_temp_used[kMaxTemps];
volatile sig_atomic_t g_children[kMaxChildren];

// Blocks the handled signals while a registry entry changes, so the handler never sees half an entry.
class BlockSignals {
 public:
  BlockSignals() {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    sigaddset(&s, SIGHUP);
    sigprocmask(SIG_BLOCK, &s, &old_);
  }
  ~BlockSignals() { sigprocmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

void write_str(const char* s) {
  const ssize_t r = ::write(2, s, std::strlen(s));
  (void)r;
}

// Async-signal-safe: kill, fork, execv, waitpid, write, _exit only.
void on_signal(int sig) {
  for (int i = 0; i < kMaxChildren; ++i)
    if (g_children[i] > 0) ::kill(-static_cast<pid_t>(g_children[i]), SIGTERM);
  // Wait for them, at most about 2 s each; one that ignores SIGTERM gets SIGKILL.
  for (int i = 0; i < kMaxChildren; ++i) {
    if (g_children[i] <= 0) continue;
    const pid_t pid = static_cast<pid_t>(g_children[i]);
    int tries = 0;
    while (::waitpid(pid, nullptr, WNOHANG) == 0 && tries++ < 200) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      ::nanosleep(&ts, nullptr);
    }
    if (tries > 200) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  char* argv[kMaxTemps + 4];
  int n = 0;
  argv[n++] = const_cast<char*>("rm");
  argv[n++] = const_cast<char*>("-rf");
  argv[n++] = const_cast<char*>("--");
  for (int i = 0; i < kMaxTemps; ++i)
    if (g_temp_used[i]) argv[n++] = g_temps[i];
  argv[n] = nullptr;
  if (n > 3) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execv("/bin/rm", argv);
      ::_exit(127);
    }
    if (pid > 0) ::waitpid(pid, nullptr, 0);
  }
  write_str(sig == SIGINT ? "\nhardwire: interrupted (SIGINT); temporary files removed\n"
            : sig == SIGTERM ? "hardwire: terminated (SIGTERM); temporary files removed\n"
                             : "hardwire: hung up (SIGHUP); temporary files removed\n");
  ::_exit(128 + sig);
}

}  // namespace

void install_signal_handlers() {
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGHUP);
  sa.sa_flags = 0;
  for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &sa, nullptr);
}

TempGuard::TempGuard(const std::string& path) {
  const std::string abs = fs::absolute(path).lexically_normal().string();
  if (abs.size() + 1 > static_cast<size_t>(kMaxPath)) return;
  BlockSignals b;
  for (int i = 0; i < kMaxTemps; ++i) {
    if (!g_temp_used[i]) {
      std::memcpy(g_temps[i], abs.c_str(), abs.size() + 1);
      g_temp_used[i] = 1;
      slot_ = i;
      return;
    }
  }
}

TempGuard::~TempGuard() {
  if (slot_ < 0) return;
  BlockSignals b;
  g_temp_used[slot_] = 0;
}

// Registration from several threads: the slots are taken under a lock (the signal handler only reads them).
std::mutex g_children_lock;

void register_child(int pgid) {
  BlockSignals b;
  std::lock_guard<std::mutex> lock(g_children_lock);
  for (int i = 0; i < kMaxChildren; ++i) {
    if (g_children[i] == 0) {
      g_children[i] = pgid;
      return;
    }
  }
}

void unregister_child(int pgid) {
  BlockSignals b;
  std::lock_guard<std::mutex> lock(g_children_lock);
  for (int i = 0; i < kMaxChildren; ++i)
    if (g_children[i] == pgid) g_children[i] = 0;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int s = WTERMSIG(status);
    const char* name = strsignal(s);
    return "killed by signal " + std::to_string(s) + (name ? std::string(" (") + name + ")" : std::string());
  }
  return "stopped (status " + std::to_string(status) + ")";
}

Result<CommandResult> run_command(const std::string& command) {
  pid_t pid = -1;
  {
    BlockSignals b;  // register the child before an interrupt can arrive
    pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(s, SIG_DFL);
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid < 0) return Error{std::string("cannot start a process (fork failed: ") + std::strerror(errno) + ")"};
    ::setpgid(pid, pid);  // also from the parent, so the group exists before anyone signals it
    register_child(pid);
  }
  int status = 0;
  pid_t w;
  do {
    w = ::waitpid(pid, &status, 0);
  } while (w < 0 && errno == EINTR);
  unregister_child(pid);
  if (w < 0) return Error{std::string("cannot wait for a process: ") + std::strerror(errno)};
  return CommandResult{WIFEXITED(status) && WEXITSTATUS(status) == 0, describe_wait_status(status)};
}

std::string temp_name_beside(const std::string& target, const std::string& kind) {
  const fs::path t = fs::path(target);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  return (dir / ("." + t.filename().string() + "." + kind + "." + std::to_string(::getpid()))).string();
}

void remove_stale_temporaries(const std::string& target, const std::string& marker) {
  const fs::path t = fs::path(target);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  const std::string name = t.filename().string();
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  if (ec) return;
  for (; it != end; it.increment(ec)) {
    if (ec) return;
    const std::string e = it->path().filename().string();
    for (const char* kind : {".tmp.", ".old."}) {
      const std::string prefix = "." + name + kind;
      if (e.size() <= prefix.size() || e.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string pid_text = e.substr(prefix.size());
      if (pid_text.find_first_not_of("0123456789") != std::string::npos || pid_text.size() > 9) continue;
      const long pid = std::stol(pid_text);
      if (pid <= 0 || pid == ::getpid()) continue;
      if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive (or not ours to ask)
      std::error_code ec2;
      const auto st = fs::symlink_status(it->path(), ec2);
      if (ec2) continue;
      if (fs::is_directory(st)) {
        if (!marker.empty() && !fs::is_regular_file(it->path() / marker, ec2)) continue;
        fs::remove_all(it->path(), ec2);
      } else if (fs::is_regular_file(st)) {
        fs::remove(it->path(), ec2);
      }
    }
  }
}

}  // namespace hardwire::gen
