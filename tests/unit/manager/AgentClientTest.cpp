// AgentClient against the real agent Dispatcher and Session in this
// process (InProcessAgent): the handshake, resynchronising after half a
// frame in either direction, many requests in flight at once, timeouts,
// the heartbeat that notices a restarted agent, and reconnecting.
#include "InProcessAgent.h"

#include "protocol/Commands.h"
#include "protocol/Frame.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

#define ASSERT_OK(expr)                                                                          \
    do {                                                                                         \
        const auto& pv_result_ = (expr);                                                         \
        ASSERT_TRUE(pv_result_.has_value()) << #expr << ": " << pv_result_.error().describe(); \
    } while (0)

CallOptions within(std::chrono::milliseconds timeout)
{
    CallOptions options;
    options.timeout = timeout;
    return options;
}

protocol::GuestExecArgs shell(const std::string& script, std::int64_t limitMs)
{
    protocol::GuestExecArgs args;
    args.argv = {"/bin/sh", "-c", script};
    args.timeoutMs = limitMs; // bounds the agent's worker, whatever the client does
    return args;
}

// The first `keep` bytes of a frame whose header is `headerBytes` long:
// what a writer that stopped half-way leaves on the stream.
std::string halfFrame(std::size_t headerBytes, std::size_t keep)
{
    protocol::Frame frame;
    frame.header = {{"kind", "response"}, {"id", 77}, {"pad", std::string(headerBytes, 'x')}};
    auto bytes = protocol::encodeFrame(frame);
    return bytes ? bytes->substr(0, keep) : std::string();
}

long long millisSince(Clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

class AgentClientTest : public ::testing::Test {
protected:
    InProcessAgent agent; // declared first: outlives the client
    AgentClient client{"inproc", agent.factory()};
};

} // namespace

TEST_F(AgentClientTest, HandshakesWithTheRealDispatcher)
{
    ASSERT_OK(client.connect(5s));
    EXPECT_TRUE(client.connected());
    protocol::HelloResult hello = client.agentHello();
    EXPECT_EQ(hello.instance, "instance-1");
    EXPECT_EQ(hello.protocol, protocol::kProtocolVersion);
    EXPECT_EQ(hello.commands, protocol::commandNames());
    auto containers = client.containerList();
    ASSERT_OK(containers);
    EXPECT_TRUE(containers->containers.empty());
    auto checkpoints = client.checkpointList();
    ASSERT_OK(checkpoints);
    EXPECT_TRUE(checkpoints->checkpoints.empty());
    EXPECT_EQ(agent.connections(), 1);
}

TEST_F(AgentClientTest, ResyncsAfterHalfAFrameLeftTowardTheAgent)
{
    // A previous host stopped 40 bytes into a frame that announced 800
    // bytes of header: the agent takes our first syncs for the rest of it
    // until the header fails to parse, then finds the next frame.
    std::string half = halfFrame(800, 40);
    ASSERT_EQ(half.substr(0, 4), "PVF1");
    agent.injectTowardAgent(half);
    auto started = Clock::now();
    ASSERT_OK(client.connect(10s));
    EXPECT_LT(millisSince(started), 5000);
    auto synced = client.sync("after-half-frame");
    ASSERT_OK(synced);
    EXPECT_EQ(synced->nonce, "after-half-frame");
    EXPECT_EQ(synced->instance, "instance-1");
}

TEST_F(AgentClientTest, ResyncsAfterHalfAFrameLeftTowardTheManager)
{
    // The agent was half-way through an answer when the last host left;
    // the new connection reads that first.
    agent.injectTowardManager(halfFrame(800, 40));
    ASSERT_OK(client.connect(10s));
    auto containers = client.containerList();
    ASSERT_OK(containers);
    EXPECT_TRUE(containers->containers.empty());
}

TEST_F(AgentClientTest, ManyThreadsEachGetTheirOwnAnswers)
{
    ASSERT_OK(client.connect(5s));
    constexpr int kThreads = 8, kCalls = 25;
    std::atomic<int> wrong{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCalls; ++i) {
                std::string nonce = "t" + std::to_string(t) + "-" + std::to_string(i);
                auto synced = client.sync(nonce, within(10s));
                if (!synced)
                    ++failed;
                else if (synced->nonce != nonce)
                    ++wrong;
                if (i % 5 == 0 && !client.checkpointList(within(10s)))
                    ++failed;
            }
        });
    for (auto& thread : threads)
        thread.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(agent.connections(), 1);
}

TEST_F(AgentClientTest, ASlowRequestDoesNotHoldUpTheOthers)
{
    ASSERT_OK(client.connect(5s));
    std::atomic<bool> slowDone{false};
    auto slow = std::async(std::launch::async, [&] {
        auto r = client.guestExec(shell("sleep 3; echo slow", 6000), within(15s));
        slowDone = true;
        return r;
    });
    std::this_thread::sleep_for(100ms); // the slow one is in flight first
    auto fast = client.guestExec(shell("echo fast", 5000), within(10s));
    ASSERT_OK(fast);
    EXPECT_EQ(fast->stdoutText, "fast\n");
    for (int i = 0; i < 10; ++i)
        ASSERT_OK(client.containerList(within(5s)));
    EXPECT_FALSE(slowDone.load()) << "the quick calls waited for the slow one";
    auto slowResult = slow.get();
    ASSERT_OK(slowResult);
    EXPECT_EQ(slowResult->stdoutText, "slow\n");
    EXPECT_EQ(slowResult->exitCode, 0);
}

TEST_F(AgentClientTest, ATimeoutFailsTheCallAndItsLateAnswerIsDropped)
{
    ASSERT_OK(client.connect(5s));
    auto started = Clock::now();
    auto late = client.guestExec(shell("sleep 1; echo late", 3000), within(300ms));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::Timeout);
    EXPECT_EQ(late.error().message, "agent in VM 'inproc' did not answer 'guest-exec' within 300 ms");
    EXPECT_LT(millisSince(started), 1000);
    // The answer comes after all; it must not be taken for another's.
    std::this_thread::sleep_for(1200ms);
    auto synced = client.sync("next");
    ASSERT_OK(synced);
    EXPECT_EQ(synced->nonce, "next");
    EXPECT_TRUE(client.connected());
    EXPECT_EQ(agent.connections(), 1);
}

TEST_F(AgentClientTest, TheHeartbeatFailsRequestsARestartedAgentLost)
{
    ASSERT_OK(client.connect(5s));
    agent.hold(); // the request reaches the old agent only
    auto started = Clock::now();
    auto lost = std::async(std::launch::async, [&] { return client.containerList(within(30s)); });
    std::this_thread::sleep_for(200ms);
    agent.restart();
    agent.release();
    auto result = lost.get();
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Unavailable);
    EXPECT_EQ(result.error().message,
              "the agent in VM 'inproc' restarted; the requests it was answering were lost");
    // A heartbeat comes every 4 s (one that went to the old agent waits
    // 10 s for its answer): either way well before the call's own 30 s.
    EXPECT_LT(millisSince(started), 20000);
    // The link is the same: the next call reaches the new agent.
    auto synced = client.sync("new");
    ASSERT_OK(synced);
    EXPECT_EQ(synced->instance, "instance-2");
    EXPECT_EQ(agent.connections(), 1);
}

TEST_F(AgentClientTest, TheHeartbeatLeavesALongRequestOfTheSameAgentAlone)
{
    ASSERT_OK(client.connect(5s));
    auto started = Clock::now();
    // Longer than the heartbeat's interval: at least one beat happens.
    auto slow = client.guestExec(shell("sleep 5; echo done", 8000), within(15s));
    ASSERT_OK(slow);
    EXPECT_EQ(slow->stdoutText, "done\n");
    EXPECT_GE(millisSince(started), 5000);
}

TEST_F(AgentClientTest, ALostConnectionFailsWhatIsInFlightAndTheNextCallReconnects)
{
    ASSERT_OK(client.connect(5s));
    agent.hold();
    auto started = Clock::now();
    auto inFlight = std::async(std::launch::async, [&] { return client.containerList(within(30s)); });
    std::this_thread::sleep_for(200ms);
    agent.dropHost();
    auto result = inFlight.get();
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::Unavailable);
    EXPECT_EQ(result.error().message.rfind("connection to the agent in VM 'inproc' was lost: ", 0), 0u)
        << result.error().message;
    EXPECT_LT(millisSince(started), 2000);
    agent.release();
    auto again = client.containerList(within(10s));
    ASSERT_OK(again);
    EXPECT_EQ(agent.connections(), 2);
}
