// Container networking of the real agent on this machine, inside a network
// namespace of the test's own (no packet leaves it): the test makes the
// bridge pvbr0 that a VM's boot makes (with the address the libvirt
// network's bridge would have), starts the agent in that namespace and
// talks to its containers over their veth pairs.
#include "AgentHarness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;

namespace {

int run(const std::string& command)
{
    return std::system(command.c_str());
}

// One line to addr:port and the line that comes back ("" when none within 10 s).
std::string ask(const std::string& addr, int port, const std::string& line)
{
    for (int attempt = 0; attempt < 50; ++attempt) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string got;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
            std::string out = line + "\n";
            (void)::write(fd, out.data(), out.size());
            char c;
            while (::read(fd, &c, 1) == 1 && c != '\n')
                got += c;
        }
        ::close(fd);
        if (!got.empty())
            return got;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return "";
}

json network(const std::string& address, const std::string& mac)
{
    return {{"address", address}, {"mac", mac}, {"gateway", "10.99.0.1"}, {"dns", {"10.99.0.1"}}};
}

class NetworkTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        PV_REQUIRE_ROOT();
        // Each test is a process of its own (gtest_discover_tests): this
        // namespace is the test's alone and goes with it.
        ASSERT_EQ(::unshare(CLONE_NEWNET), 0) << std::strerror(errno);
        if (run("command -v ip >/dev/null") != 0)
            GTEST_SKIP() << "needs iproute2's ip to make the bridge";
        ASSERT_EQ(run("ip link set lo up && ip link add pvbr0 type bridge && ip addr add 10.99.0.1/24 dev pvbr0 && "
                      "ip link set pvbr0 up"),
                  0);
        agent.emplace();
    }

    void create(const std::string& name, const json& net, const std::string& command)
    {
        json args{{"name", name}, {"argv", {"/bin/sh", "-c", command}}};
        if (!net.is_null())
            args["network"] = net;
        auto r = agent->call("container-create", args);
        ASSERT_TRUE(r) << r.error().describe();
        info = *r;
    }

    std::optional<AgentHarness> agent;
    json info;
};

TEST_F(NetworkTest, TwoContainersListenOnOnePortEachAtItsOwnAddress)
{
    create("web1", network("10.99.0.11/24", "02:70:76:00:00:0b"), "exec " + testload() + " serve 80");
    EXPECT_EQ(info["address"], "10.99.0.11") << info.dump();
    EXPECT_EQ(info["mac"], "02:70:76:00:00:0b");
    create("web2", network("10.99.0.12/24", "02:70:76:00:00:0c"), "exec " + testload() + " serve 80");
    EXPECT_EQ(ask("10.99.0.11", 80, "hello"), "web1 hello");
    EXPECT_EQ(ask("10.99.0.12", 80, "hello"), "web2 hello");
    // Inside: its own eth0 with its MAC, a default route, resolv.conf.
    EXPECT_EQ(execIn(*agent, "web1", "cat /sys/class/net/eth0/address"), "02:70:76:00:00:0b\n");
    // /proc/net/route: the default route (destination 0) through 10.99.0.1 (0100630A).
    std::string routes = execIn(*agent, "web1", "cat /proc/net/route");
    EXPECT_NE(routes.find("eth0\t00000000\t0100630A"), std::string::npos) << routes;
    EXPECT_EQ(execIn(*agent, "web1", "cat /etc/resolv.conf"), "nameserver 10.99.0.1\n");
    // One container reaches the other across the bridge.
    EXPECT_EQ(execIn(*agent, "web1", testload() + " ask 10.99.0.12 80 neighbour"), "web2 neighbour\n");
}

TEST_F(NetworkTest, ATakenAddressOrMacIsRefusedAndLoopbackOnlyIsTheDefault)
{
    create("a", network("10.99.0.21/24", "02:70:76:00:00:15"), "exec sleep 1000");
    json args{{"name", "b"}, {"argv", {"/bin/sleep", "1000"}}, {"network", network("10.99.0.21/24", "02:70:76:00:00:16")}};
    auto r = agent->call("container-create", args);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(r.error().message.find("address 10.99.0.21/24 is in use by container 'a'"), std::string::npos)
        << r.error().message;
    args["network"] = network("10.99.0.22/24", "02:70:76:00:00:15");
    r = agent->call("container-create", args);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("MAC 02:70:76:00:00:15 is in use"), std::string::npos) << r.error().message;
    auto list = agent->call("container-list");
    ASSERT_TRUE(list);
    EXPECT_EQ((*list)["containers"].size(), 1u) << "a refused create left a record: " << list->dump();

    // Without a network: its own namespace, loopback only, up.
    create("lo", nullptr, "exec sleep 1000");
    EXPECT_TRUE(info["address"].is_null()) << info.dump();
    EXPECT_EQ(execIn(*agent, "lo", "ls /sys/class/net"), "lo\n");
    EXPECT_EQ(execIn(*agent, "lo", "cat /sys/class/net/lo/operstate"), "unknown\n");
    // The VM's interfaces are not in its view.
    EXPECT_EQ(execIn(*agent, "lo", "ls /sys/class/net | grep -c pvbr0; true"), "0\n");
}

// network-probe: an ARP probe from the bridge finds whatever answers for an
// address on the network (here a container, as another inventory's would).
TEST_F(NetworkTest, AProbeFindsWhatAnswersForAnAddressAndOnlyThat)
{
    create("holder", network("10.99.0.41/24", "02:70:76:00:00:29"), "exec sleep 1000");
    auto held = agent->call("network-probe", {{"address", "10.99.0.41"}});
    ASSERT_TRUE(held) << held.error().describe();
    EXPECT_EQ((*held)["in_use"], true) << held->dump();
    EXPECT_EQ((*held)["mac"], "02:70:76:00:00:29") << held->dump();
    auto free = agent->call("network-probe", {{"address", "10.99.0.42"}});
    ASSERT_TRUE(free) << free.error().describe();
    EXPECT_EQ((*free)["in_use"], false) << free->dump();
    EXPECT_TRUE((*free)["mac"].is_null()) << free->dump();
    EXPECT_GE((*free)["waited_ms"].get<int>(), 250) << "gave up before its wait: " << free->dump();
    // With a gateway: heard first (the holder stands in for it here), then
    // the address asked about.
    auto heard = agent->call("network-probe", {{"address", "10.99.0.42"}, {"gateway", "10.99.0.41"}});
    ASSERT_TRUE(heard) << heard.error().describe();
    EXPECT_EQ((*heard)["in_use"], false) << heard->dump();
    // A gateway that never answers: the silence about the address proves
    // nothing, and the probe says so instead of calling it free.
    auto deaf = agent->call("network-probe", {{"address", "10.99.0.42"}, {"gateway", "10.99.0.99"}});
    ASSERT_FALSE(deaf);
    EXPECT_EQ(deaf.error().code, ErrorCode::FailedPrecondition) << deaf.error().describe();
    EXPECT_NE(deaf.error().message.find("gateway 10.99.0.99 did not answer"), std::string::npos)
        << deaf.error().message;
    // Once the holder is gone, nothing answers.
    ASSERT_TRUE(agent->call("container-rm", {{"name", "holder"}, {"force", true}}));
    auto after = agent->call("network-probe", {{"address", "10.99.0.41"}});
    ASSERT_TRUE(after) << after.error().describe();
    EXPECT_EQ((*after)["in_use"], false) << after->dump();
    auto bad = agent->call("network-probe", {{"address", "10.99.0.300"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument) << bad.error().describe();
}

TEST_F(NetworkTest, WithoutTheBridgeAContainerWithAnAddressIsRefusedByName)
{
    ASSERT_EQ(run("ip link del pvbr0"), 0);
    json args{{"name", "x"}, {"argv", {"/bin/sleep", "1000"}}, {"network", network("10.99.0.31/24", "02:70:76:00:00:1f")}};
    auto r = agent->call("container-create", args);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::FailedPrecondition);
    EXPECT_NE(r.error().message.find("no bridge pvbr0"), std::string::npos) << r.error().message;
    auto list = agent->call("container-list");
    ASSERT_TRUE(list);
    EXPECT_TRUE((*list)["containers"].empty());
    auto probe = agent->call("network-probe", {{"address", "10.99.0.31"}});
    ASSERT_FALSE(probe);
    EXPECT_EQ(probe.error().code, ErrorCode::FailedPrecondition) << probe.error().describe();
}

} // namespace
