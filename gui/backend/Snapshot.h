// Snapshot: an immutable picture of everything the GUI shows, made on the
// backend's thread and handed to the UI thread through a queued signal.
//
// The UI never reads the inventory, libvirt or an agent itself: it renders
// the latest snapshot. A snapshot joins what the inventory remembers (hosts,
// VMs, containers, checkpoints) with what only live sources know (the host's
// connection and versions, each agent's status, each container's processes
// with their virtual and global pids). Shared as SnapshotPtr, never changed
// once published, so models may keep pointers into it.
#pragma once

#include "inventory/InventoryRecords.h"
#include "vm/DomainXml.h"

#include <QMetaType>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pidvisor::gui {

// One row of `container-ps` (guestagent/protocol/PROTOCOL.md).
struct ProcessInfo {
    std::int64_t vpid = 0;  // pid inside the container
    std::int64_t pid = 0;   // the same process seen from the VM
    std::int64_t vppid = 0; // parent inside the container, 0 when outside
    std::string comm, state, cmdline;

    bool operator==(const ProcessInfo&) const = default;
};

// What the VM's agent said in its handshake, or why it did not answer.
struct AgentStatus {
    enum class State { Unknown, Connected, Unreachable, Busy };
    State state = State::Unknown;
    int protocol = 0;
    std::string agentVersion, kernelRelease, hostname, pidSpace, cgroups, criuVersion;
    bool checkpointCommands = false;
    std::string error;
    std::int64_t checkedAt = 0;

    bool operator==(const AgentStatus&) const = default;
};

struct ContainerInfo {
    manager::ContainerRecord record;
    // From the spec, for display.
    std::string command, hostname, cwd;
    std::string address, mac; // on the VM's network; "" loopback only
    std::vector<std::string> env;
    std::optional<std::int64_t> memoryMiB, pidsMax;
    bool init = false;
    bool privileged = false; // created with --privileged: not confined
    std::optional<std::int64_t> usernsBase; // --userns: the VM uid its root is
    // Processes are live data: `live` is false when the agent was not asked.
    bool live = false;
    std::vector<ProcessInfo> processes;
};

struct VmInfo {
    manager::VmRecord record;
    AgentStatus agent;
    std::optional<manager::VmNetworkView> network; // asked while it runs
    bool busy = false; // a GUI operation holds it (create, start, stop...)
    std::vector<ContainerInfo> containers;
};

struct HostInfo {
    enum class Link { Offline, Connecting, Connected, Unreachable };
    manager::HostRecord record;
    Link link = Link::Offline;
    std::string error, libvirtVersion, hypervisorVersion, hostname;
    std::vector<VmInfo> vms;
};

struct InventorySnapshot {
    std::vector<HostInfo> hosts;
    std::vector<manager::CheckpointRecord> checkpoints; // newest first
    std::vector<manager::ContainerImageRecord> images;  // the host's container images, by name
    std::string inventoryPath;
    std::int64_t takenAt = 0;     // unix ms
    std::int64_t buildMicros = 0; // how long building it took
};

using SnapshotPtr = std::shared_ptr<const InventorySnapshot>;

// What only live sources know, kept by the backend between refreshes.
struct LiveVm {
    AgentStatus agent;
    std::optional<manager::VmNetworkView> network; // its NIC as libvirt reports it
    bool polled = false; // processes below are current
    std::map<std::string, std::vector<ProcessInfo>> processes; // by container name
};

struct LiveHost {
    HostInfo::Link link = HostInfo::Link::Offline;
    std::string error, libvirtVersion, hypervisorVersion, hostname;
    std::map<std::string, LiveVm> vms; // by VM name
    std::set<std::string> busyVms;
};

struct SnapshotCounts {
    int hosts = 0, connectedHosts = 0, vms = 0, runningVms = 0, containers = 0, runningContainers = 0, processes = 0,
        checkpoints = 0;
};

[[nodiscard]] SnapshotCounts countSnapshot(const InventorySnapshot& snapshot);

} // namespace pidvisor::gui

Q_DECLARE_METATYPE(pidvisor::gui::SnapshotPtr)
