// ProcessTable: the processes of one pid namespace, read from /proc.
//
// Each process is shown twice: its virtual pid (inside the container) and
// its global pid (in the agent's pid namespace), from the NSpid line of
// /proc/PID/status. Processes of nested namespaces below the container
// count as the container's too.
#pragma once

#include "protocol/Result.h"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

struct ProcessInfo {
    pid_t vpid = 0;  // in the container's pid namespace
    pid_t pid = 0;   // in the agent's pid namespace
    pid_t vppid = 0; // parent in the container, 0 when outside it
    std::string comm;
    std::string state;
    std::string cmdline;

    [[nodiscard]] nlohmann::json toJson() const;
};

// The inode of a process's pid namespace, or nullopt when it is gone.
[[nodiscard]] std::optional<std::uint64_t> pidNamespaceInode(pid_t pid, const std::string& proc = "/proc");
// Field 22 of /proc/PID/stat: tells a process from a later one with its pid.
[[nodiscard]] std::optional<std::uint64_t> processStartTime(pid_t pid, const std::string& proc = "/proc");

[[nodiscard]] Result<std::vector<ProcessInfo>> listNamespaceProcesses(std::uint64_t pidnsInode,
                                                                      const std::string& proc = "/proc");

} // namespace pidvisor::agent
