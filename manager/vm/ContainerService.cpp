#include "ContainerService.h"

#include "ContainerAddresses.h"

#include "ImageDelivery.h"

#include "core/OperationScope.h"
#include "images/ImageService.h"
#include "protocol/ImageDefaults.h"

namespace pidvisor::manager {

using nlohmann::json;

namespace {

constexpr auto kLong = std::chrono::hours(24);

CallOptions within(std::chrono::milliseconds timeout)
{
    return CallOptions{timeout, {}, {}, {}};
}

// How many addresses create tries when each one it picks is answered for.
constexpr std::size_t kProbedAddresses = 8;

json argvDetail(const protocol::GuestExecArgs& command)
{
    return {{"argv", command.argv}};
}

} // namespace

template <class Call>
auto ContainerService::ask(const std::string& vm, const Call& call, bool refreshAfter)
    -> decltype(call(std::declval<AgentClient&>()))
{
    PV_TRY(auto client, m_vms.agent(vm));
    auto result = call(*client);
    if (!result)
        return fail(result.error().withContext("VM '" + vm + "'"));
    if (refreshAfter) {
        PV_TRY(auto listed, refresh(vm, *client));
        (void)listed;
    }
    return result;
}

Result<ContainerListing> ContainerService::refresh(const std::string& vm, AgentClient& agent)
{
    PV_TRY(VmRecord rec, m_vms.record(vm));
    auto listed = refreshContainers(agent, m_vms.inventory(), rec.id);
    if (!listed)
        return fail(listed.error().withContext("VM '" + vm + "'"));
    return listed;
}

Result<protocol::ContainerInfo> ContainerService::createWithAddress(const std::string& vm, protocol::ContainerSpec spec,
                                                                    const NetworkChoice& choice)
{
    PV_TRY(VmRecord record, m_vms.record(vm));
    ContainerAddresses addresses(m_vms.inventory(), m_vms.connection());
    spec.network.reset();
    if (!choice.none) {
        PV_TRY(VmNetworkView net, m_vms.network(vm));
        // The inventory knows its own containers; an ARP probe from the VM
        // finds the rest (another host, another inventory's container).
        std::set<std::string> answered;
        for (;;) {
            PV_TRY(spec.network, addresses.allocate(record, net.network, spec.name, choice.address, answered));
            if (!spec.network)
                break;
            std::string address = spec.network->address.substr(0, spec.network->address.find('/'));
            protocol::NetworkProbeArgs args{address, spec.network->gateway};
            auto probe = ask(vm, [&](AgentClient& a) { return a.networkProbe(args); });
            if (probe && !probe->inUse)
                break;
            addresses.release(record, spec.name);
            if (!probe)
                return fail(probe.error());
            answered.insert(address);
            if (!choice.address.empty() || answered.size() >= kProbedAddresses)
                return fail(ErrorCode::AlreadyExists,
                            "address " + address + " on network '" + net.network + "' is in use: " +
                                probe->mac.value_or("a machine") +
                                " answered for it (another host, or a container of another Pidvisor inventory)" +
                                (choice.address.empty() ? "; the " + std::to_string(answered.size()) +
                                                              " addresses tried were all answered for"
                                                        : std::string()));
        }
    }
    auto created = ask(vm, [&](AgentClient& a) { return a.containerCreate(spec); }, true);
    if (!created && spec.network)
        addresses.release(record, spec.name);
    return created;
}

Result<protocol::ContainerInfo> ContainerService::create(const std::string& vm, protocol::ContainerSpec spec,
                                                         const NetworkChoice& network)
{
    OperationScope op(m_vms.inventory(), "container.create", vm + "/" + spec.name, protocol::encode(spec));
    return op.finish(createWithAddress(vm, std::move(spec), network));
}

Result<protocol::ContainerInfo> ContainerService::createFromImage(const std::string& vm, protocol::ContainerSpec spec,
                                                                  const std::string& imageRef,
                                                                  const std::vector<std::string>& command,
                                                                  bool cwdGiven, const ProgressFn& progress,
                                                                  const NetworkChoice& network)
{
    OperationScope op(m_vms.inventory(), "container.create", vm + "/" + spec.name, {{"image", imageRef}});
    auto result = [&]() -> Result<protocol::ContainerInfo> {
        ImageService images(m_vms.inventory(), m_vms.paths());
        PV_TRY(ContainerImageRecord image, images.find(imageRef));
        PV_TRY_STATUS(protocol::applyImage(spec, image.info, command, cwdGiven));
        op.addDetail("spec", protocol::encode(spec));
        PV_TRY(auto client, m_vms.agent(vm));
        PV_TRY_STATUS(provideImage(m_vms, *client, vm, image.info.digest, progress));
        report(progress, "creating container " + spec.name);
        return createWithAddress(vm, spec, network);
    }();
    return op.finish(std::move(result));
}

Result<protocol::ContainerInfo> ContainerService::start(const std::string& vm, const std::string& name)
{
    OperationScope op(m_vms.inventory(), "container.start", vm + "/" + name);
    auto result = [&]() -> Result<protocol::ContainerInfo> {
        PV_TRY(auto client, m_vms.agent(vm));
        PV_TRY(protocol::ContainerInfo info, client->containerInfo(name));
        // Its address may have gone to a restored copy elsewhere meanwhile.
        PV_TRY(VmRecord record, m_vms.record(vm));
        ContainerAddresses addresses(m_vms.inventory(), m_vms.connection());
        if (info.spec.network) {
            PV_TRY(VmNetworkView net, m_vms.network(vm));
            PV_TRY_STATUS(addresses.checkRestore(record, net.network, *info.spec.network,
                                                 std::pair<std::int64_t, std::string>{record.id, name}));
            PV_TRY_STATUS(addresses.settleRestore(record, name, *info.spec.network));
        }
        // After a VM restart an image disk is in the definition already;
        // this only waits for the agent to mount it.
        if (info.spec.image)
            PV_TRY_STATUS(provideImage(m_vms, *client, vm, *info.spec.image, {}));
        return ask(vm, [&](AgentClient& a) { return a.containerStart(name); }, true);
    }();
    return op.finish(std::move(result));
}

Result<std::vector<protocol::ContainerInfo>> ContainerService::list(const std::string& vm)
{
    PV_TRY(auto client, m_vms.agent(vm));
    PV_TRY(ContainerListing listed, refresh(vm, *client));
    return std::move(listed.containers);
}

Result<protocol::ContainerInfo> ContainerService::info(const std::string& vm, const std::string& name)
{
    return ask(vm, [&](AgentClient& a) { return a.containerInfo(name); });
}

Result<std::vector<protocol::Process>> ContainerService::processes(const std::string& vm, const std::string& name)
{
    PV_TRY(auto ps, ask(vm, [&](AgentClient& a) { return a.containerPs(name); }));
    return ps.processes;
}

Result<protocol::CommandResult> ContainerService::exec(const std::string& vm, const std::string& name,
                                                       const protocol::GuestExecArgs& command)
{
    OperationScope op(m_vms.inventory(), "container.exec", vm + "/" + name, argvDetail(command));
    protocol::ContainerExecArgs args;
    static_cast<protocol::GuestExecArgs&>(args) = command;
    args.name = name;
    return op.finish(ask(vm, [&](AgentClient& a) { return a.containerExec(args, within(kLong)); }));
}

Result<std::string> ContainerService::logs(const std::string& vm, const std::string& name, std::int64_t tailBytes)
{
    protocol::ContainerLogsArgs args{name, {}};
    if (tailBytes > 0)
        args.tailBytes = tailBytes;
    PV_TRY(auto logs, ask(vm, [&](AgentClient& a) { return a.containerLogs(args); }));
    return std::move(logs.payload);
}

Result<protocol::ContainerKillResult> ContainerService::kill(const std::string& vm, const std::string& name,
                                                             protocol::Signal signal, bool all)
{
    OperationScope op(m_vms.inventory(), "container.kill", vm + "/" + name, {{"signal", signal.number}, {"all", all}});
    protocol::ContainerKillArgs args{name, signal, all};
    return op.finish(ask(vm, [&](AgentClient& a) { return a.containerKill(args); }));
}

Result<protocol::ContainerInfo> ContainerService::stop(const std::string& vm, const std::string& name,
                                                       std::int64_t timeoutMs)
{
    OperationScope op(m_vms.inventory(), "container.stop", vm + "/" + name);
    protocol::ContainerStopArgs args{name, timeoutMs};
    auto wait = std::chrono::milliseconds(timeoutMs) + std::chrono::seconds(30);
    return op.finish(ask(vm, [&](AgentClient& a) { return a.containerStop(args, within(wait)); }, true));
}

Status ContainerService::remove(const std::string& vm, const std::string& name, bool force)
{
    OperationScope op(m_vms.inventory(), "container.rm", vm + "/" + name, {{"force", force}});
    auto result = [&]() -> Status {
        PV_TRY(auto client, m_vms.agent(vm));
        PV_TRY(auto removed, ask(vm, [&](AgentClient& a) { return a.containerRm({name, force}); }, true));
        (void)removed;
        if (auto record = m_vms.record(vm))
            ContainerAddresses(m_vms.inventory(), m_vms.connection()).release(*record, name);
        // The container is gone; a disk left attached only costs a slot.
        if (auto released = releaseUnusedImages(m_vms, *client, vm); !released)
            op.addDetail("image_release_error", released.error().message);
        return {};
    }();
    return op.finish(std::move(result));
}

Result<protocol::CommandResult> ContainerService::guestExec(const std::string& vm, const protocol::GuestExecArgs& command)
{
    OperationScope op(m_vms.inventory(), "vm.exec", vm, argvDetail(command));
    return op.finish(ask(vm, [&](AgentClient& a) { return a.guestExec(command, within(kLong)); }));
}

} // namespace pidvisor::manager
