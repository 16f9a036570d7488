// The host port: the agent serves the host over a stream it is given (a
// virtio-serial port in VMs; here a unix socket it connects to, and a pty),
// survives the host going away mid-frame, and resynchronises.
#include "AgentHarness.h"

#include "protocol/Commands.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>

#include <cstring>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;

namespace {

UniqueFd listenAt(const std::string& path)
{
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd.get(), 4), 0);
    return fd;
}

UniqueFd acceptWithin(int listenFd, int ms)
{
    pollfd p{listenFd, POLLIN, 0};
    if (::poll(&p, 1, ms) != 1)
        return UniqueFd{};
    return UniqueFd(::accept4(listenFd, nullptr, nullptr, SOCK_CLOEXEC));
}

// What a host does after (re)connecting: send sync until its nonce comes
// back, discarding anything else.
bool resync(protocol::FrameChannel& channel, const std::string& nonce)
{
    for (int attempt = 0; attempt < 10; ++attempt) {
        if (!channel.send(protocol::makeRequest(1000 + attempt, "sync", {{"nonce", nonce}})))
            return false;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        while (std::chrono::steady_clock::now() < deadline) {
            auto frame = channel.receive(std::chrono::milliseconds(200));
            if (!frame)
                continue;
            auto r = protocol::parseResponse(std::move(*frame));
            if (r && r->result && r->result->value("nonce", "") == nonce)
                return true;
        }
    }
    return false;
}

std::string halfFrame()
{
    auto bytes = protocol::encodeFrame(protocol::makeRequest(77, "hello", {{"client", std::string(200, 'p')}}));
    return bytes->substr(0, bytes->size() / 2);
}

} // namespace

TEST(Port, ServesTheHostOverASocketAndSurvivesAReconnectMidFrame)
{
    PV_REQUIRE_ROOT();
    std::filesystem::path hostDir = std::filesystem::path("/tmp") / ("pvport-" + std::to_string(::getpid()));
    std::filesystem::create_directories(hostDir);
    std::string hostSock = (hostDir / "host.sock").string();
    UniqueFd listener = listenAt(hostSock);
    AgentHarness agent({"--port", hostSock});

    UniqueFd conn = acceptWithin(listener.get(), 5000);
    ASSERT_TRUE(conn) << "agent did not connect to the host port";
    {
        protocol::FrameChannel channel(std::move(conn));
        auto hello = roundTrip(channel, 1, "hello", helloArgs());
        ASSERT_TRUE(hello && hello->result) << agent.log();
        EXPECT_EQ((*hello->result)["protocol"], protocol::kProtocolVersion);
        // The host goes away in the middle of a frame.
        ASSERT_TRUE(channel.sendRaw(halfFrame()));
    }
    UniqueFd again = acceptWithin(listener.get(), 5000);
    ASSERT_TRUE(again) << "agent did not reconnect";
    protocol::FrameChannel channel(std::move(again));
    EXPECT_TRUE(resync(channel, "after-reconnect"));
    auto list = roundTrip(channel, 2, "container-list", json::object());
    ASSERT_TRUE(list && list->result);
    std::filesystem::remove_all(hostDir);
}

TEST(Port, ServesTheHostOverAPtyAndResynchronisesAfterAHalfFrame)
{
    PV_REQUIRE_ROOT();
    UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    ASSERT_TRUE(master);
    ASSERT_EQ(::grantpt(master.get()), 0);
    ASSERT_EQ(::unlockpt(master.get()), 0);
    std::string slave = ::ptsname(master.get());
    termios t{};
    ::tcgetattr(master.get(), &t);
    ::cfmakeraw(&t);
    ::tcsetattr(master.get(), TCSANOW, &t);
    AgentHarness agent({"--port", slave});

    protocol::FrameChannel channel(std::move(master));
    ASSERT_TRUE(resync(channel, "first")) << agent.log();
    // Half a frame, then the host starts over: sync must get through.
    ASSERT_TRUE(channel.sendRaw(halfFrame()));
    EXPECT_TRUE(resync(channel, "second")) << agent.log();
    auto hello = roundTrip(channel, 3, "hello", helloArgs());
    ASSERT_TRUE(hello && hello->result);
    EXPECT_EQ((*hello->result)["commands"], protocol::commandNames());
}
