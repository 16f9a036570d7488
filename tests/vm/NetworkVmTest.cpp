// VMs on a libvirt network, against real libvirtd, its dnsmasq and real VMs.
// The tests' network is isolated (PIDVISOR_NETWORK=pidvisor-test,
// PIDVISOR_NETWORK_ISOLATED=1: no forwarding; VmHarness gives every CLI it
// runs tests/CMakeLists.txt's PIDVISOR_TEST_NETWORK_ENV),
// so every packet stays between this machine's bridge and its own VMs.
#include "VmHarness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace pidvisor::test;
using nlohmann::json;

namespace {

// The VM's first address once its DHCP lease is there ("" after 90 s).
std::string addressOf(const VmHarness& h, const std::string& vm)
{
    for (int i = 0; i < 300; ++i) {
        json info = h.ok({"vm", "show", vm});
        if (info.contains("addresses") && !info["addresses"].empty()) {
            std::string a = info["addresses"][0];
            return a.substr(0, a.find('/'));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return "";
}

// What a TCP server at addr:port sends before it closes ("" when nothing
// answers within a few tries).
std::string readFrom(const std::string& addr, int port)
{
    for (int attempt = 0; attempt < 30; ++attempt) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        std::string got;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
            char buf[256];
            ssize_t n;
            while ((n = ::read(fd, buf, sizeof buf)) > 0)
                got.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
        if (!got.empty())
            return got;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return "";
}

class VmNetwork : public ::testing::Test {
protected:
    void SetUp() override
    {
        PV_REQUIRE_LIBVIRT();
    }
};

TEST_F(VmNetwork, AVmGetsAnAddressOnTheNetworkThatTheHostReaches)
{
    VmHarness h;
    std::string vm = h.name("net");
    h.ok({"vm", "create", vm, "--accel", "tcg", "--memory", "512", "--disk", "0"});
    json info = h.ok({"vm", "show", vm});
    EXPECT_EQ(info["network"], "pidvisor-test");
    EXPECT_EQ(std::string(info.value("mac", "")).size(), 17u) << info.dump();
    CliRun nets = h.virsh({"net-list", "--name"});
    EXPECT_NE(nets.out.find("pidvisor-test"), std::string::npos) << "made and started through libvirt: " << nets.out;

    std::string addr = addressOf(h, vm);
    ASSERT_FALSE(addr.empty()) << "no DHCP lease for " << vm;
    EXPECT_EQ(addr.rfind("10.84.0.", 0), 0u) << addr << " is not from the network's range";
    // A server in the VM, reached from the host at the VM's address.
    h.ok({"vm", "exec", vm, "--", "/bin/sh", "-c",
          "setsid sh -c 'echo pong from the vm | nc -l -p 7070' </dev/null >/dev/null 2>&1 &"});
    EXPECT_EQ(readFrom(addr, 7070), "pong from the vm\n");
    // The VM reaches the network's own address on this machine (the bridge).
    json ping = h.ok({"vm", "exec", vm, "--", "ping", "-c", "1", "-W", "5", "10.84.0.1"});
    EXPECT_EQ(ping["exit_code"], 0) << ping.dump();
}

TEST_F(VmNetwork, NoneGivesNoNicAndAnUnknownNetworkIsRefusedLeavingNothing)
{
    VmHarness h;
    std::string none = h.name("nonet");
    h.ok({"vm", "create", none, "--accel", "tcg", "--memory", "512", "--disk", "0", "--network", "none"});
    json info = h.ok({"vm", "show", none});
    EXPECT_TRUE(info["network"].is_null()) << info.dump();
    EXPECT_EQ(h.virsh({"domiflist", none}).out.find("network"), std::string::npos);

    std::string bad = h.name("badnet");
    CliRun r = h.pidvisor({"vm", "create", bad, "--accel", "tcg", "--network", "no-such-net"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("libvirt network 'no-such-net' does not exist"), std::string::npos) << r.err;
    EXPECT_NE(h.virsh({"dominfo", bad}).code, 0) << "a refused VM left a domain";
    EXPECT_EQ(h.ok({"vm", "list"}).size(), 1u);
}

} // namespace
