#include "CheckpointManager.h"

#include "CommandRunner.h"
#include "ContainerSpec.h"
#include "Criu.h"
#include "Spawner.h"

#include "protocol/CheckpointFiles.h"
#include "protocol/Names.h"
#include "protocol/Timing.h"

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace pidvisor::agent {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// GNU tar keeps overlayfs whiteouts (0:0 devices) and xattrs (opaque dirs).
std::string gnuTar()
{
    return ::access("/usr/bin/tar", X_OK) == 0 ? "/usr/bin/tar" : "tar";
}

} // namespace

CheckpointManager::CheckpointManager(ContainerManager& containers, std::string stateDir, AgentVersions versions)
    : m_containers(containers), m_root(stateDir + "/checkpoints"), m_logs(stateDir + "/logs"),
      m_memo(stateDir + "/verified"), m_versions(std::move(versions))
{
    std::error_code ec;
    fs::create_directories(m_root, ec);
    fs::create_directories(m_logs, ec);
}

std::string CheckpointManager::directory(const std::string& id) const
{
    return m_root + "/" + id;
}

Result<json> CheckpointManager::readManifest(const std::string& id) const
{
    PV_TRY_STATUS(protocol::validateName("checkpoint id", id));
    std::ifstream in(directory(id) + "/manifest.json");
    if (!in)
        return fail(ErrorCode::NotFound, "no checkpoint '" + id + "' in this VM");
    json m = json::parse(in, nullptr, false);
    if (m.is_discarded() || !m.is_object())
        return fail(ErrorCode::InvalidArgument, "manifest of checkpoint '" + id + "' is not valid JSON");
    return m;
}

Result<json> CheckpointManager::pidMap(const std::string& imagesDir, const std::vector<ProcessInfo>& before) const
{
    PV_TRY(auto tree, readPstree(imagesDir));
    json map = json::array();
    for (const auto& e : tree) {
        json p{{"vpid", e.pid}, {"vppid", e.ppid}, {"pgid", e.pgid}, {"sid", e.sid}, {"threads", e.threads.size()}};
        p["pid"] = 0;
        p["comm"] = "";
        for (const auto& b : before)
            if (b.vpid == static_cast<pid_t>(e.pid)) {
                p["pid"] = b.pid;
                p["comm"] = b.comm;
            }
        map.push_back(p);
    }
    return map;
}

Result<json> CheckpointManager::checkpoint(const CheckpointRequest& r, RequestContext& context)
{
    PV_TRY(auto snap, m_containers.snapshot(r.container));
    if (snap.record.state != ContainerState::Running)
        return fail(ErrorCode::FailedPrecondition, "container '" + r.container + "' is not running");
    std::string id = r.id.empty() ? protocol::newCheckpointId() : r.id;
    PV_TRY_STATUS(protocol::validateName("checkpoint id", id));
    bool pre = r.kind == "pre-dump";
    std::string dir = directory(id);
    std::string sub = pre ? "pre-" + std::to_string(r.round) : "images";
    std::error_code ec;
    bool continuing = pre ? r.round > 1 : !r.parent.empty();
    if (!continuing && fs::exists(dir))
        return fail(ErrorCode::AlreadyExists, "checkpoint '" + id + "' already exists");
    if (!continuing)
        m_memo.forget(id);
    if (fs::exists(dir + "/" + sub))
        return fail(ErrorCode::AlreadyExists, "checkpoint '" + id + "' already has " + sub);
    fs::create_directories(dir + "/" + sub, ec);
    if (ec)
        return fail(ErrorCode::Internal, "creating " + dir + ": " + ec.message());

    auto before = listNamespaceProcesses(snap.record.pidnsInode).value_or(std::vector<ProcessInfo>{});
    CriuDump dump;
    dump.pid = snap.record.initPid;
    dump.imagesDir = dir + "/" + sub;
    dump.parentDir = r.parent.empty() ? "" : "../" + r.parent;
    dump.preDump = pre;
    dump.leave = r.after == "stop" ? CriuLeave::Stopped : CriuLeave::Running;
    dump.trackMemory = pre || !r.parent.empty();
    dump.workDir = m_logs;
    if (snap.record.spec.userns)
        dump.externals = boundDeviceExternals(false);
    dump.logFile = (pre ? "pre-dump-" : "dump-") + id + (pre ? "-" + std::to_string(r.round) : "") + ".log";
    if (!pre) {
        // CRIU waits at post-dump while the tree is frozen: the filesystem
        // changes are archived at the very moment of the dump.
        dump.postDump = [&]() -> Status {
            CommandPlan tar;
            tar.argv = {gnuTar(), "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", snap.upperDir, "-cf", dir + "/rootfs.tar", "."};
            tar.env = withDefaultEnv({});
            tar.timeout = std::chrono::minutes(30);
            PV_TRY(CommandResult archived, runCommand(tar));
            if (archived.exitCode != 0)
                return fail(ErrorCode::Internal, "archiving the container's files failed: " + archived.err);
            return {};
        };
    }
    context.progress(pre ? "pre-dumping memory" : "dumping with CRIU", 0, 0);
    auto started = Clock::now();
    auto stats = runCriuDump(dump);
    std::int64_t dumpMs = protocol::millisSince(started);
    if (!stats) {
        if (!continuing)
            fs::remove_all(dir, ec);
        else
            fs::remove_all(dir + "/" + sub, ec);
        return fail(stats.error());
    }
    context.progress("hashing the checkpoint", 0, 0);
    auto hashStart = Clock::now();
    // The final dump of a migration lists the pre-copy rounds too: those
    // were hashed in their round and have not changed since.
    PV_TRY(auto files, protocol::scanCheckpoint(dir, pre ? sub + "/" : "", m_memo.knownHashes(id, dir)));
    json manifest{{"format", 1},
                  {"id", id},
                  {"kind", r.kind},
                  {"container", r.container},
                  {"spec", protocol::encode(snap.record.spec)},
                  {"pid_space", snap.record.pidSpace},
                  {"kernel_release", m_versions.kernelRelease},
                  {"criu_version", m_versions.criu},
                  {"agent_version", m_versions.agent},
                  {"created_at", nowMillis()},
                  {"tag", r.tag},
                  {"parent", r.parent},
                  {"after", r.after},
                  {"criu_stats", *stats},
                  {"files", protocol::filesToJson(files)},
                  {"size", protocol::totalSize(files)},
                  {"sha256", protocol::checkpointDigest(files)}};
    if (!pre) {
        PV_TRY(manifest["pid_map"], pidMap(dir + "/images", before));
    }
    manifest["durations_ms"] = {{"dump", dumpMs}, {"hash", protocol::millisSince(hashStart)}};
    manifest["log"] = m_logs + "/" + dump.logFile;
    std::ofstream(dir + (pre ? "/manifest-" + sub + ".json" : "/manifest.json")) << manifest.dump(2) << "\n";
    m_memo.remember(id, dir, files, pre);
    if (!pre && r.after == "kill")
        PV_TRY_STATUS(m_containers.retire(r.container, id));
    return manifest;
}

} // namespace pidvisor::agent
