// Dispatcher: the checkpoint commands (protocol version 2).
#include "Dispatcher.h"

#include "protocol/AgentCalls.h"

namespace pidvisor::agent {

using nlohmann::json;
using namespace protocol::command;

namespace {

// CheckpointManager answers JSON it builds itself; reading it back through
// the declared record checks that the agent says what the protocol says.
template <class R>
Result<R> typed(std::string_view cmd, Result<json> result)
{
    if (!result)
        return fail(result.error());
    auto decoded = protocol::decodeResult<R>(cmd, *result, {});
    if (!decoded)
        return fail(ErrorCode::Internal, decoded.error().message);
    return decoded;
}

} // namespace

Result<protocol::CheckpointManifest> Dispatcher::containerCheckpoint(const protocol::ContainerCheckpointArgs& args,
                                                                     RequestContext& context)
{
    CheckpointRequest r;
    r.container = args.name;
    r.id = args.id.value_or("");
    r.kind = args.kind;
    r.round = static_cast<int>(args.round);
    r.parent = args.parent;
    r.after = args.after;
    r.tag = args.tag;
    return m_checkpoints.checkpoint(r, context);
}

Result<protocol::ContainerRestoreResult> Dispatcher::containerRestore(const protocol::ContainerRestoreArgs& args,
                                                                      RequestContext& context)
{
    return typed<protocol::ContainerRestoreResult>(kContainerRestore.name,
                                                   m_checkpoints.restore(args.id, args.name.value_or(""), args.tcpClose, context));
}

Result<protocol::ContainerResumeResult> Dispatcher::containerResume(const protocol::ContainerRef& args)
{
    PV_TRY_STATUS(m_containers.resume(args.name));
    return protocol::ContainerResumeResult{args.name, true};
}

Result<protocol::CheckpointListResult> Dispatcher::checkpointList(const protocol::NoArgs&)
{
    PV_TRY(json list, m_checkpoints.list());
    return typed<protocol::CheckpointListResult>(kCheckpointList.name, json{{"checkpoints", std::move(list)}});
}

Result<protocol::CheckpointReadResult> Dispatcher::checkpointRead(const protocol::CheckpointReadArgs& args,
                                                                  RequestContext& context)
{
    return typed<protocol::CheckpointReadResult>(kCheckpointRead.name, m_checkpoints.read(args.id, args.paths, context));
}

Result<protocol::CheckpointWriteResult> Dispatcher::checkpointWrite(const protocol::CheckpointWriteArgs& args,
                                                                    RequestContext& context)
{
    return typed<protocol::CheckpointWriteResult>(
        kCheckpointWrite.name, m_checkpoints.write(args.id, args.manifest, args.files, args.final, context));
}

Result<protocol::CheckpointCommitResult> Dispatcher::checkpointCommit(const protocol::CheckpointRef& args)
{
    return m_checkpoints.commit(args.id);
}

Result<protocol::CheckpointDeleteResult> Dispatcher::checkpointDelete(const protocol::CheckpointRef& args)
{
    PV_TRY_STATUS(m_checkpoints.remove(args.id));
    return protocol::CheckpointDeleteResult{args.id, true};
}

} // namespace pidvisor::agent
