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

inline int pidfdSendSignal(int pidfd, int sig)
{
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

inline int closeRangeCloexec(unsigned first)
{
    constexpr unsigned kCloexec = 1U << 2; // CLOSE_RANGE_CLOEXEC
    return static_cast<int>(::syscall(SYS_close_range, first, ~0U, kCloexec));
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
