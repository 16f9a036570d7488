// ContainerManager: the pieces checkpoints and restores need.
#include "ContainerManager.h"
#include "ContainerNetworking.h"

#include "Syscalls.h"

#include <csignal>

namespace pidvisor::agent {

using nlohmann::json;

Result<ContainerManager::Snapshot> ContainerManager::snapshot(const std::string& name) const
{
    PV_TRY(auto c, find(name));
    std::lock_guard lock(c->mutex);
    return Snapshot{c->record, m_store.upperDir(name).string()};
}

Status ContainerManager::reserveForRestore(const ContainerSpec& spec)
{
    if (spec.network)
        PV_TRY_STATUS(requireBridge());
    PV_TRY(auto c, reserve(spec));
    (void)c;
    return {};
}

Result<protocol::ContainerInfo> ContainerManager::adoptRestored(const std::string& name, pid_t pid, const std::string& checkpoint,
                                             const std::string& cgroup)
{
    std::shared_ptr<Container> c;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_containers.find(name);
        if (it == m_containers.end())
            return fail(ErrorCode::Internal, "restored container '" + name + "' was not reserved");
        c = it->second;
    }
    int fd = sys::pidfdOpen(pid);
    if (fd < 0)
        return failErrno("watching the restored container", errno);
    {
        std::lock_guard lock(c->mutex);
        ContainerRecord& r = c->record;
        r.initPid = pid;
        r.initStartTime = processStartTime(pid).value_or(0);
        r.pidnsInode = pidNamespaceInode(pid).value_or(0);
        r.cgroup = cgroup;
        r.createdAt = nowMillis();
        r.state = ContainerState::Running;
        r.restoredFrom = checkpoint;
        c->pidfd.reset(fd);
        PV_TRY_STATUS(m_store.save(r));
    }
    watchExit(c);
    std::lock_guard lock(c->mutex);
    return describe(c->record);
}

Status ContainerManager::retire(const std::string& name, const std::string& checkpoint)
{
    PV_TRY(auto c, find(name));
    {
        std::lock_guard lock(c->mutex);
        if (c->record.state == ContainerState::Running && c->pidfd)
            (void)sys::pidfdSendSignal(c->pidfd.get(), SIGKILL);
    }
    if (!waitStopped(*c, std::chrono::seconds(10)))
        return fail(ErrorCode::Timeout, "container '" + name + "' did not stop after SIGKILL");
    std::lock_guard lock(c->mutex);
    c->record.checkpointedAs = checkpoint;
    return m_store.save(c->record);
}

Status ContainerManager::resume(const std::string& name) const
{
    PV_TRY(auto procs, processes(name));
    // CRIU left its connections in repair mode and its network locked.
    PV_TRY(auto c, find(name));
    pid_t init = 0;
    {
        std::lock_guard lock(c->mutex);
        init = c->record.initPid;
    }
    std::vector<pid_t> pids;
    for (const auto& p : procs)
        pids.push_back(p.pid);
    auto unlocked = unlockNetwork(init, pids);
    for (const auto& p : procs)
        ::kill(p.pid, SIGCONT);
    return unlocked;
}

} // namespace pidvisor::agent
