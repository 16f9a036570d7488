// Dispatcher: turns a request into a reply. Each command of the protocol's
// table (protocol/Commands.h) has one typed handler here, registered under
// the table's entry: the arguments arrive decoded and validated by their
// record's one conversion (protocol/Schema.h), before anything is touched,
// so a bad request changes nothing; the result is encoded the same way.
#pragma once

#include "CheckpointManager.h"
#include "ContainerManager.h"
#include "RequestContext.h"
#include "SystemInfo.h"

#include "protocol/Commands.h"
#include "protocol/Message.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pidvisor::agent {

struct Reply {
    nlohmann::json result = nlohmann::json::object();
    std::string payload;
};

class Dispatcher {
public:
    Dispatcher(ContainerManager& containers, CheckpointManager& checkpoints, SystemInfo info);

    // Never throws: unexpected exceptions become Internal errors.
    [[nodiscard]] Result<Reply> handle(const protocol::Request& request, RequestContext& context) const;
    // The commands that have a handler, in the table's order.
    [[nodiscard]] std::vector<std::string> commands() const;

    // The handlers, one per command.
    [[nodiscard]] Result<protocol::HelloResult> hello(const protocol::HelloArgs& args);
    [[nodiscard]] Result<protocol::SyncResult> sync(const protocol::SyncArgs& args);
    [[nodiscard]] Result<protocol::CommandResult> guestExec(const protocol::GuestExecArgs& args);
    [[nodiscard]] Result<protocol::ContainerInfo> containerCreate(const protocol::ContainerCreateArgs& args);
    [[nodiscard]] Result<protocol::ContainerListResult> containerList(const protocol::NoArgs& args);
    [[nodiscard]] Result<protocol::ContainerInfo> containerStart(const protocol::ContainerRef& args);
    [[nodiscard]] Result<protocol::ImageListResult> imageList(const protocol::NoArgs& args);
    [[nodiscard]] Result<protocol::NetworkProbeResult> networkProbe(const protocol::NetworkProbeArgs& args);
    [[nodiscard]] Result<protocol::ContainerInfo> containerInfo(const protocol::ContainerRef& args);
    [[nodiscard]] Result<protocol::ContainerPsResult> containerPs(const protocol::ContainerRef& args);
    [[nodiscard]] Result<protocol::CommandResult> containerExec(const protocol::ContainerExecArgs& args);
    [[nodiscard]] Result<protocol::ContainerLogsResult> containerLogs(const protocol::ContainerLogsArgs& args);
    [[nodiscard]] Result<protocol::ContainerKillResult> containerKill(const protocol::ContainerKillArgs& args);
    [[nodiscard]] Result<protocol::ContainerInfo> containerStop(const protocol::ContainerStopArgs& args);
    [[nodiscard]] Result<protocol::ContainerRmResult> containerRm(const protocol::ContainerRmArgs& args);
    [[nodiscard]] Result<protocol::CheckpointManifest> containerCheckpoint(const protocol::ContainerCheckpointArgs& args,
                                                                           RequestContext& context);
    [[nodiscard]] Result<protocol::ContainerRestoreResult> containerRestore(const protocol::ContainerRestoreArgs& args,
                                                                            RequestContext& context);
    [[nodiscard]] Result<protocol::ContainerResumeResult> containerResume(const protocol::ContainerRef& args);
    [[nodiscard]] Result<protocol::CheckpointListResult> checkpointList(const protocol::NoArgs& args);
    [[nodiscard]] Result<protocol::CheckpointReadResult> checkpointRead(const protocol::CheckpointReadArgs& args,
                                                                        RequestContext& context);
    [[nodiscard]] Result<protocol::CheckpointWriteResult> checkpointWrite(const protocol::CheckpointWriteArgs& args,
                                                                          RequestContext& context);
    [[nodiscard]] Result<protocol::CheckpointCommitResult> checkpointCommit(const protocol::CheckpointRef& args);
    [[nodiscard]] Result<protocol::CheckpointDeleteResult> checkpointDelete(const protocol::CheckpointRef& args);

private:
    using Handler = std::function<Result<Reply>(const nlohmann::json& args, RequestContext& context)>;
    template <class A, class R>
    void add(const protocol::Command<A, R>& command, Result<R> (Dispatcher::*handler)(const A&));
    template <class A, class R>
    void add(const protocol::Command<A, R>& command, Result<R> (Dispatcher::*handler)(const A&, RequestContext&));

    ContainerManager& m_containers;
    CheckpointManager& m_checkpoints;
    SystemInfo m_info;
    std::map<std::string, Handler, std::less<>> m_handlers;
};

} // namespace pidvisor::agent
