// ContainerAddresses: the address and MAC each container gets on its VM's
// libvirt network, allocated by the manager and kept in the inventory
// (container_addresses), so that no two containers on one network share
// one, in any VM, and a restore or migration keeps it.
//
// Addresses come from the network's own IPv4 range: first above its DHCP
// range (Pidvisor's networks leave the upper half of theirs for containers,
// libvirt/Networks.h), then, for a network whose DHCP range fills it, the
// highest ones inside the DHCP range (dnsmasq pings before it leases, so it
// skips one a container answers on). The MAC is 02:70:76 and the address's
// low 24 bits (locally administered, unique on the network with the
// address). Gateway and DNS are the network's own address (libvirt's
// bridge and dnsmasq).
#pragma once

#include "inventory/Inventory.h"
#include "libvirt/Connection.h"

#include "protocol/Result.h"
#include "protocol/Types.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace pidvisor::manager {

struct NetworkRange {
    std::string name;
    std::uint32_t gateway = 0; // the network's own address
    int prefix = 0;
    std::uint32_t dhcpStart = 0, dhcpEnd = 0; // both 0: no DHCP range
    [[nodiscard]] std::uint32_t base() const { return gateway & (~0U << (32 - prefix)); }
    [[nodiscard]] std::uint32_t broadcast() const { return base() | ~(~0U << (32 - prefix)); }
    [[nodiscard]] bool contains(std::uint32_t a) const { return a > base() && a < broadcast(); }
};

// From a libvirt network's XML: its first IPv4 <ip> and <dhcp><range>.
// FailedPrecondition when it has no IPv4 address (libvirt does not route
// it: containers could not be reached on it).
[[nodiscard]] Result<NetworkRange> parseNetworkRange(const std::string& name, const std::string& xml);
// The address a new container gets (rules above); std::nullopt when every
// one is taken.
[[nodiscard]] std::optional<std::uint32_t> pickAddress(const NetworkRange& range, const std::set<std::uint32_t>& taken);
[[nodiscard]] std::string macForAddress(std::uint32_t address);
[[nodiscard]] std::string dottedQuad(std::uint32_t address);
[[nodiscard]] std::optional<std::uint32_t> parseDottedQuad(const std::string& text);
// The container's interface for `address` on `range`.
[[nodiscard]] protocol::ContainerNetwork containerNetworkFor(const NetworkRange& range, std::uint32_t address);

class ContainerAddresses {
public:
    ContainerAddresses(Inventory& inventory, const Connection& connection)
        : m_inventory(inventory), m_conn(connection)
    {
    }

    // A new address for `container` in `vm`, on the VM's network `network`
    // ("" when it has none: std::nullopt). `wanted`: the user's choice
    // ("" any), refused when outside the range or taken (AlreadyExists
    // naming its holder). A chosen one is never one of `avoid` (addresses
    // something on the network answered for).
    [[nodiscard]] Result<std::optional<protocol::ContainerNetwork>>
    allocate(const VmRecord& vm, const std::string& network, const std::string& container, const std::string& wanted,
             const std::set<std::string>& avoid = {});
    // The container is gone: its address is free again. Nothing when it had none.
    void release(const VmRecord& vm, const std::string& container);

    // Before a restore into `target` (on `targetNetwork`) of a container
    // with `net`: the target is on the same network, and no running
    // container but `movingFrom` (the migration's source, or none) holds
    // the address. Changes nothing.
    [[nodiscard]] Status checkRestore(const VmRecord& target, const std::string& targetNetwork,
                                      const protocol::ContainerNetwork& net,
                                      const std::optional<std::pair<std::int64_t, std::string>>& movingFrom) const;
    // After the restore: the address is held by `container` in `target`.
    [[nodiscard]] Status settleRestore(const VmRecord& target, const std::string& container,
                                       const protocol::ContainerNetwork& net);

private:
    // "container 'web' in VM 'vm1'" for messages.
    [[nodiscard]] std::string holderText(const AddressRecord& a) const;
    [[nodiscard]] bool holderRuns(const AddressRecord& a) const;

    Inventory& m_inventory;
    const Connection& m_conn;
};

} // namespace pidvisor::manager
