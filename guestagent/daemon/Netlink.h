// Netlink: the few rtnetlink requests the agent makes to give a container
// its interface (a veth pair, a bridge port, an address, a default route),
// each sent on a NETLINK_ROUTE socket and answered by the kernel's ACK.
// A socket works in the network namespace it was opened in: openIn() opens
// one inside a container's namespace from a short-lived thread, so the
// agent itself never changes namespace.
#pragma once

#include "protocol/Result.h"
#include "protocol/UniqueFd.h"

#include <array>
#include <cstdint>
#include <string>

namespace pidvisor::agent {

using MacAddress = std::array<std::uint8_t, 6>;

// "02:70:76:00:00:82" -> bytes (checkMac has been applied).
[[nodiscard]] MacAddress parseMac(const std::string& text);
// "10.84.0.130/24" -> host-order address and prefix (checkIpv4Interface applied).
struct Ipv4Interface {
    std::uint32_t address = 0;
    int prefix = 0;
};
[[nodiscard]] Ipv4Interface parseIpv4Interface(const std::string& text);
[[nodiscard]] std::uint32_t parseIpv4(const std::string& text);

class RtNetlink {
public:
    // A socket in the calling thread's network namespace.
    [[nodiscard]] static Result<RtNetlink> open();
    // A socket in the namespace `netnsFd` refers to (a /proc/PID/ns/net
    // descriptor or a pidfd).
    [[nodiscard]] static Result<RtNetlink> openIn(int netnsFd);

    // 0 when there is no such interface.
    [[nodiscard]] Result<int> linkIndex(const std::string& name);
    // A veth pair: `name` here, `peer` (with `peerMac`) in the namespace of
    // `peerNetnsFd`.
    [[nodiscard]] Status addVeth(const std::string& name, const std::string& peer, const MacAddress& peerMac,
                                 int peerNetnsFd);
    // Up, and a port of bridge `master` when it is > 0.
    [[nodiscard]] Status setUp(int index, int master = 0);
    [[nodiscard]] Status addAddress(int index, const Ipv4Interface& address);
    [[nodiscard]] Status addDefaultRoute(std::uint32_t gateway, int index);
    [[nodiscard]] Status deleteLink(int index);

private:
    explicit RtNetlink(UniqueFd fd) : m_fd(std::move(fd)) {}
    // Sends one request built in `buffer` and waits for its ACK.
    [[nodiscard]] Status call(void* message, const std::string& what);
    UniqueFd m_fd;
    std::uint32_t m_seq = 1;
};

// nf_tables over nfnetlink, in the namespace `netnsFd` refers to (or the
// caller's when it is -1): deletes every table whose name starts with
// `prefix` (CRIU's network lock is a table "CRIU-<run id>" of family inet),
// and says how many went.
[[nodiscard]] Result<int> deleteNftablesTables(int netnsFd, const std::string& prefix);

} // namespace pidvisor::agent
