// AgentCalls: the typed client calls of the agent protocol, one per command
// of Commands.h, shared by every client (the manager's AgentClient, the
// in-guest CLI's).
//
// A client implements how a request travels (sendRequest, send, await);
// AgentCalls adds the typed calls on top: each encodes its arguments with
// the record's one conversion (Schema.h), and decodes and checks the result
// the same way, so a result that does not match its declaration is a
// protocol_error, not a surprise further down:
//
//   PV_TRY(ContainerListResult listed, agent.containerList());
//   for (const ContainerInfo& c : listed.containers) ...
#pragma once

#include "Commands.h"
#include "Message.h"

#include <chrono>
#include <functional>
#include <string>

namespace pidvisor::protocol {

struct CallOptions {
    std::chrono::milliseconds timeout{120000};
    std::function<void(const Progress&)> onProgress;
    std::function<void(const Frame&)> onData;
    std::string payload;
};

class AgentCalls {
public:
    virtual ~AgentCalls() = default;

    // How a request travels: send it, (stream data frames with its id,)
    // await its response. An error response is the Result's error.
    [[nodiscard]] virtual Result<std::uint64_t> sendRequest(std::string_view cmd, nlohmann::json args,
                                                            const CallOptions& options) = 0;
    [[nodiscard]] virtual Status send(const Frame& frame) = 0;
    [[nodiscard]] virtual Result<Response> await(std::uint64_t id, const CallOptions& options) = 0;

    // One untyped request (sendRequest, then await); the typed calls go
    // through it. Tests use it to send what no typed call would.
    [[nodiscard]] virtual Result<Response> call(std::string_view cmd, nlohmann::json args,
                                                const CallOptions& options = {});

    // One typed request.
    template <class A, class R>
    [[nodiscard]] Result<R> invoke(const Command<A, R>& command, const A& args, const CallOptions& options = {});

    [[nodiscard]] Result<HelloResult> hello(const std::string& client, const CallOptions& options = {});
    [[nodiscard]] Result<SyncResult> sync(const std::string& nonce, const CallOptions& options = {});
    [[nodiscard]] Result<CommandResult> guestExec(const GuestExecArgs& args, const CallOptions& options = {});
    [[nodiscard]] Result<ContainerInfo> containerCreate(const ContainerSpec& spec, const CallOptions& options = {});
    [[nodiscard]] Result<ContainerListResult> containerList(const CallOptions& options = {});
    [[nodiscard]] Result<ContainerInfo> containerStart(const std::string& name, const CallOptions& options = {});
    [[nodiscard]] Result<ImageListResult> imageList(const CallOptions& options = {});
    [[nodiscard]] Result<NetworkProbeResult> networkProbe(const NetworkProbeArgs& args, const CallOptions& options = {});
    [[nodiscard]] Result<ContainerInfo> containerInfo(const std::string& name, const CallOptions& options = {});
    [[nodiscard]] Result<ContainerPsResult> containerPs(const std::string& name, const CallOptions& options = {});
    [[nodiscard]] Result<CommandResult> containerExec(const ContainerExecArgs& args, const CallOptions& options = {});
    [[nodiscard]] Result<ContainerLogsResult> containerLogs(const ContainerLogsArgs& args,
                                                            const CallOptions& options = {});
    [[nodiscard]] Result<ContainerKillResult> containerKill(const ContainerKillArgs& args,
                                                            const CallOptions& options = {});
    [[nodiscard]] Result<ContainerInfo> containerStop(const ContainerStopArgs& args, const CallOptions& options = {});
    [[nodiscard]] Result<ContainerRmResult> containerRm(const ContainerRmArgs& args, const CallOptions& options = {});
    [[nodiscard]] Result<CheckpointManifest> containerCheckpoint(const ContainerCheckpointArgs& args,
                                                                 const CallOptions& options = {});
    [[nodiscard]] Result<ContainerRestoreResult> containerRestore(const ContainerRestoreArgs& args,
                                                                  const CallOptions& options = {});
    [[nodiscard]] Result<ContainerResumeResult> containerResume(const std::string& name,
                                                                const CallOptions& options = {});
    [[nodiscard]] Result<CheckpointListResult> checkpointList(const CallOptions& options = {});
    // Files arrive as data frames (options.onData) before the result.
    [[nodiscard]] Result<CheckpointReadResult> checkpointRead(const CheckpointReadArgs& args,
                                                              const CallOptions& options = {});
    // `upload` sends the files as data frames carrying the request's id
    // (send()); the agent answers either way, and its answer, naming a bad
    // file, wins over the upload's own error.
    [[nodiscard]] Result<CheckpointWriteResult> checkpointWrite(const CheckpointWriteArgs& args,
                                                                const std::function<Status(std::uint64_t)>& upload,
                                                                const CallOptions& options = {});
    [[nodiscard]] Result<CheckpointCommitResult> checkpointCommit(const std::string& id,
                                                                  const CallOptions& options = {});
    [[nodiscard]] Result<CheckpointDeleteResult> checkpointDelete(const std::string& id,
                                                                  const CallOptions& options = {});
};

// A result's JSON (and payload) as its declared type; a mismatch is a
// protocol_error naming the command.
template <class R>
[[nodiscard]] Result<R> decodeResult(std::string_view cmd, const nlohmann::json& result, std::string payload)
{
    auto decoded = Codec<R>::decode(result, Unknown::Ignore, "result field", "");
    if (!decoded)
        return fail(ErrorCode::ProtocolError,
                    "the agent's answer to '" + std::string(cmd) + "' is malformed: " + decoded.error().message);
    if constexpr (requires(R& r) { r.payload; })
        decoded->payload = std::move(payload);
    return decoded;
}

// The frame of one typed request, for clients that write frames themselves
// (the handshake's sync, tests).
template <class A, class R>
[[nodiscard]] Frame requestFrame(std::uint64_t id, const Command<A, R>& command, const A& args)
{
    return makeRequest(id, command.name, Codec<A>::encode(args));
}

template <class A, class R>
Result<R> AgentCalls::invoke(const Command<A, R>& command, const A& args, const CallOptions& options)
{
    PV_TRY(Response response, call(command.name, Codec<A>::encode(args), options));
    return decodeResult<R>(command.name, *response.result, std::move(response.payload));
}

} // namespace pidvisor::protocol
