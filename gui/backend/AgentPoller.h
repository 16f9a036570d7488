// AgentPoller: asks the agents of running VMs for their status, their
// containers and each running container's processes, round robin within a
// budget per refresh so a large inventory does not stall the backend.
// Container lists are written back to the inventory only when they differ
// from what it remembers. Runs on the backend's thread.
#pragma once

#include "HostSession.h"
#include "Snapshot.h"

#include <nlohmann/json.hpp>

namespace pidvisor::gui {

class AgentPoller {
public:
    explicit AgentPoller(std::size_t budget = 16) : m_budget(budget) {}

    void poll(HostSession& session, const std::vector<manager::VmRecord>& vms, LiveHost& live);

    [[nodiscard]] static AgentStatus statusFromHello(const nlohmann::json& hello);
    [[nodiscard]] static std::vector<ProcessInfo> parseProcesses(const nlohmann::json& processes);

private:
    [[nodiscard]] LiveVm pollVm(HostSession& session, const manager::VmRecord& vm);
    void syncContainers(HostSession& session, const manager::VmRecord& vm, const nlohmann::json& containers,
                        const LiveVm& live);

    std::size_t m_budget;
    std::size_t m_cursor = 0;
};

} // namespace pidvisor::gui
