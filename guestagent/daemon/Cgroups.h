// Cgroups: the container's resource limits through cgroup v2.
//
// Each container gets <root>/pidvisor/<name>/ with memory.max and pids.max.
// Where only cgroup v1 exists (or v2 without the controllers), limits are
// refused with a clear reason rather than silently ignored, and containers
// without limits run without a cgroup of their own.
#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"
#include "protocol/UniqueFd.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

struct CgroupLimits {
    std::optional<std::int64_t> memoryMiB;
    std::optional<std::int64_t> pidsMax;
    bool deviceFilter = false; // the OCI default device rules (DeviceFilter.h)

    // What a container's spec asks its cgroup to enforce (a filter unless privileged).
    [[nodiscard]] static CgroupLimits of(const protocol::ContainerSpec& spec)
    {
        return {spec.memoryMiB, spec.pidsMax, !spec.privileged};
    }
};

class Cgroups {
public:
    // Looks at what `root` (normally /sys/fs/cgroup) is and prepares
    // <root>/pidvisor when it is a usable cgroup v2 hierarchy.
    static Cgroups detect(const std::string& root = "/sys/fs/cgroup");

    // "v2", "hybrid" (v1 controllers plus an empty v2 tree), "v1" or "none".
    [[nodiscard]] const std::string& mode() const { return m_mode; }
    [[nodiscard]] bool usable() const { return m_usable; }
    [[nodiscard]] const std::vector<std::string>& controllers() const { return m_controllers; }
    [[nodiscard]] nlohmann::json describe() const;

    // Refuses limits this system cannot enforce, naming why.
    [[nodiscard]] Status checkLimits(const CgroupLimits& limits) const;

    // Creates the container's cgroup with its limits; returns an O_DIRECTORY
    // fd for CLONE_INTO_CGROUP, or an invalid fd when cgroups are not usable.
    [[nodiscard]] Result<UniqueFd> create(const std::string& name, const CgroupLimits& limits) const;
    [[nodiscard]] Result<UniqueFd> open(const std::string& name) const;
    [[nodiscard]] std::string path(const std::string& name) const;
    // Removes the cgroup (killing what is left in it).
    void remove(const std::string& name) const;

private:
    std::string m_root;
    std::string m_mode = "none";
    bool m_usable = false;
    std::vector<std::string> m_controllers;
};

} // namespace pidvisor::agent
