#include "ContainerAddresses.h"

#include "XmlDocument.h"

#include "libvirt/Networks.h"

#include "protocol/Names.h"

#include <arpa/inet.h>

#include <cstdio>

namespace pidvisor::manager {

using protocol::quoteForMessage;

std::string dottedQuad(std::uint32_t address)
{
    in_addr a{htonl(address)};
    char buf[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

std::optional<std::uint32_t> parseDottedQuad(const std::string& text)
{
    in_addr a{};
    if (text.size() > 15 || ::inet_pton(AF_INET, text.c_str(), &a) != 1)
        return std::nullopt;
    return ntohl(a.s_addr);
}

std::string macForAddress(std::uint32_t address)
{
    char buf[18];
    std::snprintf(buf, sizeof buf, "02:70:76:%02x:%02x:%02x", (address >> 16) & 0xff, (address >> 8) & 0xff,
                  address & 0xff);
    return buf;
}

Result<NetworkRange> parseNetworkRange(const std::string& name, const std::string& xml)
{
    PV_TRY(XmlDocument doc, XmlDocument::parse(xml));
    // The first <ip> without a family, or family ipv4.
    const std::string ip = "/network/ip[not(@family) or @family='ipv4'][1]";
    auto address = parseDottedQuad(doc.text(ip + "/@address").value_or(""));
    if (!address)
        return fail(ErrorCode::FailedPrecondition, "libvirt network " + quoteForMessage(name) +
                                                       " has no IPv4 address of its own: containers get no address on it");
    NetworkRange r;
    r.name = name;
    r.gateway = *address;
    if (auto prefix = doc.text(ip + "/@prefix")) {
        r.prefix = std::atoi(prefix->c_str());
    } else if (auto mask = parseDottedQuad(doc.text(ip + "/@netmask").value_or(""))) {
        r.prefix = __builtin_popcount(*mask);
    }
    if (r.prefix < 8 || r.prefix > 30)
        return fail(ErrorCode::FailedPrecondition, "libvirt network " + quoteForMessage(name) +
                                                       " has a range too small or unusual for containers (prefix " +
                                                       std::to_string(r.prefix) + ")");
    auto start = parseDottedQuad(doc.text(ip + "/dhcp/range[1]/@start").value_or(""));
    auto end = parseDottedQuad(doc.text(ip + "/dhcp/range[1]/@end").value_or(""));
    if (start && end && *start <= *end) {
        r.dhcpStart = *start;
        r.dhcpEnd = *end;
    }
    return r;
}

std::optional<std::uint32_t> pickAddress(const NetworkRange& r, const std::set<std::uint32_t>& taken)
{
    auto usable = [&](std::uint32_t a) { return r.contains(a) && a != r.gateway && !taken.count(a); };
    bool dhcp = r.dhcpStart != 0;
    // Above the DHCP range (or the whole range without one), lowest first.
    for (std::uint32_t a = dhcp ? r.dhcpEnd + 1 : r.base() + 1; a < r.broadcast(); ++a)
        if (usable(a) && (!dhcp || a > r.dhcpEnd))
            return a;
    // Below it.
    for (std::uint32_t a = r.base() + 1; dhcp && a < r.dhcpStart; ++a)
        if (usable(a))
            return a;
    // Inside it, from the top, where leases come last.
    for (std::uint32_t a = r.dhcpEnd; dhcp && a >= r.dhcpStart && a > r.base(); --a)
        if (usable(a))
            return a;
    return std::nullopt;
}

protocol::ContainerNetwork containerNetworkFor(const NetworkRange& r, std::uint32_t address)
{
    protocol::ContainerNetwork net;
    net.address = dottedQuad(address) + "/" + std::to_string(r.prefix);
    net.mac = macForAddress(address);
    net.gateway = dottedQuad(r.gateway);
    net.dns = {dottedQuad(r.gateway)};
    net.libvirtNetwork = r.name;
    return net;
}

std::string ContainerAddresses::holderText(const AddressRecord& a) const
{
    auto vm = m_inventory.findVmById(a.vmId);
    std::string vmName = vm && *vm ? (*vm)->name : "#" + std::to_string(a.vmId);
    return "container " + quoteForMessage(a.container) + " in VM " + quoteForMessage(vmName);
}

bool ContainerAddresses::holderRuns(const AddressRecord& a) const
{
    auto containers = m_inventory.containers(a.vmId);
    if (!containers)
        return true; // unknown: assume it does
    for (const auto& c : *containers)
        if (c.name == a.container)
            return c.state == ContainerState::Running || c.state == ContainerState::Creating;
    return false;
}

Result<std::optional<protocol::ContainerNetwork>> ContainerAddresses::allocate(const VmRecord& vm,
                                                                               const std::string& network,
                                                                               const std::string& container,
                                                                               const std::string& wanted,
                                                                               const std::set<std::string>& avoid)
{
    if (network.empty()) {
        if (!wanted.empty())
            return fail(ErrorCode::FailedPrecondition, "VM " + quoteForMessage(vm.name) +
                                                           " has no network: a container there cannot have address " +
                                                           wanted);
        return std::optional<protocol::ContainerNetwork>();
    }
    PV_TRY(std::string xml, activeNetworkXml(m_conn, network));
    PV_TRY(NetworkRange range, parseNetworkRange(network, xml));
    // A name that held one before (a failed create, a record the agent lost).
    if (auto old = m_inventory.findAddressOf(vm.id, container); old && *old)
        (void)m_inventory.deleteAddress((*old)->network, (*old)->address);
    for (int attempt = 0; attempt < 8; ++attempt) {
        PV_TRY(std::vector<AddressRecord> held, m_inventory.addresses(network));
        std::set<std::uint32_t> taken;
        for (const auto& a : held)
            if (auto n = parseDottedQuad(a.address))
                taken.insert(*n);
        for (const auto& a : avoid)
            if (auto n = parseDottedQuad(a))
                taken.insert(*n);
        std::optional<std::uint32_t> address;
        if (!wanted.empty()) {
            address = parseDottedQuad(wanted);
            if (!address || !range.contains(*address) || *address == range.gateway)
                return fail(ErrorCode::InvalidArgument,
                            "address " + quoteForMessage(wanted) + " is not one a container can have on network " +
                                quoteForMessage(network) + " (" + dottedQuad(range.base()) + "/" +
                                std::to_string(range.prefix) + ", the network itself is " + dottedQuad(range.gateway) +
                                ")");
            for (const auto& a : held)
                if (a.address == wanted)
                    return fail(ErrorCode::AlreadyExists,
                                "address " + wanted + " on network " + quoteForMessage(network) + " is taken by " +
                                    holderText(a));
        } else {
            address = pickAddress(range, taken);
            if (!address)
                return fail(ErrorCode::ResourceExhausted, "network " + quoteForMessage(network) +
                                                              " has no free address left for a container");
        }
        protocol::ContainerNetwork net = containerNetworkFor(range, *address);
        AddressRecord record{network, dottedQuad(*address), net.mac, vm.id, container, 0};
        auto stored = m_inventory.insertAddress(record);
        if (stored)
            return std::optional<protocol::ContainerNetwork>(net);
        // Another process took it between the read and the write: next one.
        if (stored.error().code != ErrorCode::AlreadyExists || !wanted.empty())
            return fail(stored.error());
    }
    return fail(ErrorCode::Unavailable, "network " + quoteForMessage(network) +
                                            ": addresses kept being taken while choosing one; try again");
}

void ContainerAddresses::release(const VmRecord& vm, const std::string& container)
{
    if (auto held = m_inventory.findAddressOf(vm.id, container); held && *held)
        (void)m_inventory.deleteAddress((*held)->network, (*held)->address);
}

Status ContainerAddresses::checkRestore(const VmRecord& target, const std::string& targetNetwork,
                                        const protocol::ContainerNetwork& net,
                                        const std::optional<std::pair<std::int64_t, std::string>>& movingFrom) const
{
    std::string network = net.libvirtNetwork.value_or("");
    std::string address = net.address.substr(0, net.address.find('/'));
    if (targetNetwork.empty())
        return fail(ErrorCode::FailedPrecondition, "the container has address " + address + " on network " +
                                                       quoteForMessage(network) + ", and VM " +
                                                       quoteForMessage(target.name) + " has no network");
    if (!network.empty() && network != targetNetwork)
        return fail(ErrorCode::FailedPrecondition, "the container has address " + address + " on network " +
                                                       quoteForMessage(network) + ", and VM " +
                                                       quoteForMessage(target.name) + " is on network " +
                                                       quoteForMessage(targetNetwork));
    PV_TRY(auto held, m_inventory.findAddress(targetNetwork, address));
    if (!held)
        return {};
    bool isSource = movingFrom && held->vmId == movingFrom->first && held->container == movingFrom->second;
    if (!isSource && holderRuns(*held))
        return fail(ErrorCode::AlreadyExists, "address " + address + " on network " + quoteForMessage(targetNetwork) +
                                                  " is in use by " + holderText(*held));
    return {};
}

Status ContainerAddresses::settleRestore(const VmRecord& target, const std::string& container,
                                         const protocol::ContainerNetwork& net)
{
    std::string network = net.libvirtNetwork.value_or("");
    if (network.empty())
        return {};
    std::string address = net.address.substr(0, net.address.find('/'));
    // The new holder may have held another address under this name before.
    if (auto old = m_inventory.findAddressOf(target.id, container); old && *old && (*old)->address != address)
        (void)m_inventory.deleteAddress((*old)->network, (*old)->address);
    PV_TRY(auto held, m_inventory.findAddress(network, address));
    if (held)
        return m_inventory.moveAddress(network, address, target.id, container);
    return m_inventory.insertAddress(AddressRecord{network, address, net.mac, target.id, container, 0});
}

} // namespace pidvisor::manager
