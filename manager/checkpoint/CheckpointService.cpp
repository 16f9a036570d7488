#include "CheckpointService.h"

#include "CheckpointJson.h"
#include "CheckpointTransfer.h"

#include "core/OperationScope.h"

#include "protocol/Names.h"

#include <chrono>
#include <filesystem>
#include <fstream>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

json CheckpointService::toJson(const CheckpointRecord& r)
{
    json j{{"id", r.id},
           {"path", r.path},
           {"size", r.sizeBytes},
           {"sha256", r.sha256},
           {"pid_map", processesToJson(r.processes)},
           {"vm", r.vmName},
           {"container", r.containerName},
           {"tag", r.tag},
           {"created_at", r.createdAt},
           {"kernel_release", r.kernelRelease},
           {"criu_version", r.criuVersion},
           {"durations", durationsToJson(r.durations)},
           {"status", r.status}};
    return j;
}

json MigrationReport::toJson() const
{
    json r = json::array();
    for (const auto& round : rounds)
        r.push_back({{"round", round.round}, {"bytes", round.bytes}, {"ms", round.millis}});
    return {{"checkpoint", CheckpointService::toJson(checkpoint)},
            {"source", sourceVm},
            {"target", targetVm},
            {"container", container},
            {"restored_as", restoredAs},
            {"live", live},
            {"downtime_ms", downtimeMs},
            {"rounds", r}};
}

Result<std::vector<CheckpointRecord>> CheckpointService::list()
{
    return m_vms.inventory().checkpoints();
}

Result<CheckpointRecord> CheckpointService::find(const std::string& idOrPrefix)
{
    PV_TRY(auto found, m_vms.inventory().findCheckpoint(idOrPrefix));
    if (!found)
        return fail(ErrorCode::NotFound, "no checkpoint '" + idOrPrefix + "' in the inventory");
    return *found;
}

Status CheckpointService::verify(const std::string& idOrPrefix, const ProgressFn& progress)
{
    PV_TRY(CheckpointRecord cp, find(idOrPrefix));
    std::ifstream in(cp.path + "/manifest.json");
    json manifest = json::parse(in, nullptr, false);
    if (manifest.is_discarded())
        return fail(ErrorCode::InvalidArgument, "checkpoint " + cp.id + " has no readable manifest.json in " + cp.path);
    PV_TRY(auto files, protocol::filesFromManifest(manifest));
    auto ok = protocol::verifyCheckpoint(cp.path, files, [&](std::uint64_t done, std::uint64_t total) {
        report(progress, "verifying the checkpoint", total ? static_cast<int>(done * 100 / total) : -1);
    });
    if (ok && protocol::checkpointDigest(files) != cp.sha256)
        ok = fail(ErrorCode::InvalidArgument, "checkpoint " + cp.id + " does not match the hash in the inventory");
    std::string status = ok ? "complete" : "corrupt";
    if (cp.status != status) {
        cp.status = status;
        (void)m_vms.inventory().updateCheckpoint(cp);
    }
    if (!ok)
        return fail(ok.error().withContext("checkpoint " + cp.id));
    return {};
}

Status CheckpointService::remove(const std::string& idOrPrefix)
{
    PV_TRY(CheckpointRecord cp, find(idOrPrefix));
    OperationScope op(m_vms.inventory(), "checkpoint.rm", cp.id);
    std::error_code ec;
    fs::remove_all(cp.path, ec);
    if (ec)
        return op.finish(Status(fail(ErrorCode::Internal, "removing " + cp.path + ": " + ec.message())));
    return op.finish(m_vms.inventory().deleteCheckpoint(cp.id));
}

Result<CheckpointRecord> CheckpointService::checkpoint(const std::string& vm, const std::string& container,
                                                       const CheckpointOptions& options, const ProgressFn& progress,
                                                       CancelFlag cancel)
{
    OperationScope op(m_vms.inventory(), "container.checkpoint", vm + "/" + container,
                      {{"leave_running", options.leaveRunning}, {"tag", options.tag}});
    auto result = [&]() -> Result<CheckpointRecord> {
        PV_TRY_STATUS(protocol::validateName("container name", container));
        PV_TRY(auto agent, m_vms.agent(vm));
        PV_TRY_STATUS(requireCheckpointSupport(*agent, vm));
        std::string id = protocol::newCheckpointId();
        op.addDetail("id", id);
        auto started = Clock::now();
        // CRIU leaves the container running; it ends (without
        // --leave-running) only once the host holds a verified copy.
        CallOptions dumpOptions;
        dumpOptions.timeout = std::chrono::minutes(30);
        dumpOptions.onProgress = [&](const protocol::Progress& p) { report(progress, p.stage); };
        protocol::ContainerCheckpointArgs args;
        args.name = container;
        args.id = id;
        args.after = "run";
        args.tag = options.tag;
        auto dumped = agent->containerCheckpoint(args, dumpOptions);
        if (!dumped)
            return fail(dumped.error().withContext("checkpointing container '" + container + "' in VM '" + vm + "'"));
        json manifest = *dumped;
        PV_TRY(CheckpointRecord cp, store(*agent, vm, manifest, progress, cancel));
        cp.durations.totalMs = millisSince(started);
        PV_TRY_STATUS(m_vms.inventory().updateCheckpoint(cp));
        if (!options.leaveRunning) {
            auto committed = agent->checkpointCommit(id);
            if (!committed)
                return fail(committed.error().withContext("ending container '" + container + "' after its checkpoint"));
        }
        (void)agent->checkpointDelete(id);
        refreshContainer(vm, container);
        return cp;
    }();
    return op.finish(std::move(result));
}

} // namespace pidvisor::manager
