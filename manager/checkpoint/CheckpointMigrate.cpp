// CheckpointService: restoring a stored checkpoint into a VM, and moving a
// running container to another VM (stop-and-copy, or live with pre-dumps).
#include "CheckpointService.h"

#include "CheckpointTransfer.h"

#include "core/OperationScope.h"
#include "vm/ContainerAddresses.h"
#include "vm/ImageDelivery.h"

#include "protocol/Names.h"

#include <filesystem>
#include <fstream>
#include <set>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxPreDumpRounds = 4;
// Stop pre-dumping once a round moves less than this.
constexpr std::uint64_t kSmallRound = 2ULL << 20;


Result<json> readManifest(const CheckpointRecord& cp)
{
    std::ifstream in(cp.path + "/manifest.json");
    json m = json::parse(in, nullptr, false);
    if (m.is_discarded() || !m.is_object())
        return fail(ErrorCode::NotFound, "checkpoint " + cp.id + " has no readable manifest.json in " + cp.path);
    return m;
}

// The image digest a checkpoint's container was made from, "" for none.
std::string imageOf(const json& manifest)
{
    auto spec = manifest.find("spec");
    if (spec == manifest.end() || !spec->is_object())
        return "";
    auto image = spec->find("image");
    return image != spec->end() && image->is_string() ? image->get<std::string>() : "";
}

} // namespace

std::optional<protocol::ContainerNetwork> CheckpointService::networkOf(const json& spec)
{
    auto net = spec.find("network");
    if (net == spec.end() || !net->is_object())
        return std::nullopt;
    auto decoded = protocol::decode<protocol::ContainerNetwork>(*net, protocol::Unknown::Ignore, "field");
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

Status CheckpointService::checkAddress(const std::string& targetVm, const std::optional<protocol::ContainerNetwork>& net,
                                       const std::optional<std::pair<std::int64_t, std::string>>& movingFrom)
{
    if (!net)
        return {};
    PV_TRY(VmRecord target, m_vms.record(targetVm));
    PV_TRY(VmNetworkView view, m_vms.network(targetVm));
    ContainerAddresses addresses(m_vms.inventory(), m_vms.connection());
    return addresses.checkRestore(target, view.network, *net, movingFrom);
}

void CheckpointService::settleAddress(const std::string& targetVm, const std::string& name,
                                      const std::optional<protocol::ContainerNetwork>& net)
{
    if (!net)
        return;
    if (auto target = m_vms.record(targetVm))
        (void)ContainerAddresses(m_vms.inventory(), m_vms.connection()).settleRestore(*target, name, *net);
}

Result<protocol::ContainerRestoreResult> CheckpointService::restore(const std::string& checkpoint, const std::string& targetVm,
                                        const std::string& newName, const ProgressFn& progress, CancelFlag cancel,
                                        bool tcpClose)
{
    OperationScope op(m_vms.inventory(), "checkpoint.restore", targetVm + "/" + newName, {{"checkpoint", checkpoint}});
    auto result = [&]() -> Result<protocol::ContainerRestoreResult> {
        PV_TRY(CheckpointRecord cp, find(checkpoint));
        PV_TRY(json manifest, readManifest(cp));
        std::string name = newName.empty() ? manifest.value("container", "") : newName;
        PV_TRY_STATUS(protocol::validateName("container name", name));
        // Nothing is touched before the checkpoint is known to be whole.
        PV_TRY_STATUS(verify(cp.id, progress));
        PV_TRY(auto agent, m_vms.agent(targetVm));
        PV_TRY_STATUS(checkTarget(*agent, targetVm, manifest.value("criu_version", ""), name));
        auto network = networkOf(manifest.value("spec", json::object()));
        PV_TRY_STATUS(checkAddress(targetVm, network, std::nullopt));
        if (cancel && *cancel)
            return fail(ErrorCode::Cancelled, "restore cancelled before anything changed");
        // The checkpoint holds the container's changes only: its image
        // comes from this host's images, attached to the target first.
        std::string image = imageOf(manifest);
        if (!image.empty())
            PV_TRY_STATUS(provideImage(m_vms, *agent, targetVm, image, progress));
        PV_TRY_STATUS(upload(*agent, cp, manifest, progress));
        report(progress, "restoring with CRIU");
        CallOptions options;
        options.timeout = std::chrono::minutes(30);
        auto restored = agent->containerRestore({cp.id, name, tcpClose}, options);
        (void)agent->checkpointDelete(cp.id);
        if (!restored)
            return fail(restored.error().withContext("restoring checkpoint " + cp.id + " in VM '" + targetVm + "'"));
        settleAddress(targetVm, name, network);
        refreshContainer(targetVm, name);
        return restored;
    }();
    return op.finish(std::move(result));
}

Result<MigrationReport> CheckpointService::migrate(const std::string& vm, const std::string& container,
                                                   const std::string& targetVm, bool live, const ProgressFn& progress,
                                                   CancelFlag cancel)
{
    OperationScope op(m_vms.inventory(), "container.migrate", vm + "/" + container,
                      {{"to", targetVm}, {"live", live}});
    MigrationReport migration;
    migration.sourceVm = vm;
    migration.targetVm = targetVm;
    migration.container = container;
    migration.restoredAs = container;
    migration.live = live;
    auto result = [&]() -> Result<MigrationReport> {
        if (vm == targetVm)
            return fail(ErrorCode::InvalidArgument, "a container migrates to another VM, not to '" + vm + "' itself");
        PV_TRY(auto source, m_vms.agent(vm));
        PV_TRY(auto target, m_vms.agent(targetVm));
        PV_TRY(protocol::HelloResult sourceHello, requireCheckpointSupport(*source, vm));
        std::string id = protocol::newCheckpointId();
        op.addDetail("id", id);
        std::string sourceCriu = sourceHello.capabilities.criu ? sourceHello.capabilities.criu->version : "";
        PV_TRY_STATUS(checkTarget(*target, targetVm, sourceCriu, container));
        PV_TRY(protocol::ContainerInfo running, source->containerInfo(container));
        // Same network, address free there: or nothing starts.
        PV_TRY(VmRecord sourceRecord, m_vms.record(vm));
        PV_TRY_STATUS(checkAddress(targetVm, running.spec.network,
                                   std::pair<std::int64_t, std::string>{sourceRecord.id, container}));
        if (running.spec.image)
            PV_TRY_STATUS(provideImage(m_vms, *target, targetVm, *running.spec.image, progress));
        std::string partial = storeDir() + "/" + id + ".partial";
        std::error_code ec;
        fs::create_directories(partial, ec);
        auto outcome = runMigration(*source, *target, id, partial, migration, progress, cancel);
        if (!outcome) {
            // Whatever reached either VM goes; the host keeps a finished checkpoint.
            fs::remove_all(partial, ec);
            CallOptions brief{std::chrono::seconds(10), {}, {}, {}};
            (void)target->checkpointDelete(id, brief);
            (void)source->checkpointDelete(id, brief);
        }
        return outcome;
    }();
    if (result)
        op.addDetail("downtime_ms", result->downtimeMs);
    return op.finish(std::move(result));
}

Result<MigrationReport> CheckpointService::runMigration(AgentClient& source, AgentClient& target, const std::string& id,
                                                        const std::string& partial, MigrationReport& migration,
                                                        const ProgressFn& progress, const CancelFlag& cancel)
{
    CallOptions dumpOptions;
    dumpOptions.timeout = std::chrono::minutes(30);
    std::set<std::string> pulled;
    std::string parent;
    // Live: copy memory while the container runs, each round only what
    // changed since the last, until little is left.
    for (int round = 1; migration.live && round <= kMaxPreDumpRounds; ++round) {
        if (cancel && *cancel)
            return fail(ErrorCode::Cancelled, "migration cancelled during pre-copy; the container keeps running");
        auto started = Clock::now();
        report(progress, "pre-copy round " + std::to_string(round));
        protocol::ContainerCheckpointArgs args;
        args.name = migration.container;
        args.id = id;
        args.kind = "pre-dump";
        args.round = round;
        args.parent = parent;
        auto pre = source.containerCheckpoint(args, dumpOptions);
        if (!pre)
            return fail(pre.error().withContext("pre-dump round " + std::to_string(round)));
        PV_TRY(auto files, protocol::filesFromManifest(*pre));
        PV_TRY(TransferStats moved, pullCheckpoint(source, id, partial, files, false, progress));
        // On to the target at once: after the freeze only the last delta moves.
        PV_TRY_STATUS(pushCheckpoint(target, id, partial, *pre, files, false, progress));
        for (const auto& f : files)
            pulled.insert(f.path);
        migration.rounds.push_back({round, static_cast<std::int64_t>(moved.bytes), millisSince(started)});
        parent = "pre-" + std::to_string(round);
        if (moved.bytes < kSmallRound)
            break;
        // Not converging (the container dirties memory about as fast as a
        // round moves it): more rounds would not shorten the downtime.
        if (round >= 2 && static_cast<double>(moved.bytes) >
                              0.8 * static_cast<double>(migration.rounds[migration.rounds.size() - 2].bytes)) {
            report(progress, "pre-copy is not converging: final dump now");
            break;
        }
    }
    if (cancel && *cancel)
        return fail(ErrorCode::Cancelled, "migration cancelled before the final dump; the container keeps running");
    return finishMigration(source, target, id, partial, parent, pulled, migration, progress);
}

Result<MigrationReport> CheckpointService::finishMigration(AgentClient& source, AgentClient& target,
                                                           const std::string& id, const std::string& partial,
                                                           const std::string& parent,
                                                           const std::set<std::string>& pulled,
                                                           MigrationReport& migration, const ProgressFn& progress)
{
    // From here the container is frozen at the source: downtime counts.
    auto frozen = Clock::now();
    report(progress, "final dump (container frozen)");
    protocol::ContainerCheckpointArgs args;
    args.name = migration.container;
    args.id = id;
    args.after = "stop";
    args.tag = "migration";
    args.parent = parent;
    auto dumped = source.containerCheckpoint(args, CallOptions{std::chrono::minutes(30), {}, {}, {}});
    if (!dumped)
        return fail(dumped.error().withContext("final dump"));
    json manifest = *dumped;
    // Any failure before the restore succeeds lets the source run again.
    auto resumeSource = [&](const Error& e) -> Result<MigrationReport> {
        auto resumed = source.containerResume(migration.container);
        std::string where = resumed ? "; the container runs again in VM '" + migration.sourceVm + "'"
                                    : "; the source could not be resumed (" + resumed.error().message + ")";
        return fail(Error{e.code, e.message + where});
    };
    PV_TRY(auto files, protocol::filesFromManifest(manifest));
    std::vector<protocol::CheckpointFile> rest;
    for (const auto& f : files)
        if (!pulled.count(f.path))
            rest.push_back(f);
    auto moved = pullCheckpoint(source, id, partial, rest, false, progress);
    if (!moved)
        return resumeSource(moved.error());
    migration.rounds.push_back({static_cast<int>(migration.rounds.size()) + 1, static_cast<std::int64_t>(moved->bytes),
                                millisSince(frozen)});
    auto stored = finalize(migration.sourceVm, manifest, partial, {moved->millis, std::nullopt});
    if (!stored)
        return resumeSource(stored.error());
    migration.checkpoint = *stored;
    // The checkpoint is safe on the host: from here on, the target wins.
    testPausePoint("after-transfer");
    auto up = pushCheckpoint(target, id, stored->path, manifest, rest, true, progress);
    if (!up)
        return resumeSource(up.error());
    report(progress, "restoring in VM '" + migration.targetVm + "'");
    auto restored = target.containerRestore({id, migration.container, false},
                                            CallOptions{std::chrono::minutes(30), {}, {}, {}});
    (void)target.checkpointDelete(id);
    if (!restored)
        return resumeSource(restored.error().withContext("restoring in VM '" + migration.targetVm + "'"));
    migration.downtimeMs = millisSince(frozen);
    settleAddress(migration.targetVm, migration.container, restored->spec.network);
    // The source may be gone by now (its VM destroyed): the container
    // lives at the target either way.
    // The moved container no longer exists at the source.
    CallOptions brief{std::chrono::seconds(20), {}, {}, {}};
    (void)source.checkpointCommit(id, brief);
    (void)source.containerRm({migration.container, true}, brief);
    (void)source.checkpointDelete(id, brief);
    refreshContainer(migration.sourceVm, migration.container);
    refreshContainer(migration.targetVm, migration.container);
    return migration;
}

} // namespace pidvisor::manager
