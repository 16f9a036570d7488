#include "Escape.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>
#include <string>

namespace pidvisor::testload {

namespace {

const char* errnoName(int err)
{
    switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EROFS: return "EROFS";
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EBUSY: return "EBUSY";
    case ESRCH: return "ESRCH";
    case EBADF: return "EBADF";
    default: return "EOTHER";
    }
}

int result(int rc)
{
    std::puts(rc < 0 ? errnoName(errno) : "ok");
    return 0;
}

int openForWriting(const char* path)
{
    int fd = ::open(path, O_WRONLY | O_CLOEXEC); // opened and closed, never written
    if (fd >= 0)
        ::close(fd);
    return fd < 0 ? -1 : 0;
}

int mknodThenRemove(mode_t type, unsigned major, unsigned minor)
{
    const char* path = "/tmp/pv-escape-node";
    int rc = ::mknod(path, type | 0600, makedev(major, minor));
    if (rc == 0)
        ::unlink(path);
    return rc;
}

int mountOn(const char* type)
{
    ::mkdir("/tmp/pv-escape-mnt", 0700);
    int rc = ::mount(type, "/tmp/pv-escape-mnt", type, 0, nullptr);
    if (rc == 0)
        ::umount2("/tmp/pv-escape-mnt", MNT_DETACH);
    return rc;
}

int cloneNewUser()
{
    long pid = ::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid == 0)
        ::_exit(0);
    if (pid > 0)
        while (::waitpid(static_cast<pid_t>(pid), nullptr, 0) < 0 && errno == EINTR) {
        }
    return pid < 0 ? -1 : 0;
}

int loadModule()
{
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    int rc = static_cast<int>(::syscall(SYS_finit_module, fd, "", 0));
    int err = errno;
    ::close(fd);
    errno = err;
    return rc;
}

int setClock()
{
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now); // today's time: nothing changes if it were allowed
    return ::clock_settime(CLOCK_REALTIME, &now);
}

} // namespace

int attempt(const char* what)
{
    std::string w = what;
    if (w == "core-pattern")
        return result(openForWriting("/proc/sys/kernel/core_pattern"));
    if (w == "sysrq-trigger")
        return result(openForWriting("/proc/sysrq-trigger"));
    if (w == "mknod-block")
        return result(mknodThenRemove(S_IFBLK, 8, 0));
    if (w == "mknod-char")
        return result(mknodThenRemove(S_IFCHR, 1, 1)); // /dev/mem
    if (w == "mount-proc" || w == "mount-sysfs" || w == "mount-tmpfs")
        return result(mountOn(w.substr(6).c_str()));
    if (w.rfind("umount:", 0) == 0)
        return result(::umount2(w.substr(7).c_str(), MNT_DETACH));
    if (w == "unshare-user")
        return result(::unshare(CLONE_NEWUSER));
    if (w == "clone-newuser")
        return result(cloneNewUser());
    if (w == "setns-mnt") {
        int fd = ::open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
        return result(fd < 0 ? -1 : ::setns(fd, CLONE_NEWNS));
    }
    if (w == "finit-module")
        return result(loadModule());
    if (w == "clock-settime")
        return result(setClock());
    std::fprintf(stderr, "unknown attempt %s\n", what);
    return 2;
}

namespace {

// What a stolen descriptor is; "" when it is harmless for this test
// (a pipe or a character device: the exec child's own stdio).
std::string classify(int fd)
{
    struct stat st {};
    if (::fstat(fd, &st) < 0)
        return "unknown";
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
        return "";
    char link[256] = {};
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    (void)!::readlink(path.c_str(), link, sizeof link - 1);
    return link;
}

struct Counts {
    long seen = 0, getfdOk = 0, getfdEperm = 0, getfdOther = 0, ptraceOk = 0, ptraceEperm = 0, files = 0;
    std::set<std::string> what;
};

void probe(pid_t pid, bool tryPtrace, Counts& c)
{
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0)
        return;
    ++c.seen;
    for (int target = 0; target < 32; ++target) {
        int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, target, 0));
        if (fd >= 0) {
            ++c.getfdOk;
            std::string kind = classify(fd);
            if (!kind.empty()) {
                ++c.files;
                c.what.insert(kind);
            }
            ::close(fd);
        } else if (errno == EPERM) {
            ++c.getfdEperm;
            break; // the same answer for every descriptor
        } else if (errno == ESRCH) {
            break;
        } else if (errno != EBADF) {
            ++c.getfdOther;
        }
    }
    if (tryPtrace) {
        if (::ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) == 0)
            ++c.ptraceOk; // detached when this process exits
        else if (errno == EPERM)
            ++c.ptraceEperm;
    }
    ::close(pidfd);
}

} // namespace

int stealFds(const char* stopFile, const char* outFile, bool tryPtrace)
{
    Counts c;
    const pid_t self = ::getpid();
    std::set<pid_t> done;
    while (::access(stopFile, F_OK) != 0) {
        DIR* proc = ::opendir("/proc");
        if (!proc)
            return 1;
        while (dirent* e = ::readdir(proc)) {
            pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
            // Not pid 1 (the container's command) nor this process; a pid
            // once probed is probed again as long as it lives: the window
            // before exec is what matters.
            if (pid <= 1 || pid == self)
                continue;
            done.insert(pid);
            probe(pid, tryPtrace, c);
        }
        ::closedir(proc);
    }
    std::string line = "seen=" + std::to_string(c.seen) + " getfd_ok=" + std::to_string(c.getfdOk) +
                       " getfd_eperm=" + std::to_string(c.getfdEperm) + " getfd_other=" +
                       std::to_string(c.getfdOther) + " ptrace_ok=" + std::to_string(c.ptraceOk) +
                       " ptrace_eperm=" + std::to_string(c.ptraceEperm) + " files=" + std::to_string(c.files) +
                       " pids=" + std::to_string(done.size());
    for (const auto& w : c.what)
        line += " " + w;
    std::string tmp = std::string(outFile) + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f)
        return 1;
    std::fprintf(f, "%s\n", line.c_str());
    std::fclose(f);
    return std::rename(tmp.c_str(), outFile) == 0 ? 0 : 1;
}

} // namespace pidvisor::testload
