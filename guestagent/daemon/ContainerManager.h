// ContainerManager: the agent's containers, their life cycle and the rules
// that keep a failure from losing anything.
//
// A container exists once its record is saved; creation that fails at any
// step removes what it made. The state directory is written before a
// container's command starts and after it exits, so an agent restarted
// after kill -9 finds every container again (recover()).
#pragma once

#include "Cgroups.h"
#include "CommandRunner.h"
#include "ContainerStore.h"
#include "ImageStore.h"
#include "PidSpace.h"
#include "ProcessTable.h"
#include "Reaper.h"
#include "UserNamespaces.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

namespace pidvisor::agent {

struct AgentPaths {
    std::string initBinary;             // pidvisor-init, run as pid 1 with --init
    std::vector<std::string> maskPaths; // agent paths absent from containers' roots
};

struct ExecRequest {
    std::vector<std::string> argv;
    std::vector<std::string> env; // empty: the container's own
    std::string cwd = "/";
    std::string stdinData;
    std::chrono::milliseconds timeout{0};
};

class ContainerManager {
public:
    ContainerManager(ContainerStore& store, const Cgroups& cgroups, PidSpace& pidSpace, Reaper& reaper,
                     ImageStore& images, AgentPaths paths);

    // Loads the records of an earlier run and re-attaches to the containers
    // still running. Returns problems worth logging.
    std::vector<std::string> recover();

    // `spec` has its defaults (withDefaults).
    [[nodiscard]] Result<protocol::ContainerInfo> create(const ContainerSpec& spec);
    [[nodiscard]] std::vector<protocol::ContainerInfo> list() const;
    [[nodiscard]] Result<protocol::ContainerInfo> info(const std::string& name) const;
    [[nodiscard]] Result<std::vector<ProcessInfo>> processes(const std::string& name) const;
    [[nodiscard]] Result<CommandResult> exec(const std::string& name, const ExecRequest& request) const;
    [[nodiscard]] Result<std::string> logs(const std::string& name, std::size_t tailBytes) const;
    [[nodiscard]] Result<protocol::ContainerKillResult> kill(const std::string& name, int signal, bool all) const;
    [[nodiscard]] Result<protocol::ContainerInfo> stop(const std::string& name, std::chrono::milliseconds grace);
    [[nodiscard]] Status remove(const std::string& name, bool force);
    // Runs a stopped container's command again, on the files it left (its
    // upper layer), as a new pid 1. A checkpointed container is restored
    // instead (its checkpoint holds its processes).
    [[nodiscard]] Result<protocol::ContainerInfo> start(const std::string& name);
    // The overlay options of a container's root: its image (or the VM's
    // root) under its upper layer.
    [[nodiscard]] Result<OverlayLayers> overlayLayers(const ContainerSpec& spec);
    [[nodiscard]] ImageStore& images() { return m_images; }

    [[nodiscard]] const std::string& pidSpaceName() const { return m_pidSpaceName; }

    // For checkpoints and restores (CheckpointManager).
    struct Snapshot {
        ContainerRecord record;
        std::string upperDir;
    };
    [[nodiscard]] Result<Snapshot> snapshot(const std::string& name) const;
    // Takes the name and makes the container's directories, for a restore.
    [[nodiscard]] Status reserveForRestore(const ContainerSpec& spec);
    // Records a restored tree (now our child) as the running container.
    [[nodiscard]] Result<protocol::ContainerInfo> adoptRestored(const std::string& name, pid_t pid, const std::string& checkpoint,
                                                       const std::string& cgroup);
    // Undoes reserveForRestore after a failed restore.
    void abandon(const std::string& name) { release(name); }
    // Ends a container whose checkpoint is safe elsewhere.
    [[nodiscard]] Status retire(const std::string& name, const std::string& checkpoint);
    // Lets a tree frozen by a dump (leave stopped) run again.
    [[nodiscard]] Status resume(const std::string& name) const;
    [[nodiscard]] const ContainerStore& store() const { return m_store; }
    [[nodiscard]] const Cgroups& cgroups() const { return m_cgroups; }

private:
    struct Container {
        mutable std::mutex mutex;
        std::condition_variable exited;
        ContainerRecord record;
        UniqueFd pidfd; // valid while running
    };

    [[nodiscard]] Result<std::shared_ptr<Container>> find(const std::string& name) const;
    [[nodiscard]] Result<std::shared_ptr<Container>> reserve(const ContainerSpec& spec);
    // AlreadyExists when a running container of this VM has the spec's
    // address or MAC. Under m_mutex.
    [[nodiscard]] Status checkNetworkFree(const ContainerSpec& spec) const;
    [[nodiscard]] Result<protocol::ContainerInfo> launch(const std::shared_ptr<Container>& c);
    void release(const std::string& name);
    // Lets go of image disks no container uses any more.
    void releaseImages();
    void watchExit(const std::shared_ptr<Container>& c);
    void onExit(const std::shared_ptr<Container>& c, const ExitStatus& status);
    [[nodiscard]] bool waitStopped(Container& c, std::chrono::milliseconds timeout) const;
    [[nodiscard]] protocol::ContainerInfo describe(const ContainerRecord& record) const;
    // Confinement.devices as the kernel has it now (protocol/PROTOCOL.md).
    [[nodiscard]] std::optional<std::string> devicesNow(const ContainerRecord& record) const;

    ContainerStore& m_store;
    const Cgroups& m_cgroups;
    PidSpace& m_pidSpace;
    Reaper& m_reaper;
    ImageStore& m_images;
    AgentPaths m_paths;
    std::string m_pidSpaceName;
    std::string m_storage; // "disk" or "memory": what holds the state directory
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<Container>> m_containers;
};

} // namespace pidvisor::agent
