// SystemInfo: what `hello` reports about this VM and agent: versions,
// kernel release, and the capabilities the host checks before it asks for
// something (the /proc/container interface, cgroup v2, CRIU).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace pidvisor::agent {

struct SystemInfo {
    std::string agentVersion;
    std::string kernelRelease;
    std::string hostname;
    std::string pidSpace;
    bool procContainer = false;
    std::optional<std::string> criuVersion;
    nlohmann::json cgroups;

    [[nodiscard]] nlohmann::json toJson() const;
};

// The CRIU version from `criu --version`, when criu is installed.
[[nodiscard]] std::optional<std::string> detectCriuVersion();
[[nodiscard]] std::string kernelRelease();

} // namespace pidvisor::agent
