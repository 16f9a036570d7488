// ContainerSync: the one path by which the inventory learns a VM's
// containers, whichever front end asked (`pidvisor container list`,
// `reconcile`, the GUI's poller).
//
// A listing is what the agent says: container-list, then container-ps of
// each running container, so every writer stores the same process counts.
// syncContainers() is the only writer of a VM's whole container list; it
// writes only when the rows differ from what the inventory holds.
//
//   PV_TRY(ContainerListing listed, refreshContainers(*agent, inventory, vm.id));
#pragma once

#include "inventory/Inventory.h"

#include "protocol/AgentCalls.h"

#include <map>

namespace pidvisor::manager {

struct ContainerListing {
    std::vector<protocol::ContainerInfo> containers;
    // The processes of each running container, by name.
    std::map<std::string, std::vector<protocol::Process>> processes;
};

// The agent's containers and the processes of the running ones. A
// container that stops between the two questions has no processes.
[[nodiscard]] Result<ContainerListing> listContainers(protocol::AgentCalls& agent,
                                                      const protocol::CallOptions& options = {});

// The inventory's row for one container; `processCount` as the agent counted it.
[[nodiscard]] ContainerRecord containerRecord(std::int64_t vmId, const protocol::ContainerInfo& container,
                                              std::int64_t processCount);

// Makes the VM's container rows what `listing` says.
[[nodiscard]] Status syncContainers(Inventory& inventory, std::int64_t vmId, const ContainerListing& listing);

// Both: asks the agent, then syncs; what every front end calls.
[[nodiscard]] Result<ContainerListing> refreshContainers(protocol::AgentCalls& agent, Inventory& inventory,
                                                         std::int64_t vmId, const protocol::CallOptions& options = {});

} // namespace pidvisor::manager
