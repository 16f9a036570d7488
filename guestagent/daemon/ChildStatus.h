// ChildStatus: how a process between clone and exec tells the agent what
// happened, through a CLOEXEC pipe. Records are fixed-size, so writes are
// atomic; EOF after "ready" means exec succeeded (the pipe closed on exec).
// Everything here is safe in a child of a multithreaded process.
#pragma once

#include "protocol/Result.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

enum ChildStage : std::int32_t {
    StageReady = 0,   // setup done, waiting for the go byte
    StagePid,         // value: pid of a grandchild
    StageExit,        // value: wait status of a grandchild
    StageMakePrivate, // failures below carry errno as value
    StageMountRoot,
    StagePivotRoot,
    StageMountProc,
    StageSetupDev,
    StageMask,
    StageHostname,
    StageSetsid,
    StageConsole,
    StageCwd,
    StageJoin,
    StageFork,
    StageExec,
    StageIsolate, // closing the agent's descriptors, PR_SET_DUMPABLE
    StageConfine, // capabilities, no_new_privs, seccomp
    StageUser,    // setgroups, setresgid, setresuid (the image's user)
    StageCgroupNs, // its own cgroup namespace, rooted at its cgroup
};

struct ChildRecord {
    std::int32_t stage = StageReady;
    std::int32_t value = 0;
};

[[noreturn]] inline void childFail(int fd, ChildStage stage, int err)
{
    ChildRecord r{stage, err};
    (void)!::write(fd, &r, sizeof r);
    ::_exit(127);
}

inline void childSend(int fd, ChildStage stage, int value)
{
    ChildRecord r{stage, value};
    (void)!::write(fd, &r, sizeof r);
}

// Tries execve on each candidate path in turn; returns the most telling
// errno (anything but ENOENT wins) when none could be executed.
int execCandidates(const char* const* paths, char* const* argv, char* const* envp);

// Reads one record; nullopt at EOF. Times out with an error.
[[nodiscard]] Result<std::optional<ChildRecord>> readChildRecord(int fd, std::chrono::milliseconds timeout);

// "mounting the root filesystem" etc.
[[nodiscard]] std::string childStageText(std::int32_t stage);

// A NULL-terminated char* array over owned strings, built before clone.
class CStringArray {
public:
    explicit CStringArray(const std::vector<std::string>& items);
    [[nodiscard]] char* const* data() const { return m_ptrs.data(); }
    [[nodiscard]] const char* const* cdata() const { return m_ptrs.data(); }

private:
    std::vector<std::string> m_items;
    std::vector<char*> m_ptrs;
};

// The paths to try for argv[0]: itself when it has a '/', else each PATH entry.
[[nodiscard]] std::vector<std::string> executableCandidates(const std::string& argv0, const std::string& pathVar);

} // namespace pidvisor::agent
