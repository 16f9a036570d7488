#include "Host.h"

namespace pidvisor::manager {

namespace {
const CallOptions kPollCall{std::chrono::seconds(10), {}, {}, {}};
} // namespace

Result<std::unique_ptr<Host>> Host::open(Inventory& inventory, const std::string& uri, const Paths& paths,
                                         AgentTransportMode mode)
{
    PV_TRY(auto connection, Connection::open(uri));
    std::unique_ptr<Host> host(new Host());
    host->m_connection = std::move(connection);
    host->m_vms = std::make_unique<VmService>(inventory, *host->m_connection, paths, mode);
    host->m_containers = std::make_unique<ContainerService>(*host->m_vms);
    host->m_checkpoints = std::make_unique<CheckpointService>(*host->m_vms);
    PV_TRY(host->m_hostId, host->m_vms->hostId());
    host->m_libvirtVersion = host->m_connection->libvirtVersion();
    host->m_hypervisorVersion = host->m_connection->hypervisorVersion();
    host->m_hostname = host->m_connection->hostname();
    PV_TRY(host->m_opening, host->m_vms->reconcile(false));
    return host;
}

Host::~Host()
{
    // The services refer to the connection and to each other: they go first.
    m_checkpoints.reset();
    m_containers.reset();
    m_vms.reset();
}

Result<AgentPoll> Host::pollAgent(const std::string& vm, std::chrono::milliseconds connectTimeout)
{
    auto lease = m_leases.acquire(vm, false);
    PV_TRY(auto client, m_vms->agent(vm, connectTimeout));
    lease.disconnectWhenIdle(client);
    PV_TRY(VmRecord record, m_vms->record(vm));
    return AgentPoll{client->agentHello(), refreshContainers(*client, inventory(), record.id, kPollCall)};
}

Result<std::string> Host::containerLogs(const std::string& vm, const std::string& container, std::int64_t tailBytes,
                                        std::chrono::milliseconds connectTimeout)
{
    if (m_leases.exclusivelyHeld(vm))
        return fail(ErrorCode::FailedPrecondition, "VM '" + vm + "' is busy with an operation");
    auto lease = m_leases.acquire(vm, false);
    PV_TRY(auto client, m_vms->agent(vm, connectTimeout));
    lease.disconnectWhenIdle(client);
    return m_containers->logs(vm, container, tailBytes);
}

} // namespace pidvisor::manager
