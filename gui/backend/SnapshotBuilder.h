// SnapshotBuilder: reads the inventory and joins it with the live state
// the backend gathered (connections, agents, processes) into one immutable
// InventorySnapshot. Runs on the backend's thread, or in a test or
// benchmark directly. Container specs are parsed once per distinct spec
// and cached, so a refresh of a large inventory stays cheap.
#pragma once

#include "Snapshot.h"

#include "inventory/Inventory.h"

#include <unordered_map>

namespace pidvisor::gui {

class SnapshotBuilder {
public:
    // `live` is keyed by host uri; hosts without an entry are Offline.
    [[nodiscard]] Result<SnapshotPtr> build(const manager::Inventory& inventory,
                                            const std::map<std::string, LiveHost>& live);

    // The display fields of a container from its record (spec JSON parsed).
    [[nodiscard]] ContainerInfo describeContainer(const manager::ContainerRecord& record);

private:
    [[nodiscard]] Result<VmInfo> describeVm(const manager::Inventory& inventory, const manager::VmRecord& record,
                                            const LiveHost* live);

    struct CachedSpec {
        std::string json;
        ContainerInfo info; // record left empty
    };
    std::unordered_map<std::int64_t, CachedSpec> m_specs;
};

} // namespace pidvisor::gui
