// VmService: reading VMs, reaching their agents, and reconciling the
// inventory with what libvirt has.
#include "VmService.h"

#include "ContainerSync.h"

#include "libvirt/ImagePool.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace pidvisor::manager {

using nlohmann::json;

json VmView::toJson() const
{
    const VmRecord& r = record;
    json j{{"name", r.name},
           {"state", r.missing ? "missing" : vmStateText(r.state)},
           {"accel", r.accel},
           {"kernel", r.kernel},
           {"kernel_release", r.kernelRelease},
           {"memory_mib", r.memoryMiB},
           {"vcpus", r.vcpus},
           {"image", r.imageId},
           {"uuid", r.uuid},
           {"uri", uri},
           {"missing", r.missing},
           {"data_disk", r.dataDisk},
           {"console_log", r.consoleLog},
           {"agent_version", r.agentVersion},
           {"created_at", r.createdAt}};
    j["boot_to_ready_ms"] = r.bootToReadyMs ? json(*r.bootToReadyMs) : json(nullptr);
    if (net) {
        j["network"] = net->network.empty() ? json(nullptr) : json(net->network);
        j["mac"] = net->mac;
        j["addresses"] = net->addresses;
    }
    return j;
}

json ReconcileReport::toJson() const
{
    return {{"adopted", adopted}, {"missing", missing}, {"refreshed", refreshed}, {"problems", problems},
            {"updated", updated}};
}

std::string VmService::ownerTag() const
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::error_code ec;
    std::string path = m_inventory.path() == ":memory:" ? m_inventory.path()
                                                         : std::filesystem::absolute(m_inventory.path(), ec).string();
    return std::string(host) + ":" + path;
}

bool VmService::mayAdopt(const std::string& owner) const
{
    if (owner.empty() || owner == ownerTag())
        return true;
    auto colon = owner.find(':');
    std::string mine = ownerTag();
    if (colon == std::string::npos || owner.substr(0, colon) != mine.substr(0, mine.find(':')))
        return false; // another machine's manager
    std::string path = owner.substr(colon + 1);
    return path != ":memory:" && !std::filesystem::exists(path);
}

Status VmService::refreshState(VmRecord& vm)
{
    auto dom = m_conn.lookup(vm.name);
    if (!dom) {
        if (dom.error().code != ErrorCode::NotFound)
            return fail(dom.error());
        if (!vm.missing) {
            vm.missing = true;
            PV_TRY_STATUS(m_inventory.setVmMissing(vm.id, true));
        }
        return {};
    }
    VmState state = m_conn.state(dom->get()).value_or(vm.state);
    if (state != vm.state || vm.missing) {
        vm.state = state;
        vm.missing = false;
        PV_TRY_STATUS(m_inventory.setVmMissing(vm.id, false));
        PV_TRY_STATUS(m_inventory.setVmState(vm.id, vm.state));
    }
    return {};
}

Result<std::vector<VmView>> VmService::list()
{
    PV_TRY(std::int64_t host, hostId());
    PV_TRY(auto vms, m_inventory.vms(host));
    std::vector<VmView> out;
    for (auto& vm : vms) {
        PV_TRY_STATUS(refreshState(vm));
        out.push_back(VmView{vm, m_conn.uri()});
    }
    return out;
}

Result<VmView> VmService::show(const std::string& name)
{
    PV_TRY(VmRecord vm, record(name));
    PV_TRY_STATUS(refreshState(vm));
    VmView view{vm, m_conn.uri(), VmNetworkView{}};
    if (vm.missing)
        return view;
    PV_TRY(view.net, network(name));
    return view;
}

Result<VmNetworkView> VmService::network(const std::string& name) const
{
    PV_TRY(DomainPtr dom, m_conn.lookup(name));
    PV_TRY(std::string xml, m_conn.xml(dom.get(), true));
    PV_TRY(DomainFacts facts, readDomainFacts(xml));
    VmNetworkView net{facts.network, facts.mac, {}};
    if (facts.network.empty() || virDomainIsActive(dom.get()) != 1)
        return net;
    virDomainInterfacePtr* ifaces = nullptr;
    int n = virDomainInterfaceAddresses(dom.get(), &ifaces, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0);
    if (n < 0)
        virResetLastError(); // no lease yet, or a driver without leases: no address to show
    for (int i = 0; i < n; ++i) {
        virDomainInterfacePtr iface = ifaces[i];
        if (iface->hwaddr && facts.mac == iface->hwaddr)
            for (unsigned a = 0; a < iface->naddrs; ++a)
                net.addresses.push_back(std::string(iface->addrs[a].addr) + "/" +
                                        std::to_string(iface->addrs[a].prefix));
        virDomainInterfaceFree(iface);
    }
    std::free(ifaces);
    return net;
}

Result<std::string> VmService::consoleLog(const std::string& name, std::size_t maxBytes)
{
    PV_TRY(VmRecord vm, record(name));
    // Read through libvirt where the file is not ours to read: another
    // machine's, or (as a non-root member of the 'libvirt' group) root's.
    bool readable = m_conn.isLocal() && ::access(vm.consoleLog.c_str(), R_OK) == 0;
    if (!readable && (!m_conn.isLocal() || errno == EACCES)) {
        ImagePool pool(m_conn);
        return pool.download(name + "-console.log", maxBytes);
    }
    std::ifstream in(vm.consoleLog, std::ios::binary | std::ios::ate);
    if (!in)
        return std::string{};
    auto size = static_cast<std::size_t>(in.tellg());
    std::size_t take = std::min(size, maxBytes);
    in.seekg(static_cast<std::streamoff>(size - take));
    std::string text(take, '\0');
    in.read(text.data(), static_cast<std::streamsize>(take));
    return text;
}

AgentClient::TransportFactory VmService::transportFor(const std::string& name) const
{
    if (m_transportOverride)
        return [open = m_transportOverride, name] { return open(name); };
    bool stream = m_mode == AgentTransportMode::Stream || (m_mode == AgentTransportMode::Auto && !m_conn.isLocal());
    bool automatic = m_mode == AgentTransportMode::Auto;
    const Connection* conn = &m_conn;
    return [conn, name, stream, automatic]() -> Result<std::unique_ptr<AgentTransport>> {
        if (stream)
            return openStreamTransport(*conn, name, kAgentChannel, false);
        PV_TRY(DomainPtr dom, conn->lookup(name));
        PV_TRY(std::string xml, conn->xml(dom.get()));
        auto path = agentSocketPath(xml);
        if (!path)
            return fail(ErrorCode::FailedPrecondition, "VM '" + name + "' has no agent channel socket (not running?)");
        auto unix = openUnixTransport(*path);
        // The socket belongs to QEMU's user: a non-root member of the
        // 'libvirt' group goes through libvirtd instead.
        if (!unix && automatic && unix.error().code == ErrorCode::PermissionDenied)
            return openStreamTransport(*conn, name, kAgentChannel, false);
        return unix;
    };
}

void VmService::forgetAgent(const std::string& name)
{
    std::shared_ptr<AgentClient> old;
    {
        std::lock_guard lock(m_agentsMutex);
        auto it = m_agents.find(name);
        if (it == m_agents.end())
            return;
        old = std::move(it->second);
        m_agents.erase(it);
    }
    old->disconnect();
}

Result<std::shared_ptr<AgentClient>> VmService::agent(const std::string& name, std::chrono::milliseconds timeout)
{
    PV_TRY(VmRecord vm, record(name));
    PV_TRY(DomainPtr dom, m_conn.lookup(name));
    PV_TRY(VmState state, m_conn.state(dom.get()));
    if (state != VmState::Running)
        return fail(ErrorCode::FailedPrecondition, "VM '" + name + "' is not running (" + vmStateText(state) + ")");
    std::shared_ptr<AgentClient> client;
    {
        std::lock_guard lock(m_agentsMutex);
        auto& slot = m_agents[name];
        if (!slot)
            slot = std::make_shared<AgentClient>(name, transportFor(name));
        client = slot;
    }
    PV_TRY_STATUS(client->connect(timeout, consoleHint(vm)));
    return client;
}

Result<VmRecord> VmService::adopt(std::int64_t host, const DomainInfo& d,
                                  const std::optional<PidvisorMetadata>& meta)
{
    VmRecord vm;
    vm.hostId = host;
    vm.name = d.name;
    vm.uuid = d.uuid;
    vm.state = d.state;
    if (meta) {
        vm.accel = meta->accel;
        vm.kernel = meta->kernel;
        PV_TRY(auto image, m_inventory.findImage(meta->imageId));
        vm.imageId = image ? meta->imageId : "";
    }
    if (auto dom = m_conn.lookup(d.name))
        if (auto xml = m_conn.xml(dom->get(), true))
            if (auto facts = readDomainFacts(*xml)) {
                vm.memoryMiB = facts->memoryMiB;
                vm.vcpus = facts->vcpus;
                vm.consoleLog = facts->consoleLogPath;
                vm.dataDisk = facts->dataDiskPath;
            }
    PV_TRY(vm.id, m_inventory.insertVm(vm));
    return vm;
}

Status VmService::refreshContainerList(const VmRecord& vm)
{
    PV_TRY(auto client, agent(vm.name, std::chrono::seconds(5)));
    PV_TRY(auto listed,
           refreshContainers(*client, m_inventory, vm.id, CallOptions{std::chrono::seconds(10), {}, {}, {}}));
    (void)listed;
    return {};
}

Result<ReconcileReport> VmService::reconcile(bool refreshContainers)
{
    ReconcileReport report;
    PV_TRY(std::int64_t host, hostId());
    PV_TRY(auto domains, m_conn.listDomains());
    PV_TRY(auto known, m_inventory.vms(host));
    std::map<std::string, VmRecord> byName;
    for (auto& vm : known)
        byName[vm.name] = vm;

    for (const auto& d : domains) {
        if (!d.metadata)
            continue; // not a Pidvisor VM
        auto parsed = parseMetadata(*d.metadata);
        std::optional<PidvisorMetadata> meta = parsed ? std::optional(*parsed) : std::nullopt;
        auto it = byName.find(d.name);
        if (it != byName.end()) {
            VmRecord& vm = it->second;
            if (vm.state != d.state || vm.missing || vm.uuid != d.uuid) {
                vm.state = d.state;
                vm.missing = false;
                vm.uuid = d.uuid;
                PV_TRY_STATUS(m_inventory.updateVm(vm));
                ++report.updated;
            }
        } else if (!meta || mayAdopt(meta->owner)) {
            // Pidvisor's, unknown here, and no other live inventory's.
            PV_TRY(byName[d.name], adopt(host, d, meta));
            report.adopted.push_back(d.name);
        }
    }
    for (auto& [name, vm] : byName) {
        const std::string& wanted = name; // (clang 14 cannot capture a structured binding)
        bool present =
            std::any_of(domains.begin(), domains.end(), [&](const DomainInfo& d) { return d.name == wanted; });
        if (!present && !vm.missing) {
            PV_TRY_STATUS(m_inventory.setVmMissing(vm.id, true));
            report.missing.push_back(name);
        }
    }
    for (auto& [name, vm] : byName) {
        if (!refreshContainers || vm.state != VmState::Running || vm.missing)
            continue;
        if (auto refreshed = refreshContainerList(vm); refreshed)
            report.refreshed.push_back(name);
        else
            report.problems.push_back(name + ": " + refreshed.error().message);
    }
    return report;
}

} // namespace pidvisor::manager
