// Containers on the VMs' libvirt network, against real libvirtd, real VMs
// and real CRIU: each container has its own address (allocated by the
// manager, kept in the inventory) that the host and other VMs reach, keeps
// it across checkpoint, restore and migration, and a client on the host
// keeps its TCP connection while the server moves to another VM. The
// tests' network is isolated (PIDVISOR_NETWORK=pidvisor-test, no
// forwarding): every packet stays between this machine's bridge, its VMs
// and their containers.
#include "VmHarness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/wait.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

using namespace pidvisor::test;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

int connectTo(const std::string& addr, int port, int timeoutSeconds)
{
    for (int attempt = 0; attempt < 40; ++attempt) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(port));
        ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
        timeval tv{timeoutSeconds, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0)
            return fd;
        ::close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return -1;
}

// One request line on an open connection and its answer line; "" and
// errno kept in `err` when the connection failed.
std::string exchange(int fd, const std::string& line, int* err = nullptr)
{
    std::string out = line + "\n";
    if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
        if (err)
            *err = errno;
        return "";
    }
    std::string got;
    char c;
    ssize_t n;
    while ((n = ::read(fd, &c, 1)) == 1 && c != '\n')
        got += c;
    if (n <= 0 && err)
        *err = n == 0 ? -1 : errno; // -1: the peer closed it
    return got;
}

std::string ask(const std::string& addr, int port, const std::string& line)
{
    int fd = connectTo(addr, port, 10);
    if (fd < 0)
        return "";
    std::string got = exchange(fd, line);
    ::close(fd);
    return got;
}

// A client that holds one connection and asks every 100 ms, checking each
// answer, until stopped: what a user of the server sees.
struct HeldConnection {
    std::atomic<bool> stop{false};
    std::atomic<int> answered{0};
    std::string failure; // the first wrong answer or error
    long longestGapMs = 0;
    std::thread thread;

    void run(const std::string& addr, int port, const std::string& server)
    {
        thread = std::thread([this, addr, port, server] {
            int fd = connectTo(addr, port, 60);
            if (fd < 0) {
                failure = "could not connect to " + addr;
                return;
            }
            auto last = Clock::now();
            for (int i = 0; !stop; ++i) {
                int err = 0;
                std::string want = server + " " + std::to_string(i);
                std::string got = exchange(fd, std::to_string(i), &err);
                auto now = Clock::now();
                if (got != want) {
                    failure = "request " + std::to_string(i) + ": got '" + got + "' (" +
                              (err < 0 ? "closed by the server" : std::strerror(err)) + ")";
                    break;
                }
                longestGapMs =
                    std::max<long>(longestGapMs, std::chrono::duration_cast<std::chrono::milliseconds>(now - last).count());
                last = now;
                ++answered;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            ::close(fd);
        });
    }
    void finish()
    {
        stop = true;
        if (thread.joinable())
            thread.join();
    }
    ~HeldConnection() { finish(); }
};

std::string addressOf(const json& container)
{
    return container["address"].is_string() ? container["address"].get<std::string>() : "";
}

class ContainerNetwork : public ::testing::Test {
protected:
    void SetUp() override { PV_REQUIRE_LIBVIRT(); }
};

TEST_F(ContainerNetwork, ServersOnOnePortInOneVmAreReachedAtTheirOwnAddressesFromTheHostAndAnotherVm)
{
    VmHarness h;
    std::string vm1 = h.name("cn1"), vm2 = h.name("cn2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "512", "--disk", "0"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "512", "--disk", "0"});
    json web1 = h.ok({"container", "create", vm1, "web1", "--", "pidvisor-testload", "serve", "80"});
    json web2 = h.ok({"container", "create", vm1, "web2", "--", "pidvisor-testload", "serve", "80"});
    std::string a1 = addressOf(web1), a2 = addressOf(web2);
    // Above the network's DHCP range (10.84.0.2-127 for the VMs), distinct, with MACs of their own.
    EXPECT_EQ(a1.rfind("10.84.0.", 0), 0u) << web1.dump();
    EXPECT_GE(std::stoi(a1.substr(8)), 128) << a1;
    EXPECT_NE(a1, a2);
    EXPECT_EQ(web1.value("mac", "").rfind("02:70:76:", 0), 0u) << web1.dump();
    EXPECT_NE(web1["mac"], web2["mac"]);
    EXPECT_EQ(web1["spec"]["network"]["libvirt_network"], "pidvisor-test");

    // The host reaches each at its own address, on the same port.
    EXPECT_EQ(ask(a1, 80, "from the host"), "web1 from the host");
    EXPECT_EQ(ask(a2, 80, "from the host"), "web2 from the host");
    // A container in another VM reaches both.
    h.ok({"container", "create", vm2, "client", "--", "sleep", "100000"});
    for (const auto& [addr, who] : {std::pair{a1, "web1"}, std::pair{a2, "web2"}}) {
        json r = h.ok({"container", "exec", vm2, "client", "--", "pidvisor-testload", "ask", addr, "80", "neighbour"});
        EXPECT_EQ(r.value("stdout", ""), std::string(who) + " neighbour\n") << r.dump();
    }
    // The list shows the addresses.
    json listed = h.ok({"container", "list", vm1});
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_TRUE(listed[0]["address"].is_string() && listed[1]["address"].is_string()) << listed.dump();

    // A taken address is refused by its holder's name; nothing is made.
    CliRun dup = h.pidvisor({"container", "create", vm2, "dup", "--address", a1, "--", "sleep", "100"});
    EXPECT_NE(dup.code, 0);
    EXPECT_NE(dup.err.find("is taken by container 'web1' in VM '" + vm1 + "'"), std::string::npos) << dup.err;
    CliRun outside = h.pidvisor({"container", "create", vm2, "dup", "--address", "10.9.9.9", "--", "sleep", "100"});
    EXPECT_NE(outside.code, 0);
    EXPECT_NE(outside.err.find("is not one a container can have on network 'pidvisor-test'"), std::string::npos)
        << outside.err;
    EXPECT_EQ(h.ok({"container", "list", vm2}).size(), 1u);

    // Loopback only when asked.
    json lo = h.ok({"container", "create", vm2, "lo", "--network", "none", "--", "sleep", "100000"});
    EXPECT_TRUE(lo["address"].is_null()) << lo.dump();
    // Its own namespace: loopback (and the kernel's own tunnel stubs), no eth0.
    std::string links = h.ok({"container", "exec", vm2, "lo", "--", "ls", "/sys/class/net"}).value("stdout", "");
    EXPECT_NE(links.find("lo\n"), std::string::npos) << links;
    EXPECT_EQ(links.find("eth0"), std::string::npos) << links;

    // A removed container's address is free again.
    h.ok({"container", "rm", vm1, "web2", "--force"});
    json web3 = h.ok({"container", "create", vm1, "web3", "--", "pidvisor-testload", "serve", "80"});
    EXPECT_EQ(addressOf(web3), a2) << "the freed address was not given out again";
    EXPECT_EQ(ask(a2, 80, "again"), "web3 again");
}

// Two inventories on one network (two users, two desktops on one libvirt
// network): neither knows the other's addresses, and an ARP probe from the
// VM finds them before a container is given one.
TEST_F(ContainerNetwork, AnAddressAnotherInventoryHoldsIsFoundOnTheNetworkAndNotGivenOut)
{
    VmHarness mine, theirs;
    std::string vm1 = mine.name("inv1"), vm2 = theirs.name("inv2");
    mine.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "512", "--disk", "0"});
    theirs.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "512", "--disk", "0"});
    json web = mine.ok({"container", "create", vm1, "web", "--", "pidvisor-testload", "serve", "80"});
    std::string held = addressOf(web);
    ASSERT_FALSE(held.empty()) << web.dump();
    // The other inventory's first choice would be the same address.
    json other = theirs.ok({"container", "create", vm2, "web", "--", "pidvisor-testload", "serve", "80"});
    std::string next = addressOf(other);
    EXPECT_FALSE(next.empty()) << other.dump();
    EXPECT_NE(next, held) << "an address another inventory's container holds was given out again";
    EXPECT_EQ(ask(held, 80, "first"), "web first");
    EXPECT_EQ(ask(next, 80, "second"), "web second");
    // Asked for by name: refused, naming the MAC that answered, nothing made.
    CliRun taken = theirs.pidvisor({"container", "create", vm2, "dup", "--address", held, "--", "sleep", "100"});
    EXPECT_NE(taken.code, 0);
    EXPECT_NE(taken.err.find("address " + held + " on network 'pidvisor-test' is in use: " +
                             web.value("mac", "?") + " answered for it"),
              std::string::npos)
        << taken.err;
    EXPECT_EQ(theirs.ok({"container", "list", vm2}).size(), 1u);
    EXPECT_EQ(ask(held, 80, "still"), "web still");
}

TEST_F(ContainerNetwork, AClientKeepsItsTcpConnectionWhileTheServerMigratesLiveAndBack)
{
    VmHarness h;
    std::string vm1 = h.name("tcp1"), vm2 = h.name("tcp2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    json srv = h.ok({"container", "create", vm1, "srv", "--", "pidvisor-testload", "serve", "7000"});
    std::string addr = addressOf(srv);
    ASSERT_FALSE(addr.empty()) << srv.dump();

    HeldConnection client;
    client.run(addr, 7000, "srv");
    std::this_thread::sleep_for(std::chrono::seconds(2));
    ASSERT_GT(client.answered.load(), 3) << client.failure;

    json live = h.ok({"container", "migrate", vm1, "srv", "--to", vm2, "--live"});
    ASSERT_FALSE(live.is_null());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    int afterLive = client.answered.load();
    EXPECT_TRUE(client.failure.empty()) << client.failure;
    long liveGap = client.longestGapMs;

    // Stop-and-copy back to the first VM, the same connection still open.
    json back = h.ok({"container", "migrate", vm2, "srv", "--to", vm1});
    ASSERT_FALSE(back.is_null());
    std::this_thread::sleep_for(std::chrono::seconds(2));
    client.finish();
    EXPECT_TRUE(client.failure.empty()) << client.failure;
    EXPECT_GT(client.answered.load(), afterLive + 3) << "no answers after the second move";
    std::cout << "client's longest gap: " << liveGap << " ms over the live migration (downtime "
              << live.value("downtime_ms", 0) << " ms), " << client.longestGapMs << " ms overall" << std::endl;
    ::testing::Test::RecordProperty("live_migration_client_gap_ms", std::to_string(liveGap));

    json moved = h.ok({"container", "info", vm1, "srv"});
    EXPECT_EQ(addressOf(moved), addr) << "the address did not move with the container";
    EXPECT_EQ(moved["mac"], srv["mac"]);
    EXPECT_TRUE(h.ok({"container", "list", vm2}).empty());
    EXPECT_EQ(ask(addr, 7000, "new"), "srv new");
}

TEST_F(ContainerNetwork, AMigrationThatFailsAfterTheFinalDumpLeavesTheServerRunningWithItsConnection)
{
    VmHarness h;
    std::string vm1 = h.name("fm1"), vm2 = h.name("fm2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    json srv = h.ok({"container", "create", vm1, "srv", "--", "pidvisor-testload", "serve", "7000"});
    std::string addr = addressOf(srv);
    HeldConnection client;
    client.run(addr, 7000, "srv");
    std::this_thread::sleep_for(std::chrono::seconds(2));

    // The target dies once the checkpoint is safe on the host: its restore fails.
    std::string pauseFile = "/tmp/pv-netpause-" + std::to_string(::getpid());
    std::filesystem::remove(pauseFile);
    pid_t child = ::fork();
    if (child == 0) {
        CliRun r = h.pidvisor({"--json", "container", "migrate", vm1, "srv", "--to", vm2},
                              {"PIDVISOR_TEST_PAUSE=after-transfer", "PIDVISOR_TEST_PAUSE_FILE=" + pauseFile});
        ::_exit(r.code == 0 ? 0 : 1);
    }
    for (int i = 0; i < 600 && !std::filesystem::exists(pauseFile); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(std::filesystem::exists(pauseFile)) << "the migration never reached the pause point";
    ASSERT_EQ(h.virsh({"destroy", vm2}).code, 0);
    std::filesystem::remove(pauseFile);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the migration to a dead VM succeeded";

    // The source runs again, and so does the held connection (CRIU's lock
    // and repair mode undone), as do new ones.
    int before = client.answered.load();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    client.finish();
    EXPECT_TRUE(client.failure.empty()) << client.failure;
    EXPECT_GT(client.answered.load(), before + 5) << "the held connection is stuck after the resume";
    EXPECT_EQ(h.ok({"container", "info", vm1, "srv"})["state"], "running");
    EXPECT_EQ(ask(addr, 7000, "fresh"), "srv fresh");
}

TEST_F(ContainerNetwork, ARestoreKeepsTheAddressOnlyWhereItIsFreeAndTcpCloseDropsConnections)
{
    VmHarness h;
    std::string vm1 = h.name("rs1"), vm2 = h.name("rs2"), vm3 = h.name("rs3");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm3, "--accel", "tcg", "--memory", "512", "--network", "none"});
    json srv = h.ok({"container", "create", vm1, "srv", "--", "pidvisor-testload", "serve", "80"});
    std::string addr = addressOf(srv);
    ASSERT_FALSE(addr.empty());

    // The original still runs with that address: a copy elsewhere is refused.
    json running = h.ok({"container", "checkpoint", vm1, "srv", "--leave-running"});
    CliRun taken = h.pidvisor({"container", "restore", running["id"], "--vm", vm2});
    EXPECT_NE(taken.code, 0);
    EXPECT_NE(taken.err.find("address " + addr + " on network 'pidvisor-test' is in use by container 'srv' in VM '" +
                             vm1 + "'"),
              std::string::npos)
        << taken.err;
    EXPECT_TRUE(h.ok({"container", "list", vm2}).empty()) << "a refused restore left something";

    // A connection the host holds across the checkpoint.
    int held = connectTo(addr, 80, 20);
    ASSERT_GE(held, 0);
    EXPECT_EQ(exchange(held, "before"), "srv before");
    json cp = h.ok({"container", "checkpoint", vm1, "srv"});
    // A VM without a network cannot take it.
    CliRun noNet = h.pidvisor({"container", "restore", cp["id"], "--vm", vm3});
    EXPECT_NE(noNet.code, 0);
    EXPECT_NE(noNet.err.find("VM '" + vm3 + "' has no network"), std::string::npos) << noNet.err;
    EXPECT_TRUE(h.ok({"container", "list", vm3}).empty());

    // Restored with its connections closed: the held one ends (CRIU closes
    // the restored socket), new ones work, same address.
    json restored = h.ok({"container", "restore", cp["id"], "--vm", vm2, "--tcp-close"});
    EXPECT_EQ(addressOf(restored), addr);
    EXPECT_EQ(restored["mac"], srv["mac"]);
    EXPECT_EQ(ask(addr, 80, "after"), "srv after");
    int err = 0;
    EXPECT_EQ(exchange(held, "stale", &err), "");
    EXPECT_TRUE(err == -1 || err == ECONNRESET) << "the held connection was not closed: " << std::strerror(err);
    ::close(held);

    // Its network gone, a VM's container create is refused at once with the reason.
    ASSERT_EQ(h.virsh({"net-destroy", "pidvisor-test"}).code, 0);
    auto started = Clock::now();
    CliRun down = h.pidvisor({"container", "create", vm2, "late", "--", "sleep", "100"});
    auto tookS = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
    (void)h.virsh({"net-start", "pidvisor-test"});
    EXPECT_NE(down.code, 0);
    EXPECT_NE(down.err.find("libvirt network 'pidvisor-test' is not running"), std::string::npos) << down.err;
    EXPECT_LT(tookS, 30) << "refusing took " << tookS << " s";
}

} // namespace
