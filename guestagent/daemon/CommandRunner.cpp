#include "CommandRunner.h"

#include "ChildStatus.h"
#include "ContainerSpec.h"
#include "Syscalls.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>

#include <cerrno>
#include <csignal>

namespace pidvisor::agent {

namespace {

struct Pipe {
    UniqueFd read, write;
};

Result<Pipe> makePipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return failErrno("creating a pipe", errno);
    return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

struct ChildArgs {
    pid_t agent; // the intermediate's parent
    int joinPidfd;
    bool joinUserns;
    int cgroupFd;
    int stdinFd, outFd, errFd, statusFd;
    const ConfinementPlan* confinement; // null: no confinement (guest-exec)
    const char* cwd;
    const char* const* execPaths;
    char* const* argv;
    char* const* envp;
};

// Makes the calling process die with its parent (the agent's thread for the
// intermediate, the intermediate for the command): the agent alone reads
// the output and enforces the timeout, so after kill -9 of the agent an
// exec'd command would run on unwatched, possibly forever. `parent` is
// what getppid() shows while the parent lives; anything else means it died
// before the death signal was armed.
void dieWithParent(pid_t parent)
{
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || ::getppid() != parent)
        ::_exit(127);
}

[[noreturn]] void commandChild(const ChildArgs& a, pid_t parent)
{
    dieWithParent(parent);
    ::setsid();
    const int keep[] = {a.statusFd};
    if (sys::closeAllExcept(keep, 1) < 0)
        childFail(a.statusFd, StageIsolate, errno);
    if (::chdir(a.cwd) < 0)
        childFail(a.statusFd, StageCwd, errno);
    sys::resetSignals();
    if (a.confinement)
        if (int err = confineProcess(*a.confinement))
            childFail(a.statusFd, StageConfine, err);
    childFail(a.statusFd, StageExec, execCandidates(a.execPaths, a.argv, a.envp));
}

// The intermediate: keeps only what it needs, joins the container if asked,
// forks the command, reports its pid and wait status, exits. It closes the
// agent's ends of the pipes too: without that the command's stdin would
// never see EOF.
[[noreturn]] void intermediate(const ChildArgs& a)
{
    dieWithParent(a.agent);
    // Stdio first, here where no container process can see it: the
    // command is born with its own 0-2, never the agent's.
    if (::dup2(a.stdinFd, 0) < 0 || ::dup2(a.outFd, 1) < 0 || ::dup2(a.errFd, 2) < 0)
        childFail(a.statusFd, StageConsole, errno);
    const int keep[] = {a.joinPidfd, a.cgroupFd, a.statusFd};
    // Not dumpable: inherited by the command, reset by its execve.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || sys::closeAllExcept(keep, 3) < 0)
        childFail(a.statusFd, StageIsolate, errno);
    if (a.joinPidfd >= 0) {
        // A cgroup namespace admits only processes inside its root (and a
        // clone into a cgroup outside the caller's namespace is refused):
        // the intermediate moves into the container's cgroup first, as
        // runc's exec does, and its command is born there. The intermediate
        // stays outside the container's pid namespace, invisible from inside.
        if (a.cgroupFd >= 0) {
            int procs = ::openat(a.cgroupFd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
            if (procs < 0 || ::write(procs, "0", 1) != 1)
                childFail(a.statusFd, StageJoin, errno);
            ::close(procs);
        }
        int join = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP;
        if (::setns(a.joinPidfd, join | (a.joinUserns ? CLONE_NEWUSER : 0)) < 0)
            childFail(a.statusFd, StageJoin, errno);
        ::close(a.joinPidfd);
        // Its ids are still the VM's root's, unmapped there: it becomes the
        // namespace's root, as the container's own processes are.
        if (a.joinUserns && (::setresgid(0, 0, 0) < 0 || ::setgroups(0, nullptr) < 0 || ::setresuid(0, 0, 0) < 0))
            childFail(a.statusFd, StageUser, errno);
    }
    clone_args args{};
    args.exit_signal = SIGCHLD;
    if (a.cgroupFd >= 0 && a.joinPidfd < 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = static_cast<std::uint64_t>(a.cgroupFd);
    }
    // In the container's pid namespace the intermediate (outside it) shows
    // as parent 0; an orphan there would show its new reaper instead.
    const pid_t self = a.joinPidfd >= 0 ? 0 : ::getpid();
    pid_t pid = sys::clone3(args);
    if (pid == 0)
        commandChild(a, self);
    if (pid < 0)
        childFail(a.statusFd, StageFork, errno);
    // The command's stdin must see EOF when the agent closes its end.
    ::close(0);
    ::close(1);
    ::close(2);
    childSend(a.statusFd, StagePid, pid);
    childSend(a.statusFd, StageExit, sys::waitForChild(pid));
    ::_exit(0);
}

void drain(int fd, std::string& into, bool& truncated, std::size_t max, bool& open)
{
    char buf[16384];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        open = false;
        return;
    }
    std::size_t room = max > into.size() ? max - into.size() : 0;
    std::size_t take = std::min(room, static_cast<std::size_t>(n));
    into.append(buf, take);
    if (take < static_cast<std::size_t>(n))
        truncated = true;
}

} // namespace

Result<CommandResult> runCommand(const CommandPlan& plan)
{
    if (plan.argv.empty() || plan.argv.front().empty())
        return fail(ErrorCode::InvalidArgument, "the command is empty");
    std::string pathVar = envValue(plan.env, "PATH");
    CStringArray argv(plan.argv), envp(plan.env),
        paths(executableCandidates(plan.argv.front(), pathVar.empty() ? kDefaultPath : pathVar));
    PV_TRY(Pipe in, makePipe());
    PV_TRY(Pipe out, makePipe());
    PV_TRY(Pipe err, makePipe());
    PV_TRY(Pipe status, makePipe());
    ChildArgs a{::getpid(),
                plan.joinPidfd,
                plan.joinUserns,
                plan.cgroupFd,
                in.read.get(),
                out.write.get(),
                err.write.get(),
                status.write.get(),
                plan.confinement ? &*plan.confinement : nullptr,
                plan.cwd.c_str(),
                paths.cdata(),
                argv.data(),
                envp.data()};

    clone_args args{};
    args.exit_signal = SIGCHLD;
    pid_t helper = sys::clone3(args);
    if (helper == 0)
        intermediate(a);
    if (helper < 0)
        return failErrno("creating a process", errno);
    in.read.reset();
    out.write.reset();
    err.write.reset();
    status.write.reset();

    // Small stdin goes in at once; a pipe holds 64 KiB before it blocks.
    if (!plan.stdinData.empty()) {
        ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
        (void)!::write(in.write.get(), plan.stdinData.data(), plan.stdinData.size());
    }
    in.write.reset();

    CommandResult result;
    std::optional<Error> failure;
    bool outOpen = true, errOpen = true, statusOpen = true, exited = false;
    auto start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point exitedAt;
    while (outOpen || errOpen || statusOpen) {
        auto now = std::chrono::steady_clock::now();
        // Once the command has exited, stop waiting for output held open
        // by something it left running in the background.
        if (exited && now - exitedAt > std::chrono::milliseconds(200))
            break;
        if (!exited && plan.timeout.count() > 0 && now - start > plan.timeout && !result.timedOut) {
            result.timedOut = true;
            if (result.pid > 0)
                ::kill(result.pid, SIGKILL);
        }
        pollfd fds[3] = {{outOpen ? out.read.get() : -1, POLLIN, 0},
                         {errOpen ? err.read.get() : -1, POLLIN, 0},
                         {statusOpen ? status.read.get() : -1, POLLIN, 0}};
        int r = ::poll(fds, 3, 50);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (fds[0].revents)
            drain(out.read.get(), result.out, result.outTruncated, plan.maxOutput, outOpen);
        if (fds[1].revents)
            drain(err.read.get(), result.err, result.errTruncated, plan.maxOutput, errOpen);
        if (fds[2].revents) {
            auto rec = readChildRecord(status.read.get(), std::chrono::milliseconds(1000));
            if (!rec || !*rec) {
                statusOpen = false;
                continue;
            }
            const ChildRecord& c = **rec;
            if (c.stage == StagePid) {
                result.pid = c.value;
            } else if (c.stage == StageExit) {
                exited = true;
                exitedAt = std::chrono::steady_clock::now();
                if (WIFEXITED(c.value)) {
                    result.exitCode = WEXITSTATUS(c.value);
                } else if (WIFSIGNALED(c.value)) {
                    result.signal = WTERMSIG(c.value);
                    result.exitCode = 128 + result.signal;
                }
            } else if (!failure) {
                if (c.stage == StageExec && c.value == ENOENT)
                    failure = Error{ErrorCode::NotFound, "command '" + plan.argv.front() + "' not found"};
                else
                    failure = errnoError(childStageText(c.stage), c.value);
            }
        }
    }
    (void)sys::waitForChild(helper);
    if (failure)
        return fail(*failure);
    if (!exited)
        return fail(ErrorCode::Internal, "the command's process vanished without an exit status");
    return result;
}

} // namespace pidvisor::agent
