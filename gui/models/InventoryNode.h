// InventoryNode: one row of the inventory tree (root > host > VM >
// container > process). A node points into the current snapshot, which the
// model keeps alive, and has a key unique among its siblings that survives
// refreshes, so rows can be matched, updated, inserted and removed in place.
#pragma once

#include "ModelRoles.h"

#include "backend/Snapshot.h"

#include <memory>
#include <string>
#include <vector>

namespace pidvisor::gui {

struct InventoryNode {
    NodeKind kind = NodeKind::Root;
    std::string key;
    InventoryNode* parent = nullptr;
    int row = 0;
    const void* data = nullptr;
    std::vector<std::unique_ptr<InventoryNode>> children;

    [[nodiscard]] const HostInfo& host() const { return *static_cast<const HostInfo*>(data); }
    [[nodiscard]] const VmInfo& vm() const { return *static_cast<const VmInfo*>(data); }
    [[nodiscard]] const ContainerInfo& container() const { return *static_cast<const ContainerInfo*>(data); }
    [[nodiscard]] const ProcessInfo& process() const { return *static_cast<const ProcessInfo*>(data); }

    // The nearest ancestor-or-self of `k`, or nullptr.
    [[nodiscard]] const InventoryNode* up(NodeKind k) const
    {
        const InventoryNode* n = this;
        while (n && n->kind != k)
            n = n->parent;
        return n;
    }
};

// A child as the new snapshot has it: what the diff compares against.
struct ChildRef {
    NodeKind kind;
    std::string key;
    const void* data;
};

} // namespace pidvisor::gui
