// AgentPoller: asks the agents of running VMs, through the manager's Host,
// for their status, their containers and each running container's
// processes, round robin within a budget per refresh so a large inventory
// does not stall the backend. Host::pollAgent writes the containers into
// the inventory (the one sync path every front end shares). Runs on the
// backend's thread.
#pragma once

#include "Snapshot.h"

#include "host/Host.h"

namespace pidvisor::gui {

class AgentPoller {
public:
    explicit AgentPoller(std::size_t budget = 16) : m_budget(budget) {}

    void poll(manager::Host& host, const std::vector<manager::VmRecord>& vms, LiveHost& live);

    [[nodiscard]] static AgentStatus statusFromHello(const protocol::HelloResult& hello);
    [[nodiscard]] static std::vector<ProcessInfo> processInfos(const std::vector<protocol::Process>& processes);

private:
    [[nodiscard]] static LiveVm pollVm(manager::Host& host, const manager::VmRecord& vm);

    std::size_t m_budget;
    std::size_t m_cursor = 0;
};

} // namespace pidvisor::gui
