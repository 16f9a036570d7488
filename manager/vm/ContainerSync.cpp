#include "ContainerSync.h"

#include "core/States.h"

#include <algorithm>

namespace pidvisor::manager {

Result<ContainerListing> listContainers(protocol::AgentCalls& agent, const protocol::CallOptions& options)
{
    ContainerListing out;
    PV_TRY(protocol::ContainerListResult listed, agent.containerList(options));
    out.containers = std::move(listed.containers);
    for (const auto& c : out.containers) {
        if (c.state != ContainerState::Running)
            continue;
        auto ps = agent.containerPs(c.name, options);
        if (ps)
            out.processes[c.name] = std::move(ps->processes);
        else if (ps.error().code != ErrorCode::NotFound) // removed in between: no processes
            return fail(ps.error().withContext("container '" + c.name + "'"));
    }
    return out;
}

ContainerRecord containerRecord(std::int64_t vmId, const protocol::ContainerInfo& c, std::int64_t processCount)
{
    ContainerRecord r;
    r.vmId = vmId;
    r.name = c.name;
    r.state = c.state;
    r.initPid = c.initPid;
    r.specJson = protocol::encode(c.spec).dump();
    r.processCount = processCount;
    return r;
}

Status syncContainers(Inventory& inventory, std::int64_t vmId, const ContainerListing& listing)
{
    std::vector<ContainerRecord> fresh;
    for (const auto& c : listing.containers) {
        auto p = listing.processes.find(c.name);
        auto count = p == listing.processes.end() ? 0 : static_cast<std::int64_t>(p->second.size());
        fresh.push_back(containerRecord(vmId, c, count));
    }
    std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    PV_TRY(auto known, inventory.containers(vmId));
    auto same = [](const ContainerRecord& a, const ContainerRecord& b) {
        return a.name == b.name && a.state == b.state && a.initPid == b.initPid && a.specJson == b.specJson &&
               a.processCount == b.processCount;
    };
    if (known.size() == fresh.size() && std::equal(fresh.begin(), fresh.end(), known.begin(), same))
        return {};
    return inventory.replaceContainers(vmId, fresh);
}

Result<ContainerListing> refreshContainers(protocol::AgentCalls& agent, Inventory& inventory, std::int64_t vmId,
                                           const protocol::CallOptions& options)
{
    PV_TRY(ContainerListing listing, listContainers(agent, options));
    PV_TRY_STATUS(syncContainers(inventory, vmId, listing));
    return listing;
}

} // namespace pidvisor::manager
