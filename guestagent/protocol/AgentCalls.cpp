#include "AgentCalls.h"

namespace pidvisor::protocol {

using namespace command;

Result<Response> AgentCalls::call(std::string_view cmd, nlohmann::json args, const CallOptions& options)
{
    PV_TRY(std::uint64_t id, sendRequest(cmd, std::move(args), options));
    return await(id, options);
}

Result<HelloResult> AgentCalls::hello(const std::string& client, const CallOptions& options)
{
    PV_TRY(HelloResult hello, invoke(kHello, HelloArgs{client, kProtocolVersion}, options));
    PV_TRY_STATUS(checkProtocolVersion(hello.protocol));
    return hello;
}

Result<SyncResult> AgentCalls::sync(const std::string& nonce, const CallOptions& options)
{
    return invoke(kSync, SyncArgs{nonce}, options);
}

Result<CommandResult> AgentCalls::guestExec(const GuestExecArgs& args, const CallOptions& options)
{
    return invoke(kGuestExec, args, options);
}

Result<ContainerInfo> AgentCalls::containerCreate(const ContainerSpec& spec, const CallOptions& options)
{
    return invoke(kContainerCreate, spec, options);
}

Result<ContainerListResult> AgentCalls::containerList(const CallOptions& options)
{
    return invoke(kContainerList, NoArgs{}, options);
}

Result<ContainerInfo> AgentCalls::containerStart(const std::string& name, const CallOptions& options)
{
    return invoke(kContainerStart, ContainerRef{name}, options);
}

Result<ImageListResult> AgentCalls::imageList(const CallOptions& options)
{
    return invoke(kImageList, NoArgs{}, options);
}

Result<NetworkProbeResult> AgentCalls::networkProbe(const NetworkProbeArgs& args, const CallOptions& options)
{
    return invoke(kNetworkProbe, args, options);
}

Result<ContainerInfo> AgentCalls::containerInfo(const std::string& name, const CallOptions& options)
{
    return invoke(kContainerInfo, ContainerRef{name}, options);
}

Result<ContainerPsResult> AgentCalls::containerPs(const std::string& name, const CallOptions& options)
{
    return invoke(kContainerPs, ContainerRef{name}, options);
}

Result<CommandResult> AgentCalls::containerExec(const ContainerExecArgs& args, const CallOptions& options)
{
    return invoke(kContainerExec, args, options);
}

Result<ContainerLogsResult> AgentCalls::containerLogs(const ContainerLogsArgs& args, const CallOptions& options)
{
    return invoke(kContainerLogs, args, options);
}

Result<ContainerKillResult> AgentCalls::containerKill(const ContainerKillArgs& args, const CallOptions& options)
{
    return invoke(kContainerKill, args, options);
}

Result<ContainerInfo> AgentCalls::containerStop(const ContainerStopArgs& args, const CallOptions& options)
{
    return invoke(kContainerStop, args, options);
}

Result<ContainerRmResult> AgentCalls::containerRm(const ContainerRmArgs& args, const CallOptions& options)
{
    return invoke(kContainerRm, args, options);
}

Result<CheckpointManifest> AgentCalls::containerCheckpoint(const ContainerCheckpointArgs& args,
                                                           const CallOptions& options)
{
    return invoke(kContainerCheckpoint, args, options);
}

Result<ContainerRestoreResult> AgentCalls::containerRestore(const ContainerRestoreArgs& args,
                                                            const CallOptions& options)
{
    return invoke(kContainerRestore, args, options);
}

Result<ContainerResumeResult> AgentCalls::containerResume(const std::string& name, const CallOptions& options)
{
    return invoke(kContainerResume, ContainerRef{name}, options);
}

Result<CheckpointListResult> AgentCalls::checkpointList(const CallOptions& options)
{
    return invoke(kCheckpointList, NoArgs{}, options);
}

Result<CheckpointReadResult> AgentCalls::checkpointRead(const CheckpointReadArgs& args, const CallOptions& options)
{
    return invoke(kCheckpointRead, args, options);
}

Result<CheckpointWriteResult> AgentCalls::checkpointWrite(const CheckpointWriteArgs& args,
                                                          const std::function<Status(std::uint64_t)>& upload,
                                                          const CallOptions& options)
{
    PV_TRY(std::uint64_t id, sendRequest(kCheckpointWrite.name, Codec<CheckpointWriteArgs>::encode(args), options));
    auto sent = upload(id);
    PV_TRY(Response response, await(id, options));
    PV_TRY_STATUS(sent);
    return decodeResult<CheckpointWriteResult>(kCheckpointWrite.name, *response.result, std::move(response.payload));
}

Result<CheckpointCommitResult> AgentCalls::checkpointCommit(const std::string& id, const CallOptions& options)
{
    return invoke(kCheckpointCommit, CheckpointRef{id}, options);
}

Result<CheckpointDeleteResult> AgentCalls::checkpointDelete(const std::string& id, const CallOptions& options)
{
    return invoke(kCheckpointDelete, CheckpointRef{id}, options);
}

Status checkProtocolVersion(std::int64_t peer)
{
    if (peer != kProtocolVersion)
        return fail(ErrorCode::Unsupported, "protocol version " + std::to_string(peer) + ", need " +
                                                std::to_string(kProtocolVersion));
    return {};
}

} // namespace pidvisor::protocol
