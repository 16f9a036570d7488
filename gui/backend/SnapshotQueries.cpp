#include "SnapshotQueries.h"

namespace pidvisor::gui {

const HostInfo* findHost(const InventorySnapshot& s, const std::string& uri)
{
    for (const auto& h : s.hosts)
        if (h.record.uri == uri)
            return &h;
    return nullptr;
}

const VmInfo* findVm(const InventorySnapshot& s, const std::string& uri, const std::string& vm)
{
    const HostInfo* host = findHost(s, uri);
    if (!host)
        return nullptr;
    for (const auto& v : host->vms)
        if (v.record.name == vm)
            return &v;
    return nullptr;
}

const ContainerInfo* findContainer(const InventorySnapshot& s, const std::string& uri, const std::string& vm,
                                   const std::string& container)
{
    const VmInfo* v = findVm(s, uri, vm);
    if (!v)
        return nullptr;
    for (const auto& c : v->containers)
        if (c.record.name == container)
            return &c;
    return nullptr;
}

const ProcessInfo* findProcess(const ContainerInfo& container, std::int64_t vpid)
{
    for (const auto& p : container.processes)
        if (p.vpid == vpid)
            return &p;
    return nullptr;
}

const manager::CheckpointRecord* findCheckpoint(const InventorySnapshot& s, const std::string& id)
{
    for (const auto& c : s.checkpoints)
        if (c.id == id)
            return &c;
    return nullptr;
}

const HostInfo* findHostOfVm(const InventorySnapshot& s, std::int64_t vmId)
{
    for (const auto& h : s.hosts)
        for (const auto& v : h.vms)
            if (v.record.id == vmId)
                return &h;
    return nullptr;
}

} // namespace pidvisor::gui
