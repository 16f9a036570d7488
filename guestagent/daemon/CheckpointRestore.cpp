// CheckpointManager: restoring a checkpoint as a container, with the same
// virtual pids, and nothing left behind when that fails.
#include "CheckpointManager.h"

#include "CommandRunner.h"
#include "ContainerNetworking.h"
#include "Criu.h"
#include "Spawner.h"

#include "protocol/CheckpointFiles.h"
#include "protocol/Names.h"
#include "protocol/Timing.h"

#include <sys/mount.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <set>

namespace pidvisor::agent {

namespace fs = std::filesystem;
using nlohmann::json;

Status CheckpointManager::verifyRestoredPids(pid_t root, const json& pidMap) const
{
    auto inode = pidNamespaceInode(root);
    if (!inode)
        return fail(ErrorCode::Internal, "the restored container ended at once");
    PV_TRY(auto procs, listNamespaceProcesses(*inode));
    std::map<int, int> want, got; // vpid -> vppid
    for (const auto& p : pidMap)
        want[p.value("vpid", 0)] = p.value("vppid", 0);
    for (const auto& p : procs)
        got[p.vpid] = p.vppid;
    if (want == got)
        return {};
    auto show = [](const std::map<int, int>& m) {
        std::string s;
        for (const auto& [v, pp] : m)
            s += (s.empty() ? "" : " ") + std::to_string(v) + "<-" + std::to_string(pp);
        return s;
    };
    return fail(ErrorCode::Internal, "restored pids differ from the checkpoint: expected vpid<-parent " + show(want) +
                                         ", got " + show(got));
}

Result<json> CheckpointManager::restore(const std::string& id, const std::string& newName, bool tcpClose,
                                        RequestContext& context)
{
    PV_TRY(json manifest, readManifest(id));
    if (manifest.value("kind", "") != "dump")
        return fail(ErrorCode::InvalidArgument, "checkpoint '" + id + "' is a pre-dump round, not a checkpoint");
    PV_TRY(auto files, protocol::filesFromManifest(manifest));
    auto started = std::chrono::steady_clock::now();
    bool alreadyChecked = m_memo.unchanged(id, directory(id), files);
    if (alreadyChecked) {
        // Hashed here when made or checked on arrival, and not touched since;
        // symlinks cost nothing to check again.
        std::vector<protocol::CheckpointFile> links;
        for (const auto& f : files)
            if (!f.symlink.empty())
                links.push_back(f);
        context.progress("checkpoint hashed when written here, unchanged since", 0, 0);
        PV_TRY_STATUS(protocol::verifyCheckpoint(directory(id), links));
    } else {
        context.progress("verifying the checkpoint", 0, protocol::totalSize(files));
        PV_TRY_STATUS(protocol::verifyCheckpoint(directory(id), files, [&](std::uint64_t done, std::uint64_t total) {
            context.progress("verifying the checkpoint", done, total);
        }));
        m_memo.remember(id, directory(id), files, false);
    }
    auto verifyMs = protocol::millisSince(started);
    std::string wanted = manifest.value("criu_version", "");
    if (m_versions.criu.empty())
        return fail(ErrorCode::Unsupported, "this VM has no CRIU");
    if (compareVersions(m_versions.criu, wanted) < 0)
        return fail(ErrorCode::Unsupported, "this VM's CRIU " + m_versions.criu + " is older than the checkpoint's " + wanted);
    json specJson = manifest.value("spec", json::object());
    std::string name = newName.empty() ? manifest.value("container", "") : newName;
    specJson["name"] = name;
    PV_TRY(ContainerSpec spec, protocol::decode<ContainerSpec>(specJson, protocol::Unknown::Ignore, "field"));
    if (spec.userns) {
        // Only the mode changes (and with it ctime): still the files checked.
        PV_TRY_STATUS(letRestoredTasksRead(directory(id)));
        m_memo.remember(id, directory(id), files, false);
    }
    PV_TRY_STATUS(m_containers.reserveForRestore(spec));
    auto restored = restoreInto(id, manifest, spec, tcpClose, context);
    if (!restored) {
        m_containers.abandon(name);
        return restored;
    }
    (*restored)["durations_ms"]["verify"] = verifyMs;
    (*restored)["verified"] = alreadyChecked ? "hashed when written here, unchanged since" : "every file hashed";
    return restored;
}

Result<json> CheckpointManager::restoreInto(const std::string& id, const json& manifest, const ContainerSpec& spec,
                                            bool tcpClose, RequestContext& context)
{
    const ContainerStore& store = m_containers.store();
    std::string dir = directory(id);
    std::string upper = store.upperDir(spec.name).string();
    context.progress("unpacking the filesystem", 0, 0);
    auto unpackStart = std::chrono::steady_clock::now();
    CommandPlan untar;
    untar.argv = {fs::exists("/usr/bin/tar") ? "/usr/bin/tar" : "tar", "--xattrs", "--xattrs-include=*",
                  "--numeric-owner", "-xpf", dir + "/rootfs.tar", "-C", upper};
    untar.env = withDefaultEnv({});
    PV_TRY(CommandResult unpacked, runCommand(untar));
    if (unpacked.exitCode != 0)
        return fail(ErrorCode::Internal, "unpacking the container's files failed: " + unpacked.err);

    PV_TRY(UniqueFd cgroupFd, m_containers.cgroups().create(spec.name, CgroupLimits::of(spec)));
    std::string root = store.rootfsDir(spec.name).string();
    PV_TRY(OverlayLayers layers, m_containers.overlayLayers(spec));
    PV_TRY_STATUS(mountContainerRoot(layers, root, spec.userns));
    CriuRestore request;
    request.imagesDir = dir + "/images";
    request.root = root;
    request.workDir = m_logs;
    request.logFile = "restore-" + spec.name + "-" + id + ".log";
    if (cgroupFd)
        request.cgroupRoot = "/pidvisor/" + spec.name;
    // Its eth0 comes back as it was (address, MAC), its other end named for
    // this container and put on this VM's bridge.
    if (spec.network) {
        VethPair pair = criuVethPair(spec.name);
        request.externals.push_back("veth[" + pair.inside + "]:" + pair.outside);
    }
    // Its /dev's device nodes are the VM's, bound again.
    if (spec.userns)
        for (auto& e : boundDeviceExternals(true))
            request.externals.push_back(std::move(e));
    request.tcpClose = tcpClose;
    auto unpackMs = protocol::millisSince(unpackStart);
    context.progress("restoring with CRIU", 0, 0);
    auto criuStart = std::chrono::steady_clock::now();
    // The pids are compared while every task exists and none runs yet:
    // a mismatch makes CRIU undo the whole restore.
    json pidMap = manifest.value("pid_map", json::array());
    auto pid = runCriuRestore(request, [&](pid_t rootPid) { return verifyRestoredPids(rootPid, pidMap); });
    auto criuMs = protocol::millisSince(criuStart);
    // The restored tree holds its own copy of this mount.
    ::umount2(root.c_str(), MNT_DETACH);
    if (!pid)
        return fail(pid.error());
    std::string cgroup = cgroupFd ? m_containers.cgroups().path(spec.name) : "";
    PV_TRY(protocol::ContainerInfo adopted, m_containers.adoptRestored(spec.name, *pid, id, cgroup));
    // The switches still send its frames to where it was dumped.
    if (spec.network)
        announceAddress(*pid, *spec.network);
    json info = protocol::encode(adopted);
    info["pid_check"] = "same virtual pids and parents as the checkpoint";
    info["durations_ms"] = {{"unpack", unpackMs}, {"criu_restore", criuMs}};
    return info;
}

} // namespace pidvisor::agent
