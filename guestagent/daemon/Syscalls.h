// Thin wrappers for the Linux system calls glibc 2.36 does not wrap
// (clone3, pivot_root) plus the pidfd calls, in one place. All are safe to
// call in a child between clone and exec (no allocation, no locks).
#pragma once

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

namespace pidvisor::agent::sys {

// clone3 without a new stack: returns twice like fork (0 in the child).
inline pid_t clone3(clone_args& args)
{
    return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

inline int pivotRoot(const char* newRoot, const char* putOld)
{
    return static_cast<int>(::syscall(SYS_pivot_root, newRoot, putOld));
}

inline int pidfdOpen(pid_t pid)
{
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

inline int pidfdGetfd(int pidfd, int targetFd)
{
    return static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, targetFd, 0U));
}

inline int pidfdSendSignal(int pidfd, int sig)
{
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

// waitpid for one child, again after EINTR; its wait status (0 when there
// was nothing to wait for).
inline int waitForChild(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

inline int closeRange(unsigned first, unsigned last)
{
    return static_cast<int>(::syscall(SYS_close_range, first, last, 0U));
}

// Closes every descriptor from 3 up except the `count` in `keep` (negative
// entries are ignored). Closed, not marked close-on-exec: a process that a
// container can see must hold nothing of the agent's, even before it execs
// (a process inside wins a pidfd_getfd race against close-on-exec).
inline int closeAllExcept(const int* keep, unsigned count)
{
    int sorted[16];
    unsigned n = 0;
    for (unsigned i = 0; i < count && n < 16; ++i) {
        if (keep[i] < 3)
            continue;
        unsigned j = n++;
        for (; j > 0 && sorted[j - 1] > keep[i]; --j)
            sorted[j] = sorted[j - 1];
        sorted[j] = keep[i];
    }
    unsigned next = 3;
    for (unsigned i = 0; i < n; ++i) {
        auto fd = static_cast<unsigned>(sorted[i]);
        if (fd > next && closeRange(next, fd - 1) < 0)
            return -1;
        next = fd + 1;
    }
    return closeRange(next, ~0U);
}

// Resets every signal to its default action and unblocks all of them, so a
// new program starts clean whatever the agent's threads had set.
inline void resetSignals()
{
    struct sigaction sa {};
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        ::sigaction(sig, &sa, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

} // namespace pidvisor::agent::sys
