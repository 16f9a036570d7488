// CheckpointService: the host's store of checkpoints and what guards it.
#include "CheckpointService.h"

#include "CheckpointJson.h"
#include "CheckpointTransfer.h"

#include "vm/ContainerService.h"


#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace pidvisor::manager {

namespace fs = std::filesystem;
using nlohmann::json;

void testPausePoint(const std::string& phase)
{
    const char* want = std::getenv("PIDVISOR_TEST_PAUSE");
    const char* file = std::getenv("PIDVISOR_TEST_PAUSE_FILE");
    if (!want || !file || phase != want)
        return;
    std::ofstream(file) << phase << "\n";
    for (int i = 0; i < 3000 && fs::exists(file); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

std::string CheckpointService::storeDir() const
{
    return m_vms.paths().checkpoints;
}

Result<protocol::HelloResult> CheckpointService::requireCheckpointSupport(AgentClient& agent, const std::string& vm)
{
    for (int attempt = 0;; ++attempt) {
        // hello itself refuses an agent of another protocol version.
        auto hello = agent.hello("pidvisor-manager", CallOptions{std::chrono::seconds(20), {}, {}, {}});
        if (!hello)
            return fail(hello.error().withContext("VM '" + vm + "'"));
        const auto& caps = hello->capabilities;
        if (!caps.criu)
            return fail(ErrorCode::Unsupported, "VM '" + vm + "' has no CRIU");
        if (caps.checkpoint.available) {
            if (!*caps.checkpoint.available)
                return fail(ErrorCode::Unsupported, "VM '" + vm + "' cannot checkpoint: " + caps.checkpoint.reason);
            return hello;
        }
        if (attempt >= 60)
            return fail(ErrorCode::Timeout, "VM '" + vm + "' has not finished checking CRIU");
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
}

Result<CheckpointRecord> CheckpointService::finalize(const std::string& vm, const json& manifest,
                                                     const std::string& dir, const HostDurations& host)
{
    PV_TRY(auto files, protocol::filesFromManifest(manifest));
    // The manifest is read before anything moves: a bad one changes nothing.
    PV_TRY(std::vector<CheckpointProcess> processes, processesFromManifest(manifest));
    PV_TRY(CheckpointDurations durations, durationsFromManifest(manifest));
    durations.transferMs = host.transferMs;
    durations.transferBytes = host.transferBytes;
    PV_TRY_STATUS(protocol::verifyCheckpoint(dir, files));
    std::string id = manifest.value("id", "");
    std::ofstream(dir + "/manifest.json") << manifest.dump(2) << "\n";
    std::string final = storeDir() + "/" + id;
    std::error_code ec;
    fs::rename(dir, final, ec);
    if (ec)
        return fail(ErrorCode::Internal, "storing checkpoint " + id + " in " + final + ": " + ec.message());
    CheckpointRecord cp;
    cp.id = id;
    if (auto vmRecord = m_vms.record(vm))
        cp.vmId = vmRecord->id;
    cp.vmName = vm;
    cp.containerName = manifest.value("container", "");
    cp.tag = manifest.value("tag", "");
    cp.createdAt = manifest.value("created_at", std::int64_t{0});
    cp.path = final;
    cp.sizeBytes = static_cast<std::int64_t>(protocol::totalSize(files));
    cp.sha256 = protocol::checkpointDigest(files);
    cp.processes = std::move(processes);
    cp.kernelRelease = manifest.value("kernel_release", "");
    cp.criuVersion = manifest.value("criu_version", "");
    cp.durations = std::move(durations);
    cp.status = "complete";
    PV_TRY_STATUS(m_vms.inventory().insertCheckpoint(cp));
    return cp;
}

Result<CheckpointRecord> CheckpointService::store(AgentClient& agent, const std::string& vm, const json& manifest,
                                                  const ProgressFn& progress, const CancelFlag& cancel)
{
    std::string id = manifest.value("id", "");
    PV_TRY(auto files, protocol::filesFromManifest(manifest));
    std::string partial = storeDir() + "/" + id + ".partial";
    std::error_code ec;
    fs::create_directories(partial, ec);
    if (ec)
        return fail(ErrorCode::Internal, "creating " + partial + ": " + ec.message());
    auto cleanup = [&] { fs::remove_all(partial, ec); };
    if (cancel && *cancel) {
        cleanup();
        (void)agent.checkpointDelete(id);
        return fail(ErrorCode::Cancelled, "checkpoint cancelled before its transfer; the container keeps running");
    }
    auto pulled = pullCheckpoint(agent, id, partial, files, true, progress);
    if (!pulled) {
        cleanup();
        return fail(pulled.error());
    }
    auto cp = finalize(vm, manifest, partial,
                       {pulled->millis, static_cast<std::int64_t>(pulled->bytes)});
    if (!cp)
        cleanup();
    return cp;
}

Status CheckpointService::upload(AgentClient& agent, const CheckpointRecord& cp, const json& manifest,
                                 const ProgressFn& progress)
{
    // A copy left by an earlier attempt may be partial: start afresh.
    (void)agent.checkpointDelete(cp.id);
    auto pushed = pushCheckpoint(agent, cp.id, cp.path, manifest, {}, true, progress);
    if (!pushed)
        return fail(pushed.error());
    return {};
}

Status CheckpointService::checkTarget(AgentClient& agent, const std::string& vm, const std::string& need,
                                      const std::string& name)
{
    PV_TRY(protocol::HelloResult hello, requireCheckpointSupport(agent, vm));
    std::string have = hello.capabilities.criu ? hello.capabilities.criu->version : "";
    auto parts = [](const std::string& v) {
        std::vector<long> out;
        std::size_t at = 0;
        while (at < v.size()) {
            out.push_back(std::strtol(v.c_str() + at, nullptr, 10));
            auto dot = v.find('.', at);
            if (dot == std::string::npos)
                break;
            at = dot + 1;
        }
        return out;
    };
    if (parts(have) < parts(need))
        return fail(ErrorCode::Unsupported, "VM '" + vm + "' has CRIU " + have + ", older than the checkpoint's " + need);
    auto existing = agent.containerInfo(name);
    if (existing)
        return fail(ErrorCode::AlreadyExists, "container '" + name + "' already exists in VM '" + vm + "'");
    if (existing.error().code != ErrorCode::NotFound)
        return fail(existing.error());
    return {};
}

// The VM's whole list through the one sync path (vm/ContainerSync.h), which
// also drops the container when it is gone.
void CheckpointService::refreshContainer(const std::string& vm, const std::string& /*container*/)
{
    auto vmRecord = m_vms.record(vm);
    auto agent = m_vms.agent(vm, std::chrono::seconds(5));
    if (!vmRecord || !agent)
        return;
    (void)refreshContainers(**agent, m_vms.inventory(), vmRecord->id);
}

} // namespace pidvisor::manager
