// ProcessTable: the processes of one pid namespace, read from /proc.
//
// Each process is shown twice: its virtual pid (inside the container) and
// its global pid (in the agent's pid namespace), from the NSpid line of
// /proc/PID/status. Processes of nested namespaces below the container
// count as the container's too.
#pragma once

#include "protocol/Types.h"

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

// One process: the protocol's record (protocol/Types.h).
using ProcessInfo = protocol::Process;

// The inode of a process's pid namespace, or nullopt when it is gone.
[[nodiscard]] std::optional<std::uint64_t> pidNamespaceInode(pid_t pid, const std::string& proc = "/proc");
// Field 22 of /proc/PID/stat: tells a process from a later one with its pid.
[[nodiscard]] std::optional<std::uint64_t> processStartTime(pid_t pid, const std::string& proc = "/proc");

[[nodiscard]] Result<std::vector<ProcessInfo>> listNamespaceProcesses(std::uint64_t pidnsInode,
                                                                      const std::string& proc = "/proc");

} // namespace pidvisor::agent
