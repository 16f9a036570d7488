// CheckpointManager: the agent's side of checkpoints.
//
// A checkpoint of a container is CRIU's images of its process tree plus a
// tar of its filesystem changes (taken while the tree is frozen, by CRIU's
// post-dump hook), in <state>/checkpoints/<id>/ with a manifest: the
// container's spec, the pid map (virtual pid, global pid at dump time,
// virtual parent, pgid, sid, comm), kernel release, CRIU version, CRIU's
// own timings, and every file's size and sha256.
//
// Safety: CRIU always leaves the tree running (or, for a migration,
// stopped); a container is only ended after its checkpoint was written and
// hashed, so a failed dump never loses it. A restore checks every file
// before it touches anything, recreates the root, restores with CRIU into a
// fresh pid namespace, compares the virtual pids with the manifest, and on
// any failure removes all it made and keeps CRIU's log.
#pragma once

#include "ContainerManager.h"
#include "RequestContext.h"
#include "VerifiedMemo.h"

#include <nlohmann/json.hpp>

#include <string>

namespace pidvisor::agent {

struct CheckpointRequest {
    std::string container;
    std::string id;              // empty: a new id
    std::string kind = "dump";   // dump, or pre-dump (a round of a live migration)
    int round = 0;               // pre-dump round: its images go to pre-<round>/
    std::string parent;          // previous round's directory, e.g. "pre-1"
    std::string after = "kill";  // kill (once saved), run, or stop (frozen, for migrations)
    std::string tag;
};

struct AgentVersions {
    std::string agent, kernelRelease, criu;
};

class CheckpointManager {
public:
    CheckpointManager(ContainerManager& containers, std::string stateDir, AgentVersions versions);

    [[nodiscard]] Result<nlohmann::json> checkpoint(const CheckpointRequest& request, RequestContext& context);
    // tcpClose: the checkpoint's TCP connections come back closed.
    [[nodiscard]] Result<nlohmann::json> restore(const std::string& id, const std::string& name, bool tcpClose,
                                                 RequestContext& context);
    [[nodiscard]] Result<nlohmann::json> list() const;
    [[nodiscard]] Status remove(const std::string& id);
    // Streams files of a checkpoint (all of manifest.json, or `paths`).
    [[nodiscard]] Result<nlohmann::json> read(const std::string& id, const std::vector<std::string>& paths,
                                              RequestContext& context);
    // Receives files of a checkpoint the host uploads, checking each on
    // arrival. Uploads may come in parts (a live migration sends each
    // pre-copy round as it is made); the one marked final carries the whole
    // manifest, and the checkpoint exists once all its files are there.
    [[nodiscard]] Result<nlohmann::json> write(const std::string& id, const nlohmann::json& manifest,
                                               const std::vector<std::string>& only, bool final,
                                               RequestContext& context);
    // The host holds a verified copy: end the container it was taken from.
    [[nodiscard]] Result<protocol::CheckpointCommitResult> commit(const std::string& id);

    [[nodiscard]] std::string directory(const std::string& id) const;

private:
    [[nodiscard]] Result<nlohmann::json> readManifest(const std::string& id) const;
    [[nodiscard]] Result<nlohmann::json> pidMap(const std::string& imagesDir,
                                                const std::vector<ProcessInfo>& before) const;
    [[nodiscard]] Status verifyRestoredPids(pid_t root, const nlohmann::json& pidMap) const;
    [[nodiscard]] Result<nlohmann::json> restoreInto(const std::string& id, const nlohmann::json& manifest,
                                                     const ContainerSpec& spec, bool tcpClose, RequestContext& context);

    ContainerManager& m_containers;
    std::string m_root; // <state>/checkpoints
    std::string m_logs; // <state>/logs
    VerifiedMemo m_memo; // <state>/verified
    AgentVersions m_versions;
};

} // namespace pidvisor::agent
