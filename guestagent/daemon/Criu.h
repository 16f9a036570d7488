// Criu: how the agent drives CRIU.
//
// Dumps and pre-dumps run the criu command line (its --display-stats gives
// CRIU's own timings). Restores go through `criu swrk` (CRIU's RPC) with
// rst_sibling, so that the restored tree becomes a child of the agent,
// which then reaps it and knows its exit status like any container's.
// readPstree() reads the process tree CRIU wrote, with the virtual pids
// that a restore must reproduce.
#pragma once

#include "protocol/Result.h"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

struct CriuDump {
    pid_t pid = 0;              // root of the tree (the container's init), global pid
    std::string imagesDir;      // absolute
    std::string parentDir;      // relative to imagesDir, for incremental dumps; "" none
    bool preDump = false;
    std::string leave = "running"; // running, stopped (frozen for a migration), or kill
    bool trackMemory = false;
    std::string postDumpScript; // executable run while the tree is frozen
    std::string workDir;        // where the log goes (kept when the dump fails)
    std::string logFile = "dump.log";
};

struct CriuRestore {
    std::string imagesDir;  // absolute
    std::string root;       // the container's new root directory
    std::string workDir;    // where the log goes
    std::string cgroupRoot; // "/pidvisor/NAME", or "" to keep the dumped cgroups
    std::string logFile = "restore.log";
};

struct PstreeEntry {
    std::uint32_t pid = 0, ppid = 0, pgid = 0, sid = 0; // virtual: inside the container
    std::vector<std::uint32_t> threads;
};

// CRIU's stats (--display-stats) as JSON: times in microseconds, pages.
[[nodiscard]] Result<nlohmann::json> runCriuDump(const CriuDump& request);
// The restored tree's root pid (global), now a child of this process.
// `beforeResume` runs while every restored task exists but none runs yet
// (CRIU's pre-resume point); an error there makes CRIU undo the restore.
[[nodiscard]] Result<pid_t> runCriuRestore(const CriuRestore& request,
                                           const std::function<Status(pid_t root)>& beforeResume);
[[nodiscard]] Result<std::vector<PstreeEntry>> readPstree(const std::string& imagesDir);
[[nodiscard]] nlohmann::json parseCriuStats(const std::string& output);
// The last error lines of a CRIU log, for messages.
[[nodiscard]] std::string criuLogExcerpt(const std::string& logPath);
// "4.1.1" compared as versions: negative, zero or positive.
[[nodiscard]] int compareVersions(const std::string& a, const std::string& b);

} // namespace pidvisor::agent
