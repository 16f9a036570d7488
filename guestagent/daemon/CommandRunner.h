// CommandRunner: runs one command to completion and captures its output,
// either in the VM itself (guest-exec) or inside a container (exec).
//
// For a container, an intermediate process closes every descriptor of the
// agent's but its pipes, makes itself not dumpable, joins the container's
// pid, mount, uts and ipc namespaces through the init's pidfd, then forks
// the command so that it is born inside the container's pid space (and
// cgroup). The command, not dumpable either until it execs, closes the rest
// and confines itself as the container's first process was (Confinement.h).
#pragma once

#include "Confinement.h"

#include "protocol/Result.h"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

inline constexpr std::size_t kMaxCapturedOutput = 1 << 20;

struct CommandPlan {
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd = "/";
    int joinPidfd = -1; // a container's init, or -1 for the VM itself
    bool joinUserns = false; // its user namespace too (then as its root)
    int cgroupFd = -1;
    std::optional<ConfinementPlan> confinement; // for a container
    std::string stdinData;
    std::chrono::milliseconds timeout{0}; // 0: no limit
    std::size_t maxOutput = kMaxCapturedOutput;
};

struct CommandResult {
    int exitCode = 0;   // 128+signal when killed by a signal
    int signal = 0;
    std::string out;
    std::string err;
    bool outTruncated = false;
    bool errTruncated = false;
    bool timedOut = false;
    pid_t pid = 0; // in the agent's pid namespace
};

[[nodiscard]] Result<CommandResult> runCommand(const CommandPlan& plan);

} // namespace pidvisor::agent
