#include "Dispatcher.h"

#include "ContainerNetworking.h"

#include "protocol/Names.h"

#include <csignal>

namespace pidvisor::agent {

using nlohmann::json;
using namespace protocol::command;

namespace {

protocol::CommandResult commandResult(const CommandResult& r)
{
    return {r.exitCode, r.signal, r.out, r.err, r.outTruncated, r.errTruncated, r.timedOut};
}

ExecRequest execRequest(const protocol::GuestExecArgs& a)
{
    ExecRequest req;
    req.argv = a.argv;
    req.env = a.env;
    req.cwd = a.cwd;
    req.stdinData = a.stdinText;
    req.timeout = std::chrono::milliseconds(a.timeoutMs.value_or(0));
    return req;
}

// A result's JSON and payload: records through their one conversion.
template <class R>
Reply reply(R result)
{
    Reply out{protocol::Codec<R>::encode(result), {}};
    if constexpr (requires(R& r) { r.payload; })
        out.payload = std::move(result.payload);
    return out;
}

template <class A>
Result<A> decodeArgs(const json& args)
{
    try {
        return protocol::Codec<A>::decode(args, protocol::Unknown::Refuse, "argument", "");
    } catch (const json::exception& e) {
        return fail(ErrorCode::InvalidArgument, std::string("malformed arguments: ") + e.what());
    }
}

} // namespace

template <class A, class R>
void Dispatcher::add(const protocol::Command<A, R>& command, Result<R> (Dispatcher::*handler)(const A&))
{
    m_handlers.emplace(std::string(command.name), [this, handler](const json& a, RequestContext&) -> Result<Reply> {
        PV_TRY(A args, decodeArgs<A>(a));
        PV_TRY(R result, (this->*handler)(args));
        return reply(std::move(result));
    });
}

template <class A, class R>
void Dispatcher::add(const protocol::Command<A, R>& command,
                     Result<R> (Dispatcher::*handler)(const A&, RequestContext&))
{
    m_handlers.emplace(std::string(command.name), [this, handler](const json& a, RequestContext& ctx) -> Result<Reply> {
        PV_TRY(A args, decodeArgs<A>(a));
        PV_TRY(R result, (this->*handler)(args, ctx));
        return reply(std::move(result));
    });
}

Dispatcher::Dispatcher(ContainerManager& containers, CheckpointManager& checkpoints, SystemInfo info)
    : m_containers(containers), m_checkpoints(checkpoints), m_info(std::move(info))
{
    add(kHello, &Dispatcher::hello);
    add(kSync, &Dispatcher::sync);
    add(kGuestExec, &Dispatcher::guestExec);
    add(kContainerCreate, &Dispatcher::containerCreate);
    add(kContainerList, &Dispatcher::containerList);
    add(kContainerInfo, &Dispatcher::containerInfo);
    add(kContainerPs, &Dispatcher::containerPs);
    add(kContainerExec, &Dispatcher::containerExec);
    add(kContainerLogs, &Dispatcher::containerLogs);
    add(kContainerKill, &Dispatcher::containerKill);
    add(kContainerStop, &Dispatcher::containerStop);
    add(kContainerRm, &Dispatcher::containerRm);
    // Since 2: DispatcherCheckpoints.cpp.
    add(kContainerCheckpoint, &Dispatcher::containerCheckpoint);
    add(kContainerRestore, &Dispatcher::containerRestore);
    add(kContainerResume, &Dispatcher::containerResume);
    add(kCheckpointList, &Dispatcher::checkpointList);
    add(kCheckpointRead, &Dispatcher::checkpointRead);
    add(kCheckpointWrite, &Dispatcher::checkpointWrite);
    add(kCheckpointCommit, &Dispatcher::checkpointCommit);
    add(kCheckpointDelete, &Dispatcher::checkpointDelete);
    // Since 4.
    add(kContainerStart, &Dispatcher::containerStart);
    add(kImageList, &Dispatcher::imageList);
    add(kNetworkProbe, &Dispatcher::networkProbe);
}

Result<protocol::HelloResult> Dispatcher::hello(const protocol::HelloArgs& args)
{
    PV_TRY_STATUS(protocol::checkProtocolVersion(args.protocol));
    protocol::HelloResult result = m_info.hello();
    result.commands = commands();
    return result;
}

Result<protocol::SyncResult> Dispatcher::sync(const protocol::SyncArgs& args)
{
    return protocol::SyncResult{args.nonce, m_info.instance};
}

Result<protocol::CommandResult> Dispatcher::guestExec(const protocol::GuestExecArgs& args)
{
    CommandPlan plan;
    plan.argv = args.argv;
    plan.env = withDefaultEnv(args.env);
    plan.cwd = args.cwd;
    plan.stdinData = args.stdinText;
    plan.timeout = std::chrono::milliseconds(args.timeoutMs.value_or(0));
    PV_TRY(CommandResult r, runCommand(plan));
    return commandResult(r);
}

Result<protocol::ContainerInfo> Dispatcher::containerCreate(const protocol::ContainerCreateArgs& args)
{
    return m_containers.create(withDefaults(args));
}

Result<protocol::ContainerListResult> Dispatcher::containerList(const protocol::NoArgs&)
{
    return protocol::ContainerListResult{m_containers.list()};
}

Result<protocol::ContainerInfo> Dispatcher::containerStart(const protocol::ContainerRef& args)
{
    return m_containers.start(args.name);
}

Result<protocol::ImageListResult> Dispatcher::imageList(const protocol::NoArgs&)
{
    return protocol::ImageListResult{m_containers.images().list()};
}

Result<protocol::NetworkProbeResult> Dispatcher::networkProbe(const protocol::NetworkProbeArgs& args)
{
    auto started = std::chrono::steady_clock::now();
    PV_TRY_STATUS(requireBridge()); // a VM just booted may still be making it
    if (args.gateway)
        PV_TRY_STATUS(awaitNetwork(*args.gateway, args.address));
    PV_TRY(std::optional<std::string> answeredBy, probeAddress(args.address));
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return protocol::NetworkProbeResult{args.address, answeredBy.has_value(), answeredBy, waited.count()};
}

Result<protocol::ContainerInfo> Dispatcher::containerInfo(const protocol::ContainerRef& args)
{
    return m_containers.info(args.name);
}

Result<protocol::ContainerPsResult> Dispatcher::containerPs(const protocol::ContainerRef& args)
{
    PV_TRY(auto processes, m_containers.processes(args.name));
    return protocol::ContainerPsResult{args.name, std::move(processes)};
}

Result<protocol::CommandResult> Dispatcher::containerExec(const protocol::ContainerExecArgs& args)
{
    PV_TRY(CommandResult r, m_containers.exec(args.name, execRequest(args)));
    return commandResult(r);
}

Result<protocol::ContainerLogsResult> Dispatcher::containerLogs(const protocol::ContainerLogsArgs& args)
{
    auto tail = static_cast<std::size_t>(args.tailBytes.value_or(protocol::kMaxLogBytes));
    PV_TRY(std::string data, m_containers.logs(args.name, tail));
    return protocol::ContainerLogsResult{args.name, data.size(), std::move(data)};
}

Result<protocol::ContainerKillResult> Dispatcher::containerKill(const protocol::ContainerKillArgs& args)
{
    return m_containers.kill(args.name, args.signal.number, args.all);
}

Result<protocol::ContainerInfo> Dispatcher::containerStop(const protocol::ContainerStopArgs& args)
{
    return m_containers.stop(args.name, std::chrono::milliseconds(args.timeoutMs));
}

Result<protocol::ContainerRmResult> Dispatcher::containerRm(const protocol::ContainerRmArgs& args)
{
    PV_TRY_STATUS(m_containers.remove(args.name, args.force));
    return protocol::ContainerRmResult{args.name, true};
}

std::vector<std::string> Dispatcher::commands() const
{
    std::vector<std::string> out;
    protocol::forEachCommand([&](const auto& c) {
        if (m_handlers.count(c.name))
            out.emplace_back(c.name);
    });
    return out;
}

Result<Reply> Dispatcher::handle(const protocol::Request& request, RequestContext& context) const
{
    auto it = m_handlers.find(request.cmd);
    if (it == m_handlers.end())
        return fail(ErrorCode::Unsupported, "unknown command " + protocol::quoteForMessage(request.cmd));
    try {
        return it->second(request.args, context);
    } catch (const std::exception& e) {
        return fail(ErrorCode::Internal, "command '" + request.cmd + "' failed unexpectedly: " + e.what());
    }
}

} // namespace pidvisor::agent
