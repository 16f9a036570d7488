// ContainerNetworking: a container's own network namespace, wired up.
//
// Every container gets a network namespace (clone3's CLONE_NEWNET) with its
// loopback up. One with a spec.network also gets eth0: one end of a veth
// pair whose other end (pv + 12 hex digits of its name's sha256) is a port
// of the VM's bridge pvbr0, which holds the VM's NIC (packaging/guest's
// sysinit makes it). So the container sits on the libvirt network itself,
// with its own MAC and address, and CRIU can dump that namespace and
// recreate the pair at restore (--veth-pair eth0=pvXXXX@pvbr0) in this VM
// or another one on the same network. After a restore the container
// announces itself (gratuitous ARP), so that the switches learn its new
// port at once.
#pragma once

#include "protocol/Result.h"
#include "protocol/Types.h"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

inline constexpr const char* kBridge = "pvbr0";
inline constexpr const char* kContainerInterface = "eth0";
// There while the VM's boot makes the bridge (packaging/guest's sysinit).
inline constexpr const char* kBridgePending = "/run/pidvisor/bridge-pending";
// How long network-probe waits for an answer: a TCG VM on a busy host
// answers an ARP request within tens of milliseconds.
inline constexpr std::chrono::milliseconds kProbeWait{300};
inline constexpr std::chrono::seconds kNetworkHeardWithin{8};

// The host end of a container's veth pair (15 bytes at most, IFNAMSIZ).
[[nodiscard]] std::string hostVethName(const std::string& container);
// CRIU's veth pair for a restore: {"eth0", "pvXXXX@pvbr0"}.
struct VethPair {
    std::string inside;
    std::string outside; // NAME@BRIDGE
};
[[nodiscard]] VethPair criuVethPair(const std::string& container);

// Loopback up in the namespace of `pid` (a process that has not run the
// container's command yet) and, with a network, its eth0 on the bridge.
// NotFound names the bridge when the VM has no network.
[[nodiscard]] Status attachNetwork(pid_t pid, const std::string& container,
                                   const std::optional<protocol::ContainerNetwork>& network);
// The VM can give containers an interface: its bridge exists (waiting up
// to 60 s for it while kBridgePending says the boot is making it);
// FailedPrecondition naming the bridge otherwise.
[[nodiscard]] Status requireBridge();
// RFC 5227's probe for `address` (dotted quad) from the VM's bridge: two
// ARP requests from 0.0.0.0 within `wait`; the MAC of a machine that
// answers for it (or probes for it too), none when nothing does. Catches
// what the inventory cannot know: the address held by another host or by
// a container another inventory placed on the same network.
[[nodiscard]] Result<std::optional<std::string>> probeAddress(const std::string& address,
                                                              std::chrono::milliseconds wait = kProbeWait);
// Until `gateway` answers a probe (up to kNetworkHeardWithin: a new VM's
// port on a host bridge with spanning tree forwards after 4 s), a probe
// for `address` that nobody answers proves nothing: FailedPrecondition
// when it never does.
[[nodiscard]] Status awaitNetwork(const std::string& gateway, const std::string& address);
// Gratuitous ARP from the container's eth0 (three of them, 100 ms apart,
// in the background): the network's switches learn where it now is.
void announceAddress(pid_t pid, const protocol::ContainerNetwork& network);
// A tree that a dump left frozen (leave-stopped) runs again with its
// network: CRIU leaves its TCP sockets in repair mode and its namespace
// locked (an nftables table "CRIU-..."); both are undone, for the
// container's processes `pids` (global pids).
[[nodiscard]] Status unlockNetwork(pid_t init, const std::vector<pid_t>& pids);
// /etc/resolv.conf for a container with DNS servers, in a fresh upper
// directory (before the container ever ran: nothing there is its yet).
[[nodiscard]] Status writeResolvConf(const std::string& upperDir, const protocol::ContainerNetwork& network);

} // namespace pidvisor::agent
