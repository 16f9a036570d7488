// UserNamespaces: what a --userns container needs from the agent, which
// runs as the VM's root in the VM's own namespaces.
//
// The container's uids and gids 0..size-1 are the VM's base..base+size-1
// (one line, "0 BASE SIZE", in uid_map and gid_map, written by the agent:
// the child cannot map ids it does not own). Its files stay as they are on
// disk: the overlay's layers (the image or the VM's root, and the
// container's upper and work directories) are idmapped mounts through a
// namespace with the same map, so a file owned by 0 on disk is owned by the
// container's root, and what the container writes lands on disk as it sees
// it. A checkpoint's files therefore need no shifting, and a restore with
// another base would read them the same. The overlay is mounted by the
// agent (the VM's root may mount one over idmapped layers; the container
// may not), both for a new container and for a restore.
#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"
#include "protocol/UniqueFd.h"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

using protocol::UserNamespace;

// A container root's overlay, as its directories.
struct OverlayLayers {
    std::string lower;   // one directory (an image's root or the VM's "/")
    std::string upper;   // the container's own files
    std::string work;    // beside upper: overlay's scratch directory
    std::string staging; // where idmapped layers are attached while the overlay is mounted

    [[nodiscard]] std::string options() const; // lowerdir=...,upperdir=...,workdir=...
};

// Writes "0 BASE SIZE" to the uid_map and gid_map of `pid`, a process in a
// user namespace just made and not yet mapped.
[[nodiscard]] Status writeIdMaps(pid_t pid, const UserNamespace& ns);

// A user namespace with that map, held by the descriptor (its maker, a
// short-lived child, is gone when this returns). For idmapped mounts.
[[nodiscard]] Result<UniqueFd> mappedUserNamespace(const UserNamespace& ns);

// Mounts the overlay at `target` in the caller's mount namespace. With
// `userns`, its layers are idmapped mounts through a namespace with that
// map, attached under layers.staging for the mount and detached after it.
[[nodiscard]] Status mountContainerRoot(const OverlayLayers& layers, const std::string& target,
                                        const std::optional<UserNamespace>& userns);

// Lets every user read the checkpoint's files and directories
// (they stay in the agent's 0700 state directory, which no container sees):
// CRIU's tasks restoring a --userns tree open images both before their
// namespace is mapped (as the VM's root, unmapped there) and after it (as
// the range's root), and only "other" permissions hold in both. Symlinks
// are left alone, never followed.
[[nodiscard]] Status letRestoredTasksRead(const std::string& checkpointDir);

// The map of the user namespace `pid` is in: none when it is the VM's own
// (uid_map "0 0 4294967295"); an error when it is not one line from 0.
[[nodiscard]] Result<std::optional<UserNamespace>> readUserNamespace(pid_t pid);

// Picks a base for a new --userns container: the first of 100000, 165536,
// 231072, ... (steps of the size) whose range overlaps none of `taken`.
// Asked for a base, checks that it overlaps none instead.
[[nodiscard]] Result<UserNamespace> allocateUserNamespace(const UserNamespace& asked,
                                                          const std::vector<UserNamespace>& taken);

} // namespace pidvisor::agent
