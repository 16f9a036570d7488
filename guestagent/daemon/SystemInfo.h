// SystemInfo: what `hello` reports about this VM and agent: versions,
// kernel release, and the capabilities the host checks before it asks for
// something (the /proc/container interface, cgroup v2, CRIU).
#pragma once

#include "protocol/Types.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace pidvisor::agent {

struct SystemInfo {
    // Random per agent process: a client that sees it change knows the
    // agent restarted and its requests in flight are lost.
    std::string instance;
    std::string agentVersion;
    std::string kernelRelease;
    std::string hostname;
    std::string pidSpace;
    bool procContainer = false;
    std::optional<std::string> criuVersion;
    nlohmann::json cgroups;
    std::optional<protocol::AgentLimits> limits; // Limits.h, as `hello` reports them

    // Whether CRIU works on this kernel (`criu check`), found out in the
    // background at start so the agent is ready at once.
    struct CheckpointSupport {
        std::mutex mutex;
        std::optional<bool> available;
        std::string reason;
    };
    std::shared_ptr<CheckpointSupport> checkpoint = std::make_shared<CheckpointSupport>();

    // hello's result, without the command list (the Dispatcher adds it).
    [[nodiscard]] protocol::HelloResult hello() const;
};

// Runs `criu check` on a thread and fills info.checkpoint.
void probeCheckpointSupport(const SystemInfo& info);

// The CRIU version from `criu --version`, when criu is installed.
[[nodiscard]] std::optional<std::string> detectCriuVersion();
[[nodiscard]] std::string kernelRelease();

} // namespace pidvisor::agent
