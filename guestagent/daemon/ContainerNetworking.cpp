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
    for (int i = 0; i < 200 && !haveBridge() && haveNic(); ++i)
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

// An ARP request for its own address (a gratuitous ARP), broadcast.
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

void sendAnnouncements(int netnsFd, protocol::ContainerNetwork network)
{
    if (::setns(netnsFd, CLONE_NEWNET) < 0)
        return;
    UniqueFd sock(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP)));
    if (!sock)
        return;
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = static_cast<int>(::if_nametoindex(kContainerInterface));
    to.sll_halen = 6;
    std::memset(to.sll_addr, 0xff, 6);
    if (to.sll_ifindex == 0)
        return;
    MacAddress mac = parseMac(network.mac);
    std::uint32_t ip = htonl(parseIpv4Interface(network.address).address);
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
    std::memcpy(f.senderIp, &ip, 4);
    std::memcpy(f.targetIp, &ip, 4);
    for (int i = 0; i < 3; ++i) {
        (void)::sendto(sock.get(), &f, sizeof f, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace

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
