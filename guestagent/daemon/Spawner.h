// Spawner: creates a container's first process.
//
// The child gets new mount, uts and ipc namespaces plus the pid space from
// PidSpace, mounts an overlay of the guest root as its private root,
// mounts its own /proc, /sys and a minimal /dev there, pivot_roots into it,
// confines itself (Confinement.h), sets the hostname, calls setsid, points stdio at the
// console log inside its root and waits. The agent records the container
// (commit), then lets it exec. Nothing is left behind when any step fails.
// Everything the child touches lives inside its mount namespace, as CRIU
// needs for a later checkpoint.
// With a user namespace (UserNamespaces.h) the child is born in it and waits
// until the agent has written its map; the agent mounts the overlay (over
// idmapped layers) before the clone and lets its own copy go after it, and
// the child's /dev holds bind mounts of the VM's device nodes.
#pragma once

#include "Confinement.h"
#include "PidSpace.h"
#include "UserNamespaces.h"

#include "protocol/Result.h"
#include "protocol/UniqueFd.h"

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

inline constexpr const char* kConsoleDir = "/.pidvisor";
inline constexpr const char* kConsoleLog = "/.pidvisor/console.log";

// The device nodes every container's /dev has: made with mknod, or in a
// user namespace bind mounts of the VM's own (a tmpfs made there gives no
// device nodes), which CRIU sees as external mounts, by `key`.
struct ContainerDevice {
    const char* path; // in the container and in the VM
    unsigned major, minor;
    const char* key; // CRIU's --external mnt[] name when bound
};
inline constexpr ContainerDevice kContainerDevices[] = {
    {"/dev/null", 1, 3, "pv-dev-null"},       {"/dev/zero", 1, 5, "pv-dev-zero"},
    {"/dev/full", 1, 7, "pv-dev-full"},       {"/dev/random", 1, 8, "pv-dev-random"},
    {"/dev/urandom", 1, 9, "pv-dev-urandom"}, {"/dev/tty", 5, 0, "pv-dev-tty"},
};

// CRIU's --external arguments for a --userns container's bound devices: at
// dump "mnt[/dev/null]:KEY", at restore "mnt[KEY]:/dev/null".
[[nodiscard]] std::vector<std::string> boundDeviceExternals(bool restore);

struct ContainerLaunch {
    std::string name;
    std::string rootfs; // overlay mount point, in the agent's view
    OverlayLayers layers;
    bool privileged = false;
    // Its own user namespace (and then a clone3 pid namespace, owned by it:
    // /proc/container's belong to the VM's); the agent mounts the root.
    std::optional<UserNamespace> userns;
    std::string hostname;
    std::string cwd;
    std::vector<std::string> argv;
    std::vector<std::string> execPaths; // candidates for argv[0]
    std::vector<std::string> env;
    int cgroupFd = -1;
    std::optional<std::int64_t> uid; // none: root
    std::optional<std::int64_t> gid;
};

struct Spawned {
    pid_t pid = 0;
    UniqueFd pidfd;
};

// `commit` runs after setup succeeded and before exec; if it fails the
// child is killed. On success the caller owns (and must reap) the child.
[[nodiscard]] Result<Spawned> spawnContainer(const ContainerLaunch& launch, PidSpace& pidSpace,
                                             const std::function<Status(pid_t)>& commit);

} // namespace pidvisor::agent
