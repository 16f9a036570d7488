// CheckpointService: checkpoints of containers, kept in the host's store,
// restored into the same VM or another (same virtual pids), and migration.
//
// A checkpoint is made by the VM's agent with CRIU (the container keeps
// running until the dump is verified), streamed to the host as binary
// protocol frames with every file's sha256 checked on arrival, and recorded
// in the inventory. Restoring first checks the target (CRIU present and not
// older, kernel features, the name free) and the checkpoint's integrity,
// then uploads it and lets the target's agent restore it.
//
//   CheckpointService cps(vms);
//   PV_TRY(CheckpointRecord cp, cps.checkpoint("vm1", "web", {}, progress));
//   PV_TRY(protocol::ContainerRestoreResult c, cps.restore(cp.id, "vm2", "", progress));
#pragma once

#include "vm/VmService.h"

#include <atomic>
#include <memory>
#include <set>

namespace pidvisor::manager {

struct CheckpointOptions {
    bool leaveRunning = false;
    std::string tag;
};

// Set to true to ask a long operation to stop where that is safe.
using CancelFlag = std::shared_ptr<std::atomic<bool>>;

struct MigrationRound {
    int round = 0;            // 1.. for pre-dumps, last for the final dump
    std::int64_t bytes = 0;   // bytes moved to the host in this round
    std::int64_t millis = 0;
};

struct MigrationReport {
    CheckpointRecord checkpoint;
    std::string sourceVm, targetVm, container, restoredAs;
    bool live = false;
    std::int64_t downtimeMs = 0; // container frozen until running again at the target
    std::vector<MigrationRound> rounds;
    [[nodiscard]] nlohmann::json toJson() const;
};

// What the host measured of a checkpoint's transfer into its store.
struct HostDurations {
    std::int64_t transferMs = 0;
    std::optional<std::int64_t> transferBytes;
};

class CheckpointService {
public:
    explicit CheckpointService(VmService& vms) : m_vms(vms) {}

    [[nodiscard]] Result<CheckpointRecord> checkpoint(const std::string& vm, const std::string& container,
                                                      const CheckpointOptions& options, const ProgressFn& progress,
                                                      CancelFlag cancel = {});
    // `newName` empty: the checkpoint's container name. The container keeps
    // its address and MAC (refused when the target is on another network or
    // a running container holds the address); `tcpClose`: its TCP
    // connections come back closed instead of established.
    [[nodiscard]] Result<protocol::ContainerRestoreResult> restore(const std::string& checkpoint, const std::string& targetVm,
                                                 const std::string& newName, const ProgressFn& progress,
                                                 CancelFlag cancel = {}, bool tcpClose = false);
    [[nodiscard]] Result<MigrationReport> migrate(const std::string& vm, const std::string& container,
                                                  const std::string& targetVm, bool live, const ProgressFn& progress,
                                                  CancelFlag cancel = {});

    [[nodiscard]] Result<std::vector<CheckpointRecord>> list();
    [[nodiscard]] Result<CheckpointRecord> find(const std::string& idOrPrefix);
    // Recomputes every file's sha256; names the first file that differs.
    [[nodiscard]] Status verify(const std::string& idOrPrefix, const ProgressFn& progress = {});
    [[nodiscard]] Status remove(const std::string& idOrPrefix);

    // id, path, size, sha256, pid_map, vm, container, tag, created_at,
    // kernel_release, criu_version, durations, status.
    [[nodiscard]] static nlohmann::json toJson(const CheckpointRecord& record);

private:
    // The agent's hello once it knows whether CRIU works there; Unsupported
    // (with the reason) when the VM cannot take or restore checkpoints.
    [[nodiscard]] Result<protocol::HelloResult> requireCheckpointSupport(AgentClient& agent, const std::string& vm);
    // Pulls a finished checkpoint from the agent into the store and records it.
    [[nodiscard]] Result<CheckpointRecord> store(AgentClient& agent, const std::string& vm,
                                                 const nlohmann::json& manifest, const ProgressFn& progress,
                                                 const CancelFlag& cancel);
    // Checks every file of `dir` against the manifest, moves it into the
    // store as <id>/ and records it.
    [[nodiscard]] Result<CheckpointRecord> finalize(const std::string& vm, const nlohmann::json& manifest,
                                                    const std::string& dir, const HostDurations& host);
    [[nodiscard]] Status upload(AgentClient& agent, const CheckpointRecord& cp, const nlohmann::json& manifest,
                                const ProgressFn& progress);
    // The checkpointed container's interface (its spec's network), when it has one.
    [[nodiscard]] static std::optional<protocol::ContainerNetwork> networkOf(const nlohmann::json& spec);
    // Whether `targetVm` can take a container with that interface (ContainerAddresses::checkRestore).
    [[nodiscard]] Status checkAddress(const std::string& targetVm, const std::optional<protocol::ContainerNetwork>& net,
                                      const std::optional<std::pair<std::int64_t, std::string>>& movingFrom);
    // The address is held by `name` in `targetVm` from now on.
    void settleAddress(const std::string& targetVm, const std::string& name,
                       const std::optional<protocol::ContainerNetwork>& net);
    // `criuVersion`: the oldest CRIU the target may have.
    [[nodiscard]] Status checkTarget(AgentClient& agent, const std::string& vm, const std::string& criuVersion,
                                     const std::string& name);
    [[nodiscard]] Result<MigrationReport> runMigration(AgentClient& source, AgentClient& target, const std::string& id,
                                                       const std::string& partial, MigrationReport& migration,
                                                       const ProgressFn& progress, const CancelFlag& cancel);
    [[nodiscard]] Result<MigrationReport> finishMigration(AgentClient& source, AgentClient& target,
                                                          const std::string& id, const std::string& partial,
                                                          const std::string& parent,
                                                          const std::set<std::string>& pulled,
                                                          MigrationReport& migration, const ProgressFn& progress);
    void refreshContainer(const std::string& vm, const std::string& name);
    [[nodiscard]] std::string storeDir() const;

    VmService& m_vms;
};

// Test hook: with PIDVISOR_TEST_PAUSE=<phase>, the manager creates the file
// $PIDVISOR_TEST_PAUSE_FILE when it reaches that phase and waits until it
// is removed, so a test can break things at a precise moment.
void testPausePoint(const std::string& phase);

} // namespace pidvisor::manager
