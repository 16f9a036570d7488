#include "SnapshotBuilder.h"

#include "core/States.h"

#include "protocol/Types.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace pidvisor::gui {

using nlohmann::json;
using namespace pidvisor::manager;

namespace {

std::int64_t nowMillis()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The inventory keeps the agent's spec as its JSON; it is read back by the
// protocol's one conversion. A spec that does not read shows as empty.
ContainerInfo parseSpec(const std::string& name, const std::string& specJson)
{
    ContainerInfo info;
    json j = json::parse(specJson, nullptr, false);
    if (!j.is_object())
        return info;
    j["name"] = name;
    auto spec = protocol::decode<protocol::ContainerSpec>(j, protocol::Unknown::Ignore, "field");
    if (!spec)
        return info;
    for (const auto& a : spec->argv)
        info.command += (info.command.empty() ? "" : " ") + a;
    info.hostname = spec->hostname.value_or("");
    info.cwd = spec->cwd;
    info.env = spec->env;
    info.memoryMiB = spec->memoryMiB;
    info.pidsMax = spec->pidsMax;
    info.init = spec->init;
    info.privileged = spec->privileged;
    if (spec->userns)
        info.usernsBase = spec->userns->base;
    if (spec->network) {
        info.address = spec->network->address.substr(0, spec->network->address.find('/'));
        info.mac = spec->network->mac;
    }
    return info;
}

} // namespace

SnapshotCounts countSnapshot(const InventorySnapshot& snapshot)
{
    SnapshotCounts c;
    c.hosts = static_cast<int>(snapshot.hosts.size());
    c.checkpoints = static_cast<int>(snapshot.checkpoints.size());
    for (const auto& host : snapshot.hosts) {
        c.connectedHosts += host.link == HostInfo::Link::Connected;
        for (const auto& vm : host.vms) {
            ++c.vms;
            c.runningVms += vm.record.state == manager::VmState::Running && !vm.record.missing;
            for (const auto& ct : vm.containers) {
                ++c.containers;
                c.runningContainers += ct.record.state == manager::ContainerState::Running;
                c.processes += static_cast<int>(ct.processes.size());
            }
        }
    }
    return c;
}

ContainerInfo SnapshotBuilder::describeContainer(const ContainerRecord& record)
{
    auto it = m_specs.find(record.id);
    if (it == m_specs.end() || it->second.json != record.specJson)
        it = m_specs.insert_or_assign(record.id, CachedSpec{record.specJson, parseSpec(record.name, record.specJson)}).first;
    ContainerInfo info = it->second.info;
    info.record = record;
    return info;
}

Result<VmInfo> SnapshotBuilder::describeVm(const Inventory& inventory, const VmRecord& record, const LiveHost* live)
{
    VmInfo vm;
    vm.record = record;
    const LiveVm* liveVm = nullptr;
    if (live) {
        vm.busy = live->busyVms.count(record.name) > 0;
        if (auto it = live->vms.find(record.name); it != live->vms.end())
            liveVm = &it->second;
    }
    if (liveVm) {
        vm.agent = liveVm->agent;
        vm.network = liveVm->network;
    }
    PV_TRY(auto containers, inventory.containers(record.id));
    vm.containers.reserve(containers.size());
    for (const auto& c : containers) {
        ContainerInfo info = describeContainer(c);
        if (liveVm && liveVm->polled) {
            info.live = true;
            if (auto p = liveVm->processes.find(c.name); p != liveVm->processes.end())
                info.processes = p->second;
        }
        vm.containers.push_back(std::move(info));
    }
    return vm;
}

Result<SnapshotPtr> SnapshotBuilder::build(const Inventory& inventory, const std::map<std::string, LiveHost>& live)
{
    auto started = std::chrono::steady_clock::now();
    auto snapshot = std::make_shared<InventorySnapshot>();
    snapshot->inventoryPath = inventory.path();
    snapshot->takenAt = nowMillis();
    PV_TRY(auto hosts, inventory.hosts());
    PV_TRY(auto vms, inventory.vms());
    for (const auto& h : hosts) {
        HostInfo host;
        host.record = h;
        const LiveHost* liveHost = nullptr;
        if (auto it = live.find(h.uri); it != live.end()) {
            liveHost = &it->second;
            host.link = liveHost->link;
            host.error = liveHost->error;
            host.libvirtVersion = liveHost->libvirtVersion;
            host.hypervisorVersion = liveHost->hypervisorVersion;
            host.hostname = liveHost->hostname;
        }
        for (const auto& v : vms) {
            if (v.hostId != h.id)
                continue;
            PV_TRY(VmInfo vm, describeVm(inventory, v, liveHost));
            host.vms.push_back(std::move(vm));
        }
        snapshot->hosts.push_back(std::move(host));
    }
    // Connections that never reached libvirt have no inventory row yet.
    for (const auto& [uri, liveHost] : live) {
        bool known = std::any_of(hosts.begin(), hosts.end(), [&](const HostRecord& h) { return h.uri == uri; });
        if (known)
            continue;
        HostInfo host;
        host.record.uri = uri;
        host.record.name = uri;
        host.link = liveHost.link;
        host.error = liveHost.error;
        snapshot->hosts.push_back(std::move(host));
    }
    PV_TRY(snapshot->checkpoints, inventory.checkpoints());
    PV_TRY(snapshot->images, inventory.containerImages());
    snapshot->buildMicros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    return SnapshotPtr(std::move(snapshot));
}

} // namespace pidvisor::gui
