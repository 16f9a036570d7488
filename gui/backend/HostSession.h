// HostSession: one libvirt connection and the manager services over it
// (VmService, ContainerService), opened off the UI thread and shared by
// the backend's refreshes and the operations' worker threads.
//
// The services are used from several threads at once: libvirt connections
// and AgentClient are thread-safe, the inventory serialises its calls, and
// the VmService's host id is resolved here, before anyone else can race on
// it. AgentLeases keep the agents' single-client channels free between uses.
#pragma once

#include "AgentLeases.h"

#include "libvirt/Connection.h"
#include "vm/ContainerService.h"
#include "vm/VmService.h"

#include <memory>
#include <string>

namespace pidvisor::gui {

class HostSession {
public:
    // Connects, records the host and reconciles the inventory with libvirt
    // (adopting Pidvisor domains, marking vanished ones missing).
    [[nodiscard]] static Result<std::shared_ptr<HostSession>> open(manager::Inventory& inventory,
                                                                   const std::string& uri,
                                                                   const manager::Paths& paths);
    ~HostSession();
    HostSession(const HostSession&) = delete;
    HostSession& operator=(const HostSession&) = delete;

    [[nodiscard]] const std::string& uri() const { return m_connection->uri(); }
    [[nodiscard]] std::int64_t hostId() const { return m_hostId; }
    [[nodiscard]] manager::Connection& connection() { return *m_connection; }
    [[nodiscard]] manager::VmService& vms() { return *m_vms; }
    [[nodiscard]] manager::ContainerService& containers() { return *m_containers; }
    [[nodiscard]] manager::Inventory& inventory() { return m_vms->inventory(); }
    [[nodiscard]] AgentLeases& leases() { return m_leases; }
    [[nodiscard]] const std::string& libvirtVersion() const { return m_libvirtVersion; }
    [[nodiscard]] const std::string& hypervisorVersion() const { return m_hypervisorVersion; }
    [[nodiscard]] const std::string& hostname() const { return m_hostname; }

    // Lifecycle events arrive on libvirt's event thread; unsubscribing is a
    // barrier (no call is running or will run afterwards).
    int subscribe(manager::Connection::LifecycleFn fn) { return m_connection->subscribe(std::move(fn)); }
    void unsubscribe(int id) { m_connection->unsubscribe(id); }

private:
    HostSession() = default;

    std::unique_ptr<manager::Connection> m_connection;
    std::unique_ptr<manager::VmService> m_vms;
    std::unique_ptr<manager::ContainerService> m_containers;
    AgentLeases m_leases;
    std::int64_t m_hostId = 0;
    std::string m_libvirtVersion, m_hypervisorVersion, m_hostname;
};

} // namespace pidvisor::gui
