#include "Netlink.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace pidvisor::agent {

namespace {

// One request: the netlink header, its fixed part (ifinfomsg, ifaddrmsg,
// rtmsg) and attributes, nested ones included.
class Message {
public:
    Message(std::uint16_t type, std::uint16_t flags, const void* head, std::size_t headLen)
    {
        auto* h = header();
        h->nlmsg_type = type;
        h->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
        h->nlmsg_len = NLMSG_LENGTH(static_cast<std::uint32_t>(headLen));
        std::memcpy(NLMSG_DATA(h), head, headLen);
    }
    nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(m_buf); }
    void put(std::uint16_t type, const void* data, std::size_t len)
    {
        auto* h = header();
        auto* a = reinterpret_cast<rtattr*>(m_buf + NLMSG_ALIGN(h->nlmsg_len));
        a->rta_type = type;
        a->rta_len = static_cast<std::uint16_t>(RTA_LENGTH(len));
        if (len)
            std::memcpy(RTA_DATA(a), data, len);
        h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
    }
    void put(std::uint16_t type, const std::string& text) { put(type, text.c_str(), text.size() + 1); }
    template <class T>
    void putValue(std::uint16_t type, const T& value)
    {
        put(type, &value, sizeof value);
    }
    // Raw bytes with no attribute header (a nested ifinfomsg).
    void putRaw(const void* data, std::size_t len)
    {
        auto* h = header();
        std::memcpy(m_buf + NLMSG_ALIGN(h->nlmsg_len), data, len);
        h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + static_cast<std::uint32_t>(NLMSG_ALIGN(len));
    }
    std::size_t begin(std::uint16_t type)
    {
        std::size_t at = NLMSG_ALIGN(header()->nlmsg_len);
        put(type, nullptr, 0);
        return at;
    }
    void end(std::size_t at)
    {
        auto* a = reinterpret_cast<rtattr*>(m_buf + at);
        a->rta_len = static_cast<std::uint16_t>(header()->nlmsg_len - at);
    }

private:
    alignas(nlmsghdr) char m_buf[1024] = {};
};

} // namespace

namespace {

// Runs `body` in a thread that entered the namespace (or here when -1).
template <class Body>
auto inNamespace(int netnsFd, const Body& body) -> decltype(body())
{
    if (netnsFd < 0)
        return body();
    std::optional<decltype(body())> result;
    std::thread([&] {
        if (::setns(netnsFd, CLONE_NEWNET) < 0)
            result = failErrno("entering the container's network namespace", errno);
        else
            result = body();
    }).join();
    return std::move(*result);
}

} // namespace

MacAddress parseMac(const std::string& text)
{
    MacAddress mac{};
    for (std::size_t i = 0; i < mac.size() && i * 3 + 1 < text.size(); ++i)
        mac[i] = static_cast<std::uint8_t>(std::stoi(text.substr(i * 3, 2), nullptr, 16));
    return mac;
}

std::uint32_t parseIpv4(const std::string& text)
{
    in_addr a{};
    (void)::inet_pton(AF_INET, text.c_str(), &a);
    return ntohl(a.s_addr);
}

Ipv4Interface parseIpv4Interface(const std::string& text)
{
    auto slash = text.find('/');
    return Ipv4Interface{parseIpv4(text.substr(0, slash)),
                         slash == std::string::npos ? 32 : std::atoi(text.c_str() + slash + 1)};
}

Result<RtNetlink> RtNetlink::open()
{
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd)
        return failErrno("opening a netlink socket", errno);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) < 0)
        return failErrno("binding a netlink socket", errno);
    timeval tv{5, 0};
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return RtNetlink(std::move(fd));
}

Result<RtNetlink> RtNetlink::openIn(int netnsFd)
{
    // A thread of its own enters the namespace, opens the socket there and
    // ends; the socket stays in that namespace.
    return inNamespace(netnsFd, [] { return open(); });
}

namespace {

// Sends one request and reads until the kernel's answer to it: `onReply`
// sees each message with the request's sequence number and gives the
// result to stop with, or std::nullopt to read on.
template <class T, class OnReply>
Result<T> roundTrip(int fd, nlmsghdr* h, const std::string& what, const OnReply& onReply)
{
    if (::send(fd, h, h->nlmsg_len, 0) < 0)
        return failErrno(what, errno);
    alignas(nlmsghdr) char reply[8192];
    while (true) {
        ssize_t n = ::recv(fd, reply, sizeof reply, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno(what + " (no answer from the kernel)", errno);
        for (auto* r = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(r, static_cast<unsigned>(n));
             r = NLMSG_NEXT(r, n)) {
            if (r->nlmsg_seq != h->nlmsg_seq)
                continue;
            if (std::optional<Result<T>> done = onReply(*r))
                return std::move(*done);
        }
    }
}

int errorOf(const nlmsghdr& r)
{
    return -static_cast<const nlmsgerr*>(NLMSG_DATA(&r))->error;
}

} // namespace

Status RtNetlink::call(void* message, const std::string& what)
{
    auto* h = static_cast<nlmsghdr*>(message);
    h->nlmsg_seq = m_seq++;
    return roundTrip<void>(m_fd.get(), h, what, [&](const nlmsghdr& r) -> std::optional<Status> {
        if (r.nlmsg_type != NLMSG_ERROR)
            return std::nullopt;
        if (int err = errorOf(r))
            return Status(failErrno(what, err));
        return Status();
    });
}

Result<int> RtNetlink::linkIndex(const std::string& name)
{
    // The name is looked up in this socket's namespace, not the caller's.
    if (name.size() >= IFNAMSIZ)
        return 0;
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    Message m(RTM_GETLINK, 0, &ifi, sizeof ifi);
    m.header()->nlmsg_flags = NLM_F_REQUEST;
    m.put(IFLA_IFNAME, name);
    m.header()->nlmsg_seq = m_seq++;
    std::string what = "asking for interface " + name;
    return roundTrip<int>(m_fd.get(), m.header(), what, [&](const nlmsghdr& r) -> std::optional<Result<int>> {
        if (r.nlmsg_type == NLMSG_ERROR) {
            int err = errorOf(r);
            if (err == ENODEV)
                return Result<int>(0);
            return Result<int>(failErrno(what, err));
        }
        if (r.nlmsg_type == RTM_NEWLINK)
            return Result<int>(static_cast<const ifinfomsg*>(NLMSG_DATA(&r))->ifi_index);
        return std::nullopt;
    });
}

Status RtNetlink::addVeth(const std::string& name, const std::string& peer, const MacAddress& peerMac,
                          int peerNetnsFd)
{
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
    m.put(IFLA_IFNAME, name);
    auto info = m.begin(IFLA_LINKINFO);
    m.put(IFLA_INFO_KIND, "veth", 4);
    auto data = m.begin(IFLA_INFO_DATA);
    auto peerInfo = m.begin(VETH_INFO_PEER);
    ifinfomsg peerIfi{};
    peerIfi.ifi_family = AF_UNSPEC;
    m.putRaw(&peerIfi, sizeof peerIfi);
    m.put(IFLA_IFNAME, peer);
    m.put(IFLA_ADDRESS, peerMac.data(), peerMac.size());
    m.putValue<std::uint32_t>(IFLA_NET_NS_FD, static_cast<std::uint32_t>(peerNetnsFd));
    m.end(peerInfo);
    m.end(data);
    m.end(info);
    return call(m.header(), "creating the veth pair " + name + "/" + peer);
}

Status RtNetlink::setUp(int index, int master)
{
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    ifi.ifi_flags = IFF_UP;
    ifi.ifi_change = IFF_UP;
    Message m(RTM_NEWLINK, 0, &ifi, sizeof ifi);
    if (master > 0)
        m.putValue<std::uint32_t>(IFLA_MASTER, static_cast<std::uint32_t>(master));
    return call(m.header(), master > 0 ? "adding an interface to the bridge" : "bringing an interface up");
}

Status RtNetlink::addAddress(int index, const Ipv4Interface& a)
{
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    ifa.ifa_prefixlen = static_cast<std::uint8_t>(a.prefix);
    ifa.ifa_index = static_cast<std::uint32_t>(index);
    Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
    std::uint32_t address = htonl(a.address);
    std::uint32_t broadcast = htonl(a.address | ~(~0U << (32 - a.prefix)));
    m.putValue(IFA_LOCAL, address);
    m.putValue(IFA_ADDRESS, address);
    m.putValue(IFA_BROADCAST, broadcast);
    return call(m.header(), "adding the container's address");
}

Status RtNetlink::addDefaultRoute(std::uint32_t gateway, int index)
{
    rtmsg rt{};
    rt.rtm_family = AF_INET;
    rt.rtm_table = RT_TABLE_MAIN;
    rt.rtm_protocol = RTPROT_BOOT;
    rt.rtm_scope = RT_SCOPE_UNIVERSE;
    rt.rtm_type = RTN_UNICAST;
    Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof rt);
    std::uint32_t gw = htonl(gateway);
    m.putValue(RTA_GATEWAY, gw);
    m.putValue<std::uint32_t>(RTA_OIF, static_cast<std::uint32_t>(index));
    return call(m.header(), "adding the container's default route");
}

Status RtNetlink::deleteLink(int index)
{
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    Message m(RTM_DELLINK, 0, &ifi, sizeof ifi);
    return call(m.header(), "deleting an interface");
}

namespace {

void putNfgen(std::vector<char>& buf, std::uint16_t type, std::uint16_t flags, std::uint32_t seq, std::uint8_t family,
              std::uint16_t resId, const std::string& tableName)
{
    std::size_t start = buf.size();
    std::size_t len = NLMSG_LENGTH(sizeof(nfgenmsg));
    std::size_t attr = tableName.empty() ? 0 : RTA_ALIGN(RTA_LENGTH(tableName.size() + 1));
    buf.resize(start + NLMSG_ALIGN(len) + attr);
    auto* h = reinterpret_cast<nlmsghdr*>(buf.data() + start);
    h->nlmsg_len = static_cast<std::uint32_t>(NLMSG_ALIGN(len) + attr);
    h->nlmsg_type = type;
    h->nlmsg_flags = flags;
    h->nlmsg_seq = seq;
    auto* g = static_cast<nfgenmsg*>(NLMSG_DATA(h));
    g->nfgen_family = family;
    g->version = NFNETLINK_V0;
    g->res_id = htons(resId);
    if (!tableName.empty()) {
        auto* a = reinterpret_cast<rtattr*>(buf.data() + start + NLMSG_ALIGN(len));
        a->rta_type = NFTA_TABLE_NAME;
        a->rta_len = static_cast<std::uint16_t>(RTA_LENGTH(tableName.size() + 1));
        std::memcpy(RTA_DATA(a), tableName.c_str(), tableName.size() + 1);
    }
}

Result<int> deleteTablesHere(const std::string& prefix)
{
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd)
        return failErrno("opening an nfnetlink socket", errno);
    timeval tv{5, 0};
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const auto tableMsg = [](int msg) { return static_cast<std::uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | msg); };
    std::vector<char> ask;
    putNfgen(ask, tableMsg(NFT_MSG_GETTABLE), NLM_F_REQUEST | NLM_F_DUMP, 1, AF_UNSPEC, 0, "");
    if (::send(fd.get(), ask.data(), ask.size(), 0) < 0)
        return failErrno("listing nftables tables", errno);
    std::vector<std::pair<std::uint8_t, std::string>> doomed;
    alignas(nlmsghdr) char reply[16384];
    for (bool done = false; !done;) {
        ssize_t n = ::recv(fd.get(), reply, sizeof reply, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failErrno("listing nftables tables", errno);
        for (auto* r = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(r, static_cast<unsigned>(n)); r = NLMSG_NEXT(r, n)) {
            if (r->nlmsg_type == NLMSG_DONE) {
                done = true;
                break;
            }
            if (r->nlmsg_type == NLMSG_ERROR) {
                int err = -static_cast<nlmsgerr*>(NLMSG_DATA(r))->error;
                if (err == 0 || err == ENOENT || err == EOPNOTSUPP || err == EPROTONOSUPPORT)
                    return 0; // no nf_tables here: nothing locked it
                return failErrno("listing nftables tables", err);
            }
            if (r->nlmsg_type != tableMsg(NFT_MSG_NEWTABLE))
                continue;
            auto* g = static_cast<nfgenmsg*>(NLMSG_DATA(r));
            int left = static_cast<int>(r->nlmsg_len - NLMSG_LENGTH(sizeof(nfgenmsg)));
            for (auto* a = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(g) + NLMSG_ALIGN(sizeof(nfgenmsg)));
                 RTA_OK(a, left); a = RTA_NEXT(a, left)) {
                if (a->rta_type != NFTA_TABLE_NAME)
                    continue;
                std::string name(static_cast<const char*>(RTA_DATA(a)),
                                 ::strnlen(static_cast<const char*>(RTA_DATA(a)), RTA_PAYLOAD(a)));
                if (name.rfind(prefix, 0) == 0)
                    doomed.emplace_back(g->nfgen_family, name);
            }
        }
    }
    for (const auto& [family, name] : doomed) {
        // nf_tables changes travel in a batch.
        std::vector<char> batch;
        putNfgen(batch, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, 10, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, "");
        putNfgen(batch, tableMsg(NFT_MSG_DELTABLE), NLM_F_REQUEST | NLM_F_ACK, 11, family, 0, name);
        putNfgen(batch, NFNL_MSG_BATCH_END, NLM_F_REQUEST, 12, AF_UNSPEC, NFNL_SUBSYS_NFTABLES, "");
        if (::send(fd.get(), batch.data(), batch.size(), 0) < 0)
            return failErrno("deleting nftables table " + name, errno);
        ssize_t n = ::recv(fd.get(), reply, sizeof reply, 0);
        if (n < 0)
            return failErrno("deleting nftables table " + name + " (no answer)", errno);
        for (auto* r = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(r, static_cast<unsigned>(n)); r = NLMSG_NEXT(r, n))
            if (r->nlmsg_type == NLMSG_ERROR && r->nlmsg_seq == 11)
                if (int err = -static_cast<nlmsgerr*>(NLMSG_DATA(r))->error)
                    return failErrno("deleting nftables table " + name, err);
    }
    return static_cast<int>(doomed.size());
}

} // namespace

Result<int> deleteNftablesTables(int netnsFd, const std::string& prefix)
{
    return inNamespace(netnsFd, [&] { return deleteTablesHere(prefix); });
}

} // namespace pidvisor::agent
