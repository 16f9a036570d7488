// Criu: how the agent drives CRIU. Dumps, pre-dumps and restores all go
// through `criu swrk` (CRIU's RPC, see CriuRpc), with requests built from
// CRIU's own rpc.proto (CriuRequest). A restore uses rst_sibling, so that
// the restored tree becomes a child of the agent, which then reaps it and
// knows its exit status like any container's. CRIU's timings come from the
// stats-dump image it writes (CriuImages), not from its printed output.
#pragma once

#include "CriuImages.h"
#include "CriuRequest.h"

#include "protocol/Result.h"

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace pidvisor::agent {

struct CriuDump {
    pid_t pid = 0;              // root of the tree (the container's init), global pid
    std::string imagesDir;      // absolute
    std::string parentDir;      // relative to imagesDir, for incremental dumps; "" none
    bool preDump = false;
    CriuLeave leave = CriuLeave::Running; // Stopped: frozen for a migration
    bool trackMemory = false;
    // Runs while the tree is frozen and dumped (CRIU's post-dump point);
    // an error there fails the dump. Not called for a pre-dump.
    std::function<Status()> postDump;
    std::string workDir;        // where the log goes (kept when the dump fails)
    std::string logFile = "dump.log";
    std::vector<std::string> externals; // CRIU's --external, e.g. mnt[/dev/null]:KEY
};

struct CriuRestore {
    std::string imagesDir;  // absolute
    std::string root;       // the container's new root directory
    std::string workDir;    // where the log goes
    std::string cgroupRoot; // "/pidvisor/NAME", or "" to keep the dumped cgroups
    std::string logFile = "restore.log";
    bool tcpClose = false;  // connections come back closed, not established
    std::vector<std::string> externals; // CRIU's --external, e.g. a veth pair
};

// CRIU's dump statistics as JSON: times in microseconds, pages.
[[nodiscard]] Result<nlohmann::json> runCriuDump(const CriuDump& request);
// The restored tree's root pid (global), now a child of this process.
// `beforeResume` runs while every restored task exists but none runs yet
// (CRIU's pre-resume point); an error there makes CRIU undo the restore.
[[nodiscard]] Result<pid_t> runCriuRestore(const CriuRestore& request,
                                           const std::function<Status(pid_t root)>& beforeResume);
[[nodiscard]] nlohmann::json criuStatsToJson(const CriuDumpStats& stats);
// The last error lines of a CRIU log, for messages.
[[nodiscard]] std::string criuLogExcerpt(const std::string& logPath);
// Whether this CRIU can lock the network with nftables (`criu check
// --feature network_lock_nftables`, asked once): then it does, and needs no
// iptables in the VM.
[[nodiscard]] bool criuLocksWithNftables();
// "4.1.1" compared as versions: negative, zero or positive.
[[nodiscard]] int compareVersions(const std::string& a, const std::string& b);

} // namespace pidvisor::agent
