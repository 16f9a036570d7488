#include "ChildStatus.h"

#include <poll.h>

#include <cerrno>
#include <sstream>

namespace pidvisor::agent {

int execCandidates(const char* const* paths, char* const* argv, char* const* envp)
{
    int best = ENOENT;
    for (; *paths; ++paths) {
        ::execve(*paths, argv, envp);
        if (errno != ENOENT && errno != ENOTDIR)
            best = errno;
    }
    return best;
}

Result<std::optional<ChildRecord>> readChildRecord(int fd, std::chrono::milliseconds timeout)
{
    ChildRecord record;
    auto* out = reinterpret_cast<char*>(&record);
    std::size_t got = 0;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (got < sizeof record) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return fail(ErrorCode::Timeout, "the new process did not report within " +
                                                std::to_string(timeout.count()) + " ms");
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t n = ::read(fd, out + got, sizeof record - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno("reading the new process's status", errno);
        if (n == 0) {
            if (got == 0)
                return std::optional<ChildRecord>{};
            return fail(ErrorCode::Internal, "the new process sent a truncated status");
        }
        got += static_cast<std::size_t>(n);
    }
    return std::optional<ChildRecord>{record};
}

std::string childStageText(std::int32_t stage)
{
    switch (stage) {
    case StageMakePrivate: return "making mounts private";
    case StageMountRoot: return "mounting the container's root";
    case StagePivotRoot: return "switching to the container's root";
    case StageMountProc: return "mounting /proc";
    case StageSetupDev: return "setting up /dev";
    case StageMask: return "mounting /sys, masked and read-only paths";
    case StageHostname: return "setting the hostname";
    case StageSetsid: return "starting a session";
    case StageConsole: return "opening the console log";
    case StageCwd: return "changing to the working directory";
    case StageJoin: return "joining the container's namespaces";
    case StageFork: return "creating the process";
    case StageExec: return "executing the command";
    case StageIsolate: return "closing the agent's descriptors";
    case StageCgroupNs: return "making the container's cgroup namespace";
    case StageConfine: return "dropping capabilities and installing the seccomp filter";
    case StageUser: return "switching to the container's user";
    default: return "setting up the process";
    }
}

CStringArray::CStringArray(const std::vector<std::string>& items) : m_items(items)
{
    m_ptrs.reserve(m_items.size() + 1);
    for (auto& s : m_items)
        m_ptrs.push_back(s.data());
    m_ptrs.push_back(nullptr);
}

std::vector<std::string> executableCandidates(const std::string& argv0, const std::string& pathVar)
{
    if (argv0.find('/') != std::string::npos)
        return {argv0};
    std::vector<std::string> out;
    std::stringstream ss(pathVar);
    std::string dir;
    while (std::getline(ss, dir, ':'))
        out.push_back((dir.empty() ? std::string(".") : dir) + "/" + argv0);
    return out;
}

} // namespace pidvisor::agent
