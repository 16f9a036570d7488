// Networks: the libvirt network a VM's virtio NIC is on. By default that is
// Pidvisor's own ("pidvisor": NAT like libvirt's `default`, its own subnet,
// libvirt's dnsmasq handing out addresses), defined and started through
// libvirt's network API the first time a VM needs it, so virsh net-list and
// virt-manager show it like any other. Any other existing libvirt network
// can be named instead; "none" gives a VM no NIC.
//
// Pidvisor's own network hands out DHCP leases (to VMs) from the lower half
// of its range; the upper half is for containers' addresses, which the
// manager allocates (vm/ContainerAddresses).
//
// Environment: PIDVISOR_NETWORK (the default network's name, or "none"),
// PIDVISOR_NETWORK_SUBNET (its IPv4 range when Pidvisor defines it,
// default 10.83.0.0/24), PIDVISOR_NETWORK_ISOLATED=1 (define it without
// forwarding: nothing leaves the host; the tests use this).
#pragma once

#include "Connection.h"

#include "protocol/Result.h"

#include <string>

namespace pidvisor::manager {

inline constexpr const char* kNetworkName = "pidvisor";

struct NetworkSettings {
    std::string name = kNetworkName;
    std::string subnet = "10.83.0.0/24"; // IPv4, prefix 16 to 28
    bool isolated = false;

    // From the environment (above).
    [[nodiscard]] static NetworkSettings fromEnvironment();
};

// The definition Pidvisor gives its own network; InvalidArgument for a
// subnet that is not an IPv4 network of prefix 16 to 28.
[[nodiscard]] Result<std::string> buildNetworkXml(const NetworkSettings& settings);

// A libvirt network's definition as it runs now (its live XML), for the
// addresses containers get on it. NotFound names a network libvirt does
// not know; Unavailable one that is not running (its bridge is down).
[[nodiscard]] Result<std::string> activeNetworkXml(const Connection& conn, const std::string& name);

// Makes `name` ready for a VM: Pidvisor's own network (settings.name) is
// defined (persistent, autostarted) when missing; any network is started
// when it is inactive. Another name that libvirt does not know is a
// NotFound naming it.
[[nodiscard]] Status ensureNetwork(const Connection& conn, const std::string& name, const NetworkSettings& settings);

} // namespace pidvisor::manager
