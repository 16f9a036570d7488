// Confinement: what a container's processes may do, as OCI runtimes set it
// (crun/runc defaults): the Docker default capability set in the bounding,
// effective and permitted sets, no_new_privs, the default seccomp filter
// (Seccomp.h), the usual masked paths under /proc and /sys, and /proc/sys,
// /proc/sysrq-trigger, /proc/irq, /proc/bus and /sys read-only.
//
// A plan is made in the agent (it may allocate); the apply functions run in
// a child between clone and exec and neither allocate nor lock. Both the
// container's first process (Spawner) and every exec child (CommandRunner)
// apply the same process confinement; the mount part is made once, in the
// container's mount namespace, which exec children join.
// A privileged container keeps every capability, has no filter, no masks
// and a writable /sys, as `docker run --privileged` does.
#pragma once

#include "Seccomp.h"

#include "protocol/Result.h"
#include "protocol/Types.h"

#include <cstdint>

namespace pidvisor::agent {

struct ConfinementPlan {
    bool privileged = false;
    const SeccompProgram* seccomp = nullptr; // null when privileged
};

[[nodiscard]] Result<ConfinementPlan> planConfinement(bool privileged);

// The capabilities a confined container keeps, as a bit mask.
[[nodiscard]] std::uint64_t confinedCapabilities();

// Mounts the container's sysfs at `path` (read-only unless privileged), in
// its new mount namespace before it pivots into its root (a user namespace
// may mount sysfs only while the VM's is in view). Returns 0 or an errno.
int mountSysfs(const ConfinementPlan& plan, const char* path) noexcept;

// In the container's root, after /proc, /sys and /dev are mounted: masks
// and read-only paths. Returns 0 or an errno.
int confineMounts(const ConfinementPlan& plan) noexcept;

// Drops capabilities, sets no_new_privs and installs the filter, in this
// order; the last step before exec. Returns 0 or an errno.
int confineProcess(const ConfinementPlan& plan) noexcept;

// What `container-info` reports.
[[nodiscard]] protocol::Confinement describeConfinement(bool privileged);

} // namespace pidvisor::agent
