#include "HostSession.h"

namespace pidvisor::gui {

using namespace pidvisor::manager;

Result<std::shared_ptr<HostSession>> HostSession::open(Inventory& inventory, const std::string& uri,
                                                       const Paths& paths)
{
    PV_TRY(auto connection, Connection::open(uri));
    std::shared_ptr<HostSession> session(new HostSession());
    session->m_connection = std::move(connection);
    session->m_vms = std::make_unique<VmService>(inventory, *session->m_connection, paths);
    session->m_containers = std::make_unique<ContainerService>(*session->m_vms);
    PV_TRY(session->m_hostId, session->m_vms->hostId());
    session->m_libvirtVersion = session->m_connection->libvirtVersion();
    session->m_hypervisorVersion = session->m_connection->hypervisorVersion();
    session->m_hostname = session->m_connection->hostname();
    // As the CLI does on start: libvirt is the truth about which domains exist.
    PV_TRY(ReconcileReport report, session->m_vms->reconcile(false));
    (void)report;
    return session;
}

HostSession::~HostSession()
{
    // The services refer to the connection: they go first.
    m_containers.reset();
    m_vms.reset();
}

} // namespace pidvisor::gui
