#include "ContainerManager.h"

#include "ChildStatus.h"
#include "ContainerNetworking.h"
#include "DeviceFilter.h"
#include "Spawner.h"
#include "Syscalls.h"
#include "protocol/BeneathDir.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

namespace pidvisor::agent {

using nlohmann::json;

namespace {

// tmpfs or ramfs (the initramfs root): gone when the VM stops.
std::string storageKind(const std::filesystem::path& dir)
{
    struct statfs fs{};
    if (::statfs(dir.c_str(), &fs) < 0)
        return "memory";
    return fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC ? "memory" : "disk";
}

Error notRunning(const std::string& name)
{
    return Error{ErrorCode::FailedPrecondition, "container '" + name + "' is not running"};
}

} // namespace

ContainerManager::ContainerManager(ContainerStore& store, const Cgroups& cgroups, PidSpace& pidSpace,
                                   Reaper& reaper, ImageStore& images, AgentPaths paths)
    : m_store(store), m_cgroups(cgroups), m_pidSpace(pidSpace), m_reaper(reaper), m_images(images),
      m_paths(std::move(paths)),
      m_pidSpaceName(pidSpace.name()), m_storage(storageKind(store.root()))
{
}

std::vector<std::string> ContainerManager::recover()
{
    std::vector<std::string> problems;
    // The record is saved before a container's command runs, so a directory
    // without one never became a container: its first process (if it still
    // lives, it is dying: Spawner.cpp) and its cgroup go, and so does the
    // directory, or the name would stay taken (already_exists on create,
    // not_found on rm).
    for (const auto& name : m_store.unrecorded()) {
        m_cgroups.remove(name);
        if (auto removed = m_store.remove(name); !removed)
            problems.push_back(removed.error().message);
        else
            problems.push_back("removed container '" + name + "': the agent died while creating it");
    }
    for (auto& record : m_store.loadAll(problems)) {
        auto c = std::make_shared<Container>();
        c->record = std::move(record);
        ContainerRecord& r = c->record;
        if (r.state == ContainerState::Running) {
            // Same pid, same start time and same pid namespace: the very
            // process this agent started before it restarted.
            int fd = sys::pidfdOpen(r.initPid);
            bool same = fd >= 0 && processStartTime(r.initPid) == r.initStartTime &&
                        pidNamespaceInode(r.initPid) == r.pidnsInode;
            if (same) {
                c->pidfd.reset(fd);
            } else {
                if (fd >= 0)
                    ::close(fd);
                r.state = ContainerState::Stopped;
                r.exitKnown = false;
                r.finishedAt = nowMillis();
                if (auto saved = m_store.save(r); !saved)
                    problems.push_back(saved.error().message);
            }
        }
        std::string name = r.spec.name;
        {
            std::lock_guard lock(m_mutex);
            m_containers[name] = c;
        }
        if (c->pidfd)
            watchExit(c);
    }
    return problems;
}

Status ContainerManager::checkNetworkFree(const ContainerSpec& spec) const
{
    if (!spec.network)
        return {};
    // A stopped container's namespace is gone; a running or starting one
    // holds its address and MAC on the network.
    for (const auto& [name, c] : m_containers) {
        if (name == spec.name)
            continue;
        std::lock_guard lock(c->mutex);
        const auto& other = c->record.spec.network;
        if (!other || c->record.state == ContainerState::Stopped)
            continue;
        if (other->address == spec.network->address)
            return fail(ErrorCode::AlreadyExists, "address " + spec.network->address + " is in use by container '" +
                                                      name + "' in this VM");
        if (other->mac == spec.network->mac)
            return fail(ErrorCode::AlreadyExists,
                        "MAC " + spec.network->mac + " is in use by container '" + name + "' in this VM");
    }
    return {};
}

Result<std::shared_ptr<ContainerManager::Container>> ContainerManager::reserve(const ContainerSpec& spec)
{
    std::lock_guard lock(m_mutex);
    if (m_containers.count(spec.name))
        return fail(ErrorCode::AlreadyExists, "container '" + spec.name + "' already exists");
    PV_TRY_STATUS(checkNetworkFree(spec));
    std::optional<UserNamespace> userns;
    if (spec.userns) {
        // A new one gets a range no record has; one asked for (or restored:
        // CRIU maps what was dumped) only has to stay clear of the running.
        std::vector<UserNamespace> taken;
        for (const auto& [name, other] : m_containers) {
            std::lock_guard otherLock(other->mutex);
            if (other->record.spec.userns &&
                (!spec.userns->base || other->record.state != ContainerState::Stopped))
                taken.push_back(*other->record.spec.userns);
        }
        PV_TRY(userns, allocateUserNamespace(*spec.userns, taken));
    }
    PV_TRY_STATUS(m_store.createContainerDir(spec.name, m_paths.maskPaths));
    auto c = std::make_shared<Container>();
    c->record.spec = spec;
    c->record.spec.userns = userns;
    // A user namespace's pid namespace is its own clone3's (Spawner.h).
    c->record.pidSpace = userns ? "clone3" : m_pidSpaceName;
    m_containers[spec.name] = c;
    return c;
}

void ContainerManager::release(const std::string& name)
{
    m_cgroups.remove(name);
    (void)m_store.remove(name);
    std::lock_guard lock(m_mutex);
    m_containers.erase(name);
}

Result<protocol::ContainerInfo> ContainerManager::create(const ContainerSpec& spec)
{
    PV_TRY_STATUS(m_cgroups.checkLimits(CgroupLimits::of(spec)));
    if (spec.network)
        PV_TRY_STATUS(requireBridge());
    if (spec.image)
        PV_TRY_STATUS(m_images.rootfs(*spec.image));
    PV_TRY(auto c, reserve(spec));
    auto result = [&]() -> Result<protocol::ContainerInfo> {
        if (spec.network)
            PV_TRY_STATUS(writeResolvConf(m_store.upperDir(spec.name).string(), *spec.network));
        return launch(c);
    }();
    if (!result)
        release(spec.name);
    return result;
}

Result<protocol::ContainerInfo> ContainerManager::launch(const std::shared_ptr<Container>& c)
{
    ContainerRecord& r = c->record;
    const ContainerSpec& spec = r.spec;
    PV_TRY(OverlayLayers layers, overlayLayers(spec));
    PV_TRY(UniqueFd cgroupFd, m_cgroups.create(spec.name, CgroupLimits::of(spec)));

    ContainerLaunch launch;
    launch.name = spec.name;
    launch.rootfs = m_store.rootfsDir(spec.name).string();
    launch.layers = layers;
    launch.userns = spec.userns;
    launch.uid = spec.uid;
    launch.gid = spec.gid;
    launch.privileged = spec.privileged;
    launch.hostname = spec.hostname.value_or(spec.name);
    launch.cwd = spec.cwd;
    launch.env = spec.env;
    launch.cgroupFd = cgroupFd.get();
    if (spec.init) {
        launch.argv = {m_paths.initBinary, "--"};
        launch.argv.insert(launch.argv.end(), spec.argv.begin(), spec.argv.end());
        launch.execPaths = {m_paths.initBinary};
    } else {
        launch.argv = spec.argv;
        launch.execPaths = executableCandidates(spec.argv.front(), envValue(spec.env, "PATH"));
    }

    auto commit = [&](pid_t pid) -> Status {
        // Its namespace wired before its command runs.
        PV_TRY_STATUS(attachNetwork(pid, spec.name, spec.network));
        r.initPid = pid;
        r.initStartTime = processStartTime(pid).value_or(0);
        r.pidnsInode = pidNamespaceInode(pid).value_or(0);
        r.cgroup = cgroupFd ? m_cgroups.path(spec.name) : "";
        if (!r.createdAt)
            r.createdAt = nowMillis();
        r.state = ContainerState::Running;
        r.finishedAt = 0;
        r.exitKnown = false;
        r.exitCode = r.exitSignal = 0;
        return m_store.save(r);
    };
    PV_TRY(Spawned spawned, spawnContainer(launch, m_pidSpace, commit));
    {
        std::lock_guard lock(c->mutex);
        c->pidfd = std::move(spawned.pidfd);
    }
    watchExit(c);
    std::lock_guard lock(c->mutex);
    return describe(r);
}

void ContainerManager::watchExit(const std::shared_ptr<Container>& c)
{
    std::weak_ptr<Container> weak = c;
    int fd;
    {
        std::lock_guard lock(c->mutex);
        fd = c->pidfd.get();
    }
    auto watched = m_reaper.watch(fd, [this, weak](const ExitStatus& status) {
        if (auto container = weak.lock())
            onExit(container, status);
    });
    (void)watched; // a pidfd that cannot be watched leaves the state as it is
}

void ContainerManager::onExit(const std::shared_ptr<Container>& c, const ExitStatus& status)
{
    std::lock_guard lock(c->mutex);
    ContainerRecord& r = c->record;
    r.state = ContainerState::Stopped;
    r.finishedAt = nowMillis();
    r.exitKnown = status.known;
    r.exitCode = status.code;
    r.exitSignal = status.signal;
    c->pidfd.reset();
    (void)m_store.save(r);
    c->exited.notify_all();
}

Result<std::shared_ptr<ContainerManager::Container>> ContainerManager::find(const std::string& name) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_containers.find(name);
    if (it == m_containers.end() || it->second->record.state == ContainerState::Creating)
        return fail(ErrorCode::NotFound, "no container named '" + name + "'");
    return it->second;
}

std::optional<std::string> ContainerManager::devicesNow(const ContainerRecord& r) const
{
    auto cgroup = m_cgroups.open(r.spec.name);
    if (!cgroup)
        return std::nullopt; // its cgroup is gone: not known
    if (!*cgroup)
        return r.spec.privileged ? "all" : "unfiltered"; // no usable cgroup v2 here
    auto attached = deviceFilterAttached(cgroup->get());
    if (!attached)
        return std::nullopt;
    return *attached ? "default" : r.spec.privileged ? "all" : "unfiltered";
}

protocol::ContainerInfo ContainerManager::describe(const ContainerRecord& r) const
{
    protocol::ContainerInfo info;
    info.name = r.spec.name;
    info.state = r.state;
    info.initPid = r.initPid;
    info.pidnsInode = r.pidnsInode;
    info.pidSpace = r.pidSpace;
    info.cgroup = r.cgroup;
    info.createdAt = r.createdAt;
    info.spec = r.spec;
    info.confinement = describeConfinement(r.spec.privileged);
    if (r.state == ContainerState::Running) {
        info.confinement->devices = devicesNow(r);
        if (auto ns = readUserNamespace(r.initPid))
            info.confinement->userns = *ns;
    }
    info.storage = m_storage;
    if (r.spec.network) {
        info.address = r.spec.network->address.substr(0, r.spec.network->address.find('/'));
        info.mac = r.spec.network->mac;
    }
    if (r.state == ContainerState::Stopped) {
        info.finishedAt = r.finishedAt;
        if (r.exitKnown)
            info.exit = protocol::ExitStatus{r.exitCode, r.exitSignal};
    }
    if (!r.checkpointedAs.empty())
        info.checkpointedAs = r.checkpointedAs;
    if (!r.restoredFrom.empty())
        info.restoredFrom = r.restoredFrom;
    return info;
}

std::vector<protocol::ContainerInfo> ContainerManager::list() const
{
    std::vector<std::shared_ptr<Container>> all;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [name, c] : m_containers)
            all.push_back(c);
    }
    std::vector<protocol::ContainerInfo> out;
    for (const auto& c : all) {
        std::lock_guard lock(c->mutex);
        if (c->record.state != ContainerState::Creating)
            out.push_back(describe(c->record));
    }
    return out;
}

Result<protocol::ContainerInfo> ContainerManager::info(const std::string& name) const
{
    PV_TRY(auto c, find(name));
    protocol::ContainerInfo info;
    {
        std::lock_guard lock(c->mutex);
        info = describe(c->record);
    }
    if (info.state == ContainerState::Running) {
        auto procs = processes(name);
        info.processes = procs ? static_cast<std::int64_t>(procs->size()) : 0;
    }
    return info;
}

Result<std::vector<ProcessInfo>> ContainerManager::processes(const std::string& name) const
{
    PV_TRY(auto c, find(name));
    std::uint64_t inode;
    {
        std::lock_guard lock(c->mutex);
        if (c->record.state != ContainerState::Running)
            return std::vector<ProcessInfo>{};
        inode = c->record.pidnsInode;
    }
    return listNamespaceProcesses(inode);
}

Result<CommandResult> ContainerManager::exec(const std::string& name, const ExecRequest& request) const
{
    PV_TRY(auto c, find(name));
    UniqueFd pidfd;
    std::vector<std::string> env;
    bool privileged = false, userns = false;
    {
        std::lock_guard lock(c->mutex);
        if (c->record.state != ContainerState::Running || !c->pidfd)
            return fail(notRunning(name));
        userns = c->record.spec.userns.has_value();
        pidfd.reset(::fcntl(c->pidfd.get(), F_DUPFD_CLOEXEC, 0));
        env = request.env.empty() ? c->record.spec.env : withDefaultEnv(request.env);
        privileged = c->record.spec.privileged;
    }
    PV_TRY(UniqueFd cgroupFd, m_cgroups.open(name));
    CommandPlan plan;
    plan.argv = request.argv;
    plan.env = std::move(env);
    plan.cwd = request.cwd;
    plan.joinPidfd = pidfd.get();
    plan.joinUserns = userns;
    plan.cgroupFd = cgroupFd.get();
    PV_TRY(plan.confinement, planConfinement(privileged));
    plan.stdinData = request.stdinData;
    plan.timeout = request.timeout;
    auto result = runCommand(plan);
    if (!result && result.error().code == ErrorCode::NotFound)
        return fail(result.error().withContext("in container '" + name + "'"));
    return result;
}

Result<std::string> ContainerManager::logs(const std::string& name, std::size_t tailBytes) const
{
    PV_TRY(auto c, find(name));
    // The log lies in the container's upper directory, which the container
    // writes: it may have put a symlink (to an agent file) or a FIFO there.
    // Nothing on the path is followed and only a regular file is read.
    PV_TRY(auto upper, protocol::BeneathDir::open(m_store.upperDir(name).string()));
    std::string rel = std::filesystem::path(kConsoleLog).relative_path().string();
    auto fd = upper.openFile(rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (!fd && fd.error().code == ErrorCode::NotFound)
        return std::string{};
    if (!fd)
        return fail(fd.error().withContext("reading the log of container '" + name + "'"));
    struct stat st {};
    if (::fstat(fd->get(), &st) < 0)
        return failErrno("reading the log of container '" + name + "'", errno);
    if (!S_ISREG(st.st_mode))
        return fail(ErrorCode::FailedPrecondition, "the log of container '" + name + "' is not a regular file");
    auto size = static_cast<std::size_t>(st.st_size);
    std::size_t take = std::min(size, tailBytes);
    std::string data(take, '\0');
    std::size_t got = 0;
    while (got < take) {
        ssize_t n = ::pread(fd->get(), data.data() + got, take - got, static_cast<off_t>(size - take + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno("reading the log of container '" + name + "'", errno);
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    return data;
}

Result<protocol::ContainerKillResult> ContainerManager::kill(const std::string& name, int signal, bool all) const
{
    PV_TRY(auto c, find(name));
    std::uint64_t inode;
    {
        std::lock_guard lock(c->mutex);
        if (c->record.state != ContainerState::Running || !c->pidfd)
            return fail(notRunning(name));
        if (sys::pidfdSendSignal(c->pidfd.get(), signal) < 0)
            return failErrno("signalling container '" + name + "'", errno);
        inode = c->record.pidnsInode;
    }
    int signalled = 1;
    if (all) {
        PV_TRY(auto procs, listNamespaceProcesses(inode));
        for (const auto& p : procs)
            if (p.vpid != 1 && ::kill(p.pid, signal) == 0)
                ++signalled;
    }
    return protocol::ContainerKillResult{name, signal, signalled};
}

bool ContainerManager::waitStopped(Container& c, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(c.mutex);
    return c.exited.wait_for(lock, timeout, [&] { return c.record.state != ContainerState::Running; });
}

Result<protocol::ContainerInfo> ContainerManager::stop(const std::string& name, std::chrono::milliseconds grace)
{
    PV_TRY(auto c, find(name));
    {
        std::lock_guard lock(c->mutex);
        if (c->record.state == ContainerState::Running && c->pidfd)
            (void)sys::pidfdSendSignal(c->pidfd.get(), SIGTERM);
    }
    if (!waitStopped(*c, grace)) {
        {
            std::lock_guard lock(c->mutex);
            if (c->pidfd)
                (void)sys::pidfdSendSignal(c->pidfd.get(), SIGKILL);
        }
        if (!waitStopped(*c, std::chrono::seconds(10)))
            return fail(ErrorCode::Timeout, "container '" + name + "' did not stop after SIGKILL");
    }
    std::lock_guard lock(c->mutex);
    return describe(c->record);
}

Status ContainerManager::remove(const std::string& name, bool force)
{
    PV_TRY(auto c, find(name));
    {
        std::lock_guard lock(c->mutex);
        if (c->record.state == ContainerState::Running) {
            if (!force)
                return fail(ErrorCode::FailedPrecondition,
                            "container '" + name + "' is running; stop it first or force the removal");
            if (c->pidfd)
                (void)sys::pidfdSendSignal(c->pidfd.get(), SIGKILL);
        }
    }
    if (!waitStopped(*c, std::chrono::seconds(10)))
        return fail(ErrorCode::Timeout, "container '" + name + "' did not stop after SIGKILL");
    release(name);
    releaseImages();
    return {};
}

} // namespace pidvisor::agent
