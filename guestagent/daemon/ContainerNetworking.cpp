#include "ContainerNetworking.h"

#include "Netlink.h"
#include "Syscalls.h"

#include "protocol/Sha256.h"
#include "protocol/UniqueFd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace pidvisor::agent {

std::string hostVethName(const std::string& container)
{
    return "pv" + Sha256::of(container).substr(0, 12);
}

VethPair criuVethPair(const std::string& container)
{
    return VethPair{kContainerInterface, hostVethName(container) + "@" + kBridge};
}

namespace {

// Asked over netlink: /sys/class/net shows the namespace sysfs was mounted
// in, which need not be the agent's.
bool haveBridge()
{
    auto rtnl = RtNetlink::open();
    if (!rtnl)
        return false;
    auto index = rtnl->linkIndex(kBridge);
    return index && *index > 0;
}

// A virtio network device (virtio id 1), whether or not its driver is there yet.
bool haveNic()
{
    std::error_code ec;
    for (const auto& d : std::filesystem::directory_iterator("/sys/bus/virtio/devices", ec)) {
        std::ifstream in(d.path() / "device");
        std::string id;
        if (in >> id && id == "0x0001")
            return true;
    }
    return false;
}

} // namespace

Status requireBridge()
{
    // While the VM's boot is still making it (packaging/guest's sysinit
    // marks that), up to a minute.
    for (int i = 0; i < 600 && !haveBridge() && ::access(kBridgePending, F_OK) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (haveBridge())
        return {};
    return fail(ErrorCode::FailedPrecondition,
                std::string("this VM has no network for containers (no bridge ") + kBridge + "): " +
                    (haveNic() ? "its NIC did not come up" : "it was made without a NIC"));
}

namespace {

Result<UniqueFd> openNetns(pid_t pid)
{
    UniqueFd fd(::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        return failErrno("opening the container's network namespace", errno);
    return fd;
}

} // namespace

Status attachNetwork(pid_t pid, const std::string& container, const std::optional<protocol::ContainerNetwork>& network)
{
    PV_TRY(UniqueFd netns, openNetns(pid));
    PV_TRY(RtNetlink inside, RtNetlink::openIn(netns.get()));
    PV_TRY(int lo, inside.linkIndex("lo"));
    if (lo > 0)
        PV_TRY_STATUS(inside.setUp(lo));
    if (!network)
        return {};
    PV_TRY(RtNetlink here, RtNetlink::open());
    PV_TRY(int bridge, here.linkIndex(kBridge));
    if (bridge <= 0)
        return fail(ErrorCode::FailedPrecondition,
                    std::string("this VM has no network for containers (no bridge ") + kBridge +
                        "): it was made without a NIC, or its network did not come up");
    std::string hostEnd = hostVethName(container);
    PV_TRY_STATUS(here.addVeth(hostEnd, kContainerInterface, parseMac(network->mac), netns.get()));
    // From here a failure takes the pair away again (both ends go with one).
    auto wired = [&]() -> Status {
        PV_TRY(int host, here.linkIndex(hostEnd));
        PV_TRY_STATUS(here.setUp(host, bridge));
        PV_TRY(int eth, inside.linkIndex(kContainerInterface));
        if (eth <= 0)
            return fail(ErrorCode::Internal, "the container's eth0 did not appear in its namespace");
        PV_TRY_STATUS(inside.addAddress(eth, parseIpv4Interface(network->address)));
        PV_TRY_STATUS(inside.setUp(eth));
        if (network->gateway)
            PV_TRY_STATUS(inside.addDefaultRoute(parseIpv4(*network->gateway), eth));
        return {};
    }();
    if (!wired) {
        if (auto host = here.linkIndex(hostEnd); host && *host > 0)
            (void)here.deleteLink(*host);
        return wired;
    }
    return {};
}

namespace {

// An ARP frame on Ethernet.
struct [[gnu::packed]] ArpFrame {
    std::uint8_t dest[6];
    std::uint8_t source[6];
    std::uint16_t etherType;
    std::uint16_t hardware;
    std::uint16_t protocol;
    std::uint8_t hardwareLen;
    std::uint8_t protocolLen;
    std::uint16_t op;
    std::uint8_t senderMac[6];
    std::uint8_t senderIp[4];
    std::uint8_t targetMac[6];
    std::uint8_t targetIp[4];
};

// A broadcast ARP request from `mac` (sender address `senderIp`, network
// order; 0 for a probe) for `targetIp`.
ArpFrame arpRequest(const MacAddress& mac, std::uint32_t senderIp, std::uint32_t targetIp)
{
    ArpFrame f{};
    std::memset(f.dest, 0xff, 6);
    std::memcpy(f.source, mac.data(), 6);
    f.etherType = htons(ETH_P_ARP);
    f.hardware = htons(ARPHRD_ETHER);
    f.protocol = htons(ETH_P_IP);
    f.hardwareLen = 6;
    f.protocolLen = 4;
    f.op = htons(ARPOP_REQUEST);
    std::memcpy(f.senderMac, mac.data(), 6);
    std::memcpy(f.senderIp, &senderIp, 4);
    std::memcpy(f.targetIp, &targetIp, 4);
    return f;
}

sockaddr_ll broadcastTo(int ifindex)
{
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = ifindex;
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    return to;
}

void sendAnnouncements(int netnsFd, protocol::ContainerNetwork network)
{
    if (::setns(netnsFd, CLONE_NEWNET) < 0)
        return;
    UniqueFd sock(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP)));
    if (!sock)
        return;
    sockaddr_ll to = broadcastTo(static_cast<int>(::if_nametoindex(kContainerInterface)));
    if (to.sll_ifindex == 0)
        return;
    std::uint32_t ip = htonl(parseIpv4Interface(network.address).address);
    ArpFrame f = arpRequest(parseMac(network.mac), ip, ip); // gratuitous: for its own address
    for (int i = 0; i < 3; ++i) {
        (void)::sendto(sock.get(), &f, sizeof f, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace

Result<std::optional<std::string>> probeAddress(const std::string& address, std::chrono::milliseconds wait)
{
    int bridge = static_cast<int>(::if_nametoindex(kBridge));
    if (bridge == 0)
        return fail(ErrorCode::FailedPrecondition,
                    std::string("this VM has no network for containers (no bridge ") + kBridge + ")");
    UniqueFd sock(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
    if (!sock)
        return failErrno("opening a packet socket for the ARP probe", errno);
    sockaddr_ll at = broadcastTo(bridge);
    if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) < 0)
        return failErrno(std::string("binding the ARP probe to ") + kBridge, errno);
    ifreq req{};
    std::strncpy(req.ifr_name, kBridge, IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFHWADDR, &req) < 0)
        return failErrno(std::string("reading the MAC of ") + kBridge, errno);
    MacAddress ours{};
    std::memcpy(ours.data(), req.ifr_hwaddr.sa_data, 6);
    std::uint32_t target = htonl(parseIpv4(address));
    ArpFrame probe = arpRequest(ours, 0, target);

    auto start = std::chrono::steady_clock::now();
    auto deadline = start + wait;
    int sent = 0;
    for (;;) {
        auto now = std::chrono::steady_clock::now();
        // Two probes, the second a third of the way in (one may be lost).
        if (sent < 2 && now >= start + sent * wait / 3) {
            if (::sendto(sock.get(), &probe, sizeof probe, 0, reinterpret_cast<sockaddr*>(&at), sizeof at) < 0)
                return failErrno("sending the ARP probe", errno);
            ++sent;
        }
        if (now >= deadline)
            return std::optional<std::string>();
        auto next = sent < 2 ? std::min(deadline, start + sent * wait / 3) : deadline;
        int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count()) + 1;
        pollfd p{sock.get(), POLLIN, 0};
        if (::poll(&p, 1, ms) < 0 && errno != EINTR)
            return failErrno("waiting for an answer to the ARP probe", errno);
        ArpFrame f{};
        sockaddr_ll from{};
        socklen_t fromLen = sizeof from;
        while (::recvfrom(sock.get(), &f, sizeof f, 0, reinterpret_cast<sockaddr*>(&from), &fromLen) ==
               static_cast<ssize_t>(sizeof f)) {
            fromLen = sizeof from;
            if (from.sll_pkttype == PACKET_OUTGOING || f.etherType != htons(ETH_P_ARP) ||
                f.protocol != htons(ETH_P_IP) || std::memcmp(f.senderMac, ours.data(), 6) == 0)
                continue;
            std::uint32_t sender = 0, asked = 0;
            std::memcpy(&sender, f.senderIp, 4);
            std::memcpy(&asked, f.targetIp, 4);
            // Its holder answers (or announces it); another machine probing
            // for it at the same moment counts too (RFC 5227, 2.1.1).
            bool holder = sender == target;
            bool rival = sender == 0 && asked == target && f.op == htons(ARPOP_REQUEST);
            if (holder || rival) {
                char mac[18];
                std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", f.senderMac[0], f.senderMac[1],
                              f.senderMac[2], f.senderMac[3], f.senderMac[4], f.senderMac[5]);
                return std::optional<std::string>(mac);
            }
        }
    }
}

Status awaitNetwork(const std::string& gateway, const std::string& address)
{
    auto until = std::chrono::steady_clock::now() + kNetworkHeardWithin;
    do {
        PV_TRY(std::optional<std::string> heard, probeAddress(gateway));
        if (heard)
            return {};
    } while (std::chrono::steady_clock::now() < until);
    return fail(ErrorCode::FailedPrecondition,
                "this VM hears nothing on its network: its gateway " + gateway + " did not answer within " +
                    std::to_string(kNetworkHeardWithin.count()) + " s, so whether " + address +
                    " is free cannot be told");
}

void announceAddress(pid_t pid, const protocol::ContainerNetwork& network)
{
    auto netns = openNetns(pid);
    if (!netns)
        return;
    // The thread owns the descriptor and enters the namespace itself.
    std::thread([fd = std::move(*netns), network] { sendAnnouncements(fd.get(), network); }).detach();
}

Status unlockNetwork(pid_t init, const std::vector<pid_t>& pids)
{
    // Out of repair mode first, while the lock still holds back any packet.
    for (pid_t pid : pids) {
        UniqueFd pidfd(sys::pidfdOpen(pid));
        if (!pidfd)
            continue;
        std::error_code ec;
        for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
            std::error_code lec;
            auto target = std::filesystem::read_symlink(e.path(), lec).string();
            if (target.rfind("socket:", 0) != 0)
                continue;
            int number = std::atoi(e.path().filename().c_str());
            UniqueFd sock(sys::pidfdGetfd(pidfd.get(), number));
            int type = 0, protocol = 0;
            socklen_t len = sizeof type;
            if (!sock || ::getsockopt(sock.get(), SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM)
                continue;
            len = sizeof protocol;
            if (::getsockopt(sock.get(), SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0 || protocol != IPPROTO_TCP)
                continue;
            int off = TCP_REPAIR_OFF_NO_WP;
            (void)::setsockopt(sock.get(), IPPROTO_TCP, TCP_REPAIR, &off, sizeof off);
        }
    }
    PV_TRY(UniqueFd netns, openNetns(init));
    PV_TRY(int removed, deleteNftablesTables(netns.get(), "CRIU-"));
    (void)removed;
    return {};
}

Status writeResolvConf(const std::string& upperDir, const protocol::ContainerNetwork& network)
{
    if (network.dns.empty())
        return {};
    std::string etc = upperDir + "/etc";
    if (::mkdir(etc.c_str(), 0755) < 0 && errno != EEXIST)
        return failErrno("creating the container's /etc", errno);
    UniqueFd fd(::open((etc + "/resolv.conf").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd)
        return failErrno("writing the container's /etc/resolv.conf", errno);
    std::string text;
    for (const auto& server : network.dns)
        text += "nameserver " + server + "\n";
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return failErrno("writing the container's /etc/resolv.conf", errno);
    return {};
}

} // namespace pidvisor::agent
