// Host: one libvirt host as the front ends see it. It owns the connection
// and everything that hangs off it: the VM, container and checkpoint
// services, the leases on the VMs' agent channels, and the one path by
// which an agent's containers reach the inventory (vm/ContainerSync.h).
// The `pidvisor` CLI (cli/CliContext) and the GUI (gui/backend/Backend)
// are thin layers on it; neither talks to an agent itself.
//
// Thread-safe as its parts are: libvirt connections and AgentClient are,
// the inventory serialises its calls, and the host's inventory id is
// resolved in open(), before anyone else can race on it.
//
//   PV_TRY(auto host, Host::open(inventory, "qemu:///system", Paths::defaults()));
//   PV_TRY(AgentPoll poll, host->pollAgent("web1", std::chrono::seconds(2)));
#pragma once

#include "AgentLeases.h"

#include "checkpoint/CheckpointService.h"
#include "vm/ContainerService.h"
#include "vm/ContainerSync.h"
#include "vm/VmService.h"

#include <memory>
#include <string>

namespace pidvisor::manager {

// What one look at a running VM's agent found.
struct AgentPoll {
    protocol::HelloResult hello;
    // The containers and their processes (already in the inventory), or
    // why the agent could not list them.
    Result<ContainerListing> listing;
};

class Host {
public:
    // Connects, records the host and reconciles the inventory with libvirt
    // (adopting Pidvisor domains, marking vanished ones missing): libvirt
    // is the truth about which domains exist.
    [[nodiscard]] static Result<std::unique_ptr<Host>> open(Inventory& inventory, const std::string& uri,
                                                            const Paths& paths,
                                                            AgentTransportMode mode = AgentTransportMode::Auto);
    ~Host();
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    [[nodiscard]] const std::string& uri() const { return m_connection->uri(); }
    [[nodiscard]] std::int64_t hostId() const { return m_hostId; }
    [[nodiscard]] Connection& connection() { return *m_connection; }
    [[nodiscard]] Inventory& inventory() { return m_vms->inventory(); }
    [[nodiscard]] VmService& vms() { return *m_vms; }
    [[nodiscard]] ContainerService& containers() { return *m_containers; }
    [[nodiscard]] CheckpointService& checkpoints() { return *m_checkpoints; }
    [[nodiscard]] AgentLeases& leases() { return m_leases; }
    // What the reconcile of open() changed.
    [[nodiscard]] const ReconcileReport& openingReport() const { return m_opening; }
    [[nodiscard]] const std::string& libvirtVersion() const { return m_libvirtVersion; }
    [[nodiscard]] const std::string& hypervisorVersion() const { return m_hypervisorVersion; }
    [[nodiscard]] const std::string& hostname() const { return m_hostname; }

    // Lifecycle events arrive on libvirt's event thread; unsubscribing is a
    // barrier (no call is running or will run afterwards).
    int subscribe(Connection::LifecycleFn fn) { return m_connection->subscribe(std::move(fn)); }
    void unsubscribe(int id) { m_connection->unsubscribe(id); }

    // A look at a running VM's agent under a shared lease that frees the
    // channel afterwards: its handshake, its containers and their processes,
    // synced into the inventory. The error says why the agent did not answer.
    [[nodiscard]] Result<AgentPoll> pollAgent(const std::string& vm, std::chrono::milliseconds connectTimeout);
    // A container's console log (the last `tailBytes`) under such a lease;
    // a VM that an exclusive lease holds is busy.
    [[nodiscard]] Result<std::string> containerLogs(const std::string& vm, const std::string& container,
                                                    std::int64_t tailBytes, std::chrono::milliseconds connectTimeout);

private:
    Host() = default;

    std::unique_ptr<Connection> m_connection;
    std::unique_ptr<VmService> m_vms;
    std::unique_ptr<ContainerService> m_containers;
    std::unique_ptr<CheckpointService> m_checkpoints;
    AgentLeases m_leases;
    std::int64_t m_hostId = 0;
    ReconcileReport m_opening;
    std::string m_libvirtVersion, m_hypervisorVersion, m_hostname;
};

} // namespace pidvisor::manager
