#include "Networks.h"

#include "LibvirtHandles.h"

#include "protocol/Names.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <memory>

namespace pidvisor::manager {

namespace {

using NetworkPtr = std::unique_ptr<virNetwork, LibvirtDeleter<virNetworkFree>>;

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string dotted(std::uint32_t hostOrder)
{
    in_addr a{htonl(hostOrder)};
    char buf[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

} // namespace

NetworkSettings NetworkSettings::fromEnvironment()
{
    NetworkSettings s;
    if (auto n = env("PIDVISOR_NETWORK"); !n.empty())
        s.name = n;
    if (auto n = env("PIDVISOR_NETWORK_SUBNET"); !n.empty())
        s.subnet = n;
    s.isolated = env("PIDVISOR_NETWORK_ISOLATED") == "1";
    return s;
}

Result<std::string> buildNetworkXml(const NetworkSettings& s)
{
    auto bad = [&] {
        return fail(ErrorCode::InvalidArgument, "network range " + protocol::quoteForMessage(s.subnet) +
                                                    " is not an IPv4 network like 10.83.0.0/24 (prefix 16 to 28)");
    };
    auto slash = s.subnet.find('/');
    if (slash == std::string::npos)
        return bad();
    in_addr addr{};
    if (::inet_pton(AF_INET, s.subnet.substr(0, slash).c_str(), &addr) != 1)
        return bad();
    int prefix = 0;
    try {
        std::size_t used = 0;
        prefix = std::stoi(s.subnet.substr(slash + 1), &used);
        if (used != s.subnet.size() - slash - 1)
            return bad();
    } catch (...) {
        return bad();
    }
    if (prefix < 16 || prefix > 28)
        return bad();
    std::uint32_t mask = ~0U << (32 - prefix);
    std::uint32_t net = ntohl(addr.s_addr);
    if ((net & ~mask) != 0)
        return bad();
    std::uint32_t last = net | ~mask;
    std::string x = "<network>\n  <name>" + s.name + "</name>\n";
    if (!s.isolated)
        x += "  <forward mode='nat'/>\n";
    // No spanning tree: one bridge cannot make a loop, and with STP a new
    // VM's port listens and learns for 4 s before it forwards a frame
    // (its DHCP, its containers' ARP probes and announcements are lost).
    x += "  <bridge stp='off'/>\n";
    // Leases of 10 minutes (libvirt's default is an hour): a VM renews its
    // own at half that, and the address of one removed (destroyed VMs never
    // release theirs) is free again soon, not after an hour of new VMs have
    // used up the range.
    x += "  <ip address='" + dotted(net + 1) + "' netmask='" + dotted(mask) + "'>\n" +
         "    <dhcp>\n      <range start='" + dotted(net + 2) + "' end='" + dotted(net + (last - net + 1) / 2 - 1) +
         "'>\n        <lease expiry='10' unit='minutes'/>\n      </range>\n" +
         "    </dhcp>\n  </ip>\n</network>\n";
    return x;
}

Result<std::string> activeNetworkXml(const Connection& conn, const std::string& name)
{
    NetworkPtr net(virNetworkLookupByName(conn.raw(), name.c_str()));
    if (!net) {
        virResetLastError();
        return fail(ErrorCode::NotFound, "libvirt network " + protocol::quoteForMessage(name) + " does not exist on " +
                                             conn.uri());
    }
    int active = virNetworkIsActive(net.get());
    if (active < 0)
        return fail(libvirtError("asking whether network '" + name + "' is active"));
    if (active == 0)
        return fail(ErrorCode::Unavailable, "libvirt network " + protocol::quoteForMessage(name) +
                                                " is not running (virsh net-start " + name + ")");
    char* xml = virNetworkGetXMLDesc(net.get(), 0);
    if (!xml)
        return fail(libvirtError("reading the definition of network '" + name + "'"));
    std::string text(xml);
    std::free(xml);
    return text;
}

Status ensureNetwork(const Connection& conn, const std::string& name, const NetworkSettings& settings)
{
    PV_TRY_STATUS(protocol::validateName("network name", name));
    NetworkPtr net(virNetworkLookupByName(conn.raw(), name.c_str()));
    if (!net) {
        virResetLastError();
        if (name != settings.name)
            return fail(ErrorCode::NotFound, "libvirt network " + protocol::quoteForMessage(name) + " does not exist on " +
                                                 conn.uri() + " (virsh net-list --all shows the ones there)");
        PV_TRY(std::string xml, buildNetworkXml(settings));
        net.reset(virNetworkDefineXML(conn.raw(), xml.c_str()));
        if (!net)
            return fail(libvirtError("defining libvirt network '" + name + "'"));
        if (virNetworkSetAutostart(net.get(), 1) < 0)
            virResetLastError(); // starting it now is what matters
    }
    int active = virNetworkIsActive(net.get());
    if (active < 0)
        return fail(libvirtError("asking whether network '" + name + "' is active"));
    if (active == 0 && virNetworkCreate(net.get()) < 0)
        return fail(libvirtError("starting libvirt network '" + name + "'"));
    return {};
}

} // namespace pidvisor::manager
