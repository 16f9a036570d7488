#include "Spawner.h"

#include "ChildStatus.h"
#include "Syscalls.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pidvisor::agent {

namespace {

constexpr auto kSetupTimeout = std::chrono::seconds(30);

struct ChildArgs {
    const char* rootfs;
    const char* overlayOptions; // null: the agent mounted the root (userns)
    const ConfinementPlan* confinement;
    const char* hostname;
    std::size_t hostnameLen;
    const char* cwd;
    const char* const* execPaths;
    char* const* argv;
    char* const* envp;
    int statusFd;
    int goFd;
    long long uid; // -1: stay root
    long long gid;
    bool userns; // born in a user namespace the agent maps
};

// After confinement (setuid from root clears the permitted and effective
// capabilities, as in Docker for a non-root user; CAP_SETGID is still there
// for setgroups when the filter is in place).
int switchUser(const ChildArgs& a)
{
    if (a.gid >= 0) {
        gid_t g = static_cast<gid_t>(a.gid);
        if (::setgroups(1, &g) < 0 || ::setresgid(g, g, g) < 0)
            return errno;
    }
    if (a.uid >= 0) {
        uid_t u = static_cast<uid_t>(a.uid);
        if (::setresuid(u, u, u) < 0)
            return errno;
    }
    return 0;
}

bool makeDevice(const char* path, unsigned major, unsigned minor)
{
    if (::mknod(path, S_IFCHR | 0666, makedev(major, minor)) < 0)
        return false;
    return ::chmod(path, 0666) == 0;
}

// In a user namespace: the VM's node bind-mounted on an empty file.
bool bindDevice(const char* vmPath, const char* path)
{
    int fd = ::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return false;
    ::close(fd);
    return ::mount(vmPath, path, nullptr, MS_BIND, nullptr) == 0;
}

// A tmpfs at dev (relative: the root is the working directory, not yet
// pivoted into) with the usual nodes, its own devpts, shm and mqueue.
bool setupDev(bool userns)
{
    if (::mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") < 0)
        return false;
    for (const auto& d : kContainerDevices) {
        const char* here = d.path + 1; // "dev/null": relative to the root
        if (userns ? !bindDevice(d.path, here) : !makeDevice(here, d.major, d.minor))
            return false;
    }
    if (::symlink("/proc/self/fd", "dev/fd") < 0 || ::symlink("/proc/self/fd/0", "dev/stdin") < 0 ||
        ::symlink("/proc/self/fd/1", "dev/stdout") < 0 || ::symlink("/proc/self/fd/2", "dev/stderr") < 0)
        return false;
    // Optional pieces: a kernel without them still runs containers.
    if (::mkdir("dev/pts", 0755) == 0 &&
        ::mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620") == 0)
        (void)::symlink("pts/ptmx", "dev/ptmx");
    if (::mkdir("dev/shm", 01777) == 0)
        (void)::mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k");
    if (::mkdir("dev/mqueue", 0755) == 0)
        (void)::mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    return true;
}

// Born in a user namespace: enters its root while its ids are still the
// VM's root's (the agent's state directory is that root's alone), waits for
// the agent's map ('M'), then becomes the namespace's root. The root is
// bound onto itself first: its copy of the agent's mounts is locked (as
// every mount a less privileged namespace inherits), and pivot_root refuses
// a locked new root.
void becomeMappedRoot(const ChildArgs& a)
{
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
        childFail(a.statusFd, StageMakePrivate, errno);
    if (::mount(a.rootfs, a.rootfs, nullptr, MS_BIND | MS_REC, nullptr) < 0)
        childFail(a.statusFd, StageMountRoot, errno);
    if (::chdir(a.rootfs) < 0)
        childFail(a.statusFd, StagePivotRoot, errno);
    char mapped = 0;
    if (::read(a.goFd, &mapped, 1) != 1 || mapped != 'M')
        ::_exit(1); // the agent died, or could not map it
    if (::setresgid(0, 0, 0) < 0 || ::setgroups(0, nullptr) < 0 || ::setresuid(0, 0, 0) < 0)
        childFail(a.statusFd, StageUser, errno);
}

[[noreturn]] void containerChild(const ChildArgs& a)
{
    const int st = a.statusFd;
    // Before anything else: nothing of the agent's stays open, and the
    // process cannot be ptraced or its descriptors taken until it execs.
    const int keep[] = {a.statusFd, a.goFd};
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || sys::closeAllExcept(keep, 2) < 0)
        childFail(st, StageIsolate, errno);
    // Until the go, the process dies with the agent's thread: a container
    // that was not recorded must not outlive an agent killed mid-create.
    // The go pipe's write end is the agent's alone, so a hang-up there
    // means it died before the death signal was armed.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        ::_exit(1);
    if (a.userns)
        becomeMappedRoot(a);
    pollfd agentAlive{a.goFd, 0, 0};
    if (::poll(&agentAlive, 1, 0) != 0)
        ::_exit(1);
    // Born in its cgroup (CLONE_INTO_CGROUP): a cgroup namespace made now is
    // rooted there, so /proc/self/cgroup reads "0::/" and the VM's
    // hierarchy above stays out of view (clone3's CLONE_NEWCGROUP would root
    // it at the agent's cgroup, before the move).
    if (::unshare(CLONE_NEWCGROUP) < 0)
        childFail(st, StageCgroupNs, errno);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
        childFail(st, StageMakePrivate, errno);
    if (a.overlayOptions && ::mount("overlay", a.rootfs, "overlay", 0, a.overlayOptions) < 0)
        childFail(st, StageMountRoot, errno);
    if (!a.userns && ::chdir(a.rootfs) < 0)
        childFail(st, StagePivotRoot, errno);
    // An image may lack the mount points (OCI runtimes make them too); the
    // directories land in the container's upper layer. Mounted before the
    // pivot: a user namespace may mount proc and sysfs only while the VM's
    // are in its view.
    (void)::mkdir("proc", 0555);
    (void)::mkdir("dev", 0755);
    (void)::mkdir("sys", 0555);
    if (::mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) < 0)
        childFail(st, StageMountProc, errno);
    if (int err = mountSysfs(*a.confinement, "sys"))
        childFail(st, StageMask, err);
    if (!setupDev(a.userns))
        childFail(st, StageSetupDev, errno);
    // pivot_root(".", ".") stacks the old root on the new one; detaching
    // it leaves only the container's root (runc's trick: no put_old dir).
    if (sys::pivotRoot(".", ".") < 0 || ::umount2(".", MNT_DETACH) < 0 || ::chdir("/") < 0)
        childFail(st, StagePivotRoot, errno);
    if (int err = confineMounts(*a.confinement))
        childFail(st, StageMask, err);
    if (::sethostname(a.hostname, a.hostnameLen) < 0)
        childFail(st, StageHostname, errno);
    if (::setsid() < 0)
        childFail(st, StageSetsid, errno);
    if (::mkdir(kConsoleDir, 0700) < 0 && errno != EEXIST)
        childFail(st, StageConsole, errno);
    int console = ::open(kConsoleLog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (console < 0 || devNull < 0 || ::dup2(devNull, 0) < 0 || ::dup2(console, 1) < 0 || ::dup2(console, 2) < 0)
        childFail(st, StageConsole, errno);
    if (::chdir(a.cwd) < 0)
        childFail(st, StageCwd, errno);
    sys::resetSignals();
    if (int err = confineProcess(*a.confinement))
        childFail(st, StageConfine, err);
    if (int err = switchUser(a))
        childFail(st, StageUser, err);
    childSend(st, StageReady, 0);
    char go = 0;
    if (::read(a.goFd, &go, 1) != 1 || go != 'G')
        ::_exit(1); // the agent died (or gave up) before the go
    // Recorded now: the container outlives agent restarts.
    if (::prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
        childFail(st, StageExec, errno);
    int err = execCandidates(a.execPaths, a.argv, a.envp);
    childFail(st, StageExec, err);
}

Error childError(const ChildRecord& rec, const ContainerLaunch& launch)
{
    if (rec.stage == StageExec) {
        Error e = errnoError("executing '" + launch.argv.front() + "' in the container", rec.value);
        if (rec.value == ENOENT)
            e = Error{ErrorCode::NotFound, "command '" + launch.argv.front() + "' not found in the container"};
        return e;
    }
    return errnoError(childStageText(rec.stage), rec.value);
}

} // namespace

std::vector<std::string> boundDeviceExternals(bool restore)
{
    std::vector<std::string> out;
    for (const auto& d : kContainerDevices)
        out.push_back(restore ? std::string("mnt[") + d.key + "]:" + d.path
                              : std::string("mnt[") + d.path + "]:" + d.key);
    return out;
}

Result<Spawned> spawnContainer(const ContainerLaunch& launch, PidSpace& pidSpace,
                               const std::function<Status(pid_t)>& commit)
{
    CStringArray argv(launch.argv), envp(launch.env), paths(launch.execPaths);
    const bool userns = launch.userns.has_value();
    std::string overlayOptions = launch.layers.options();
    PV_TRY(ConfinementPlan confinement, planConfinement(launch.privileged));
    int statusPipe[2], goPipe[2];
    if (::pipe2(statusPipe, O_CLOEXEC) < 0)
        return failErrno("creating a pipe", errno);
    UniqueFd statusRead(statusPipe[0]), statusWrite(statusPipe[1]);
    if (::pipe2(goPipe, O_CLOEXEC) < 0)
        return failErrno("creating a pipe", errno);
    UniqueFd goRead(goPipe[0]), goWrite(goPipe[1]);
    ChildArgs a{launch.rootfs.c_str(), userns ? nullptr : overlayOptions.c_str(), &confinement,
                launch.hostname.c_str(), launch.hostname.size(), launch.cwd.c_str(), paths.cdata(), argv.data(),
                envp.data(), statusWrite.get(), goRead.get(), launch.uid.value_or(-1), launch.gid.value_or(-1),
                userns};

    // A user namespace's own pid namespace: the child's /proc needs one its
    // namespace owns, and /proc/container's are the VM's.
    std::uint64_t nsFlags = 0;
    if (userns) {
        PV_TRY_STATUS(mountContainerRoot(launch.layers, launch.rootfs, launch.userns));
        nsFlags = CLONE_NEWUSER | CLONE_NEWPID;
    } else {
        PV_TRY(nsFlags, pidSpace.prepare(launch.name));
    }
    int pidfd = -1;
    clone_args args{};
    args.flags = CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | nsFlags;
    if (launch.cgroupFd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<std::uint64_t>(launch.cgroupFd);
    }
    args.pidfd = reinterpret_cast<std::uint64_t>(&pidfd);
    args.exit_signal = SIGCHLD;
    pid_t pid = sys::clone3(args);
    if (pid == 0)
        containerChild(a);
    int cloneErr = errno;
    if (userns)
        ::umount2(launch.rootfs.c_str(), MNT_DETACH); // the child has its own copy now
    else
        pidSpace.finish();
    if (pid < 0)
        return failErrno("creating the container's first process", cloneErr);

    UniqueFd pidfdOwner(pidfd);
    statusWrite.reset();
    goRead.reset();
    auto reap = [pid] {
        (void)sys::waitForChild(pid);
    };
    auto killAndReap = [&] {
        (void)sys::pidfdSendSignal(pidfdOwner.get(), SIGKILL);
        reap();
    };

    if (userns) {
        auto mapped = writeIdMaps(pid, *launch.userns);
        if (!mapped || ::write(goWrite.get(), "M", 1) != 1) {
            killAndReap();
            return fail(mapped ? errnoError("letting the container's first process go on", errno) : mapped.error());
        }
    }
    auto ready = readChildRecord(statusRead.get(), kSetupTimeout);
    if (!ready || !*ready) {
        killAndReap();
        return fail(ready ? Error{ErrorCode::Internal, "the container's first process died during setup"}
                          : ready.error());
    }
    if ((*ready)->stage != StageReady) {
        reap();
        return fail(childError(**ready, launch));
    }
    if (auto committed = commit(pid); !committed) {
        killAndReap();
        return fail(committed.error());
    }
    if (::write(goWrite.get(), "G", 1) != 1) {
        killAndReap();
        return failErrno("starting the container's command", errno);
    }
    goWrite.reset();
    auto execResult = readChildRecord(statusRead.get(), kSetupTimeout);
    if (!execResult) {
        killAndReap();
        return fail(execResult.error());
    }
    if (*execResult) {
        reap();
        return fail(childError(**execResult, launch));
    }
    return Spawned{pid, std::move(pidfdOwner)};
}

} // namespace pidvisor::agent
