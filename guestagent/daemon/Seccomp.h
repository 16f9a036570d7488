// Seccomp: the system-call filter of a confined container, the equivalent
// of the Podman/Docker default profile: every call is allowed except a
// list of dangerous ones, which fail with EPERM (clone3 with ENOSYS, so
// that libc falls back to clone, whose flags the filter can see).
//
// libseccomp compiles the filter once, in the agent, into a classic BPF
// program. A child between clone and exec installs it with one system call:
// no allocation and no libseccomp there (the agent is multithreaded).
// CRIU dumps and restores the filter as process state.
#pragma once

#include "protocol/Result.h"

#include <linux/filter.h>

#include <span>
#include <vector>

namespace pidvisor::agent {

struct SeccompProgram {
    std::vector<sock_filter> code;
    sock_fprog prog{}; // points into code
};

// The container filter, built on first use; later calls return the same one.
[[nodiscard]] Result<const SeccompProgram*> containerSeccompProgram();

// The names of the calls the filter refuses (those known to this kernel's
// architecture are filtered; the rest do not exist here).
[[nodiscard]] std::span<const char* const> deniedSyscalls();

// Installs `program` on the calling thread; no_new_privs must be set (or the
// caller hold CAP_SYS_ADMIN). Returns 0 or an errno. Safe after clone.
int installSeccomp(const SeccompProgram& program) noexcept;

} // namespace pidvisor::agent
