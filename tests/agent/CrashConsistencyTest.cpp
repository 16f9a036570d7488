// Crash consistency: kill -9 of the agent at random moments of a request.
// After every kill the agent must start again, and each container must be
// either listed (and then stop and rm work) or gone without a trace: no
// directory, no process, the name free for a new create. Delays are spread
// over the request's measured duration; the seed is printed so that a
// failing run can be repeated (PV_CRASH_SEED=<seed>).
#include "AgentHarness.h"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kCreateTrials = 60;
constexpr int kExecTrials = 44;

std::uint32_t seed()
{
    if (const char* s = std::getenv("PV_CRASH_SEED"))
        return static_cast<std::uint32_t>(std::strtoul(s, nullptr, 10));
    return 20261202;
}

// Pids of live processes with `marker` as one of their arguments.
std::vector<pid_t> processesWith(const std::string& marker)
{
    std::vector<pid_t> out;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream in(entry.path() / "cmdline");
        std::string arg;
        while (std::getline(in, arg, '\0'))
            if (arg == marker) {
                out.push_back(std::stoi(name));
                break;
            }
    }
    return out;
}

// Waits (up to `limit`) for every process carrying `marker` to end.
std::vector<pid_t> lingering(const std::string& marker, std::chrono::milliseconds limit)
{
    auto deadline = Clock::now() + limit;
    std::vector<pid_t> left;
    do {
        left = processesWith(marker);
        if (left.empty())
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (Clock::now() < deadline);
    return left;
}

std::string pids(const std::vector<pid_t>& list)
{
    std::string s;
    for (pid_t p : list)
        s += std::to_string(p) + " ";
    return s;
}

std::optional<pid_t> recordedInitPid(const AgentHarness& agent, const std::string& name)
{
    std::ifstream in(agent.stateDir() + "/containers/" + name + "/container.json");
    if (!in)
        return std::nullopt;
    json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("init_pid"))
        return std::nullopt;
    return j["init_pid"].get<pid_t>();
}

bool listed(const AgentHarness& agent, const std::string& name)
{
    auto list = agent.call("container-list");
    EXPECT_TRUE(list) << (list ? "" : list.error().describe());
    if (list)
        for (const auto& c : (*list)["containers"])
            if (c["name"] == name)
                return true;
    return false;
}

json createArgs(const std::string& name, const std::string& marker)
{
    return {{"name", name}, {"argv", {"/bin/sh", "-c", "while :; do sleep 1; done", marker}}};
}

// Sends a request and leaves it running: the agent is killed under it.
void startRequest(protocol::FrameChannel& channel, std::string_view cmd, json args)
{
    auto sent = channel.send(protocol::makeRequest(1, cmd, std::move(args)));
    EXPECT_TRUE(sent) << (sent ? "" : sent.error().describe());
}

std::chrono::microseconds measure(const std::function<void()>& request)
{
    Clock::duration total{};
    constexpr int kRuns = 4;
    for (int i = 0; i < kRuns; ++i) {
        auto t0 = Clock::now();
        request();
        total += Clock::now() - t0;
    }
    return std::chrono::duration_cast<std::chrono::microseconds>(total / kRuns);
}

class CrashConsistencyTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::printf("crash consistency seed %u (repeat with PV_CRASH_SEED=%u)\n", seed(), seed());
        m_rng.seed(seed());
    }
    // Uniform in [0, 1.2 * duration]: some kills land after the request.
    std::chrono::microseconds randomDelay(std::chrono::microseconds duration)
    {
        std::uniform_int_distribution<long long> d(0, duration.count() * 6 / 5);
        return std::chrono::microseconds(d(m_rng));
    }
    std::mt19937 m_rng;
};

} // namespace

TEST_F(CrashConsistencyTest, KillDuringCreateLeavesTheContainerListedOrGone)
{
    PV_REQUIRE_ROOT();
    AgentHarness agent;
    const std::string tag = "pvcrash-" + std::to_string(::getpid()) + "-";
    auto typical = measure([&, i = 0]() mutable {
        std::string name = "calib" + std::to_string(i++);
        auto r = agent.call("container-create", createArgs(name, tag + name));
        ASSERT_TRUE(r) << r.error().describe();
        ASSERT_TRUE(agent.call("container-rm", {{"name", name}, {"force", true}}));
    });
    std::printf("a create and rm take %lld us\n", static_cast<long long>(typical.count()));

    int listedCount = 0, goneCount = 0;
    for (int trial = 0; trial < kCreateTrials; ++trial) {
        const std::string name = "c" + std::to_string(trial);
        const std::string marker = tag + name;
        auto delay = randomDelay(typical / 2); // the create is about half of create + rm
        SCOPED_TRACE("create trial " + std::to_string(trial) + ", kill after " + std::to_string(delay.count()) +
                     " us");
        {
            protocol::FrameChannel channel = agent.connect();
            startRequest(channel, "container-create", createArgs(name, marker));
            std::this_thread::sleep_for(delay);
            agent.killHard();
        }
        auto initPid = recordedInitPid(agent, name);
        agent.start();
        ASSERT_TRUE(agent.running()) << "the agent did not start again after kill -9";

        const fs::path dir = agent.stateDir() + "/containers/" + name;
        if (listed(agent, name)) {
            ++listedCount;
            auto stopped = agent.call("container-stop", {{"name", name}, {"timeout_ms", 100}});
            ASSERT_TRUE(stopped) << stopped.error().describe();
            auto removed = agent.call("container-rm", {{"name", name}});
            ASSERT_TRUE(removed) << removed.error().describe();
        } else {
            ++goneCount;
            EXPECT_FALSE(fs::exists(dir)) << "an unlisted container left its directory " << dir;
        }
        EXPECT_FALSE(fs::exists(dir)) << dir;
        auto left = lingering(marker, std::chrono::seconds(2));
        EXPECT_TRUE(left.empty()) << "processes of the container outlived it: " << pids(left)
                                  << (initPid ? "(recorded init " + std::to_string(*initPid) + ")" : "");
        for (pid_t p : left)
            ::kill(p, SIGKILL);

        // The name is free again.
        auto again = agent.call("container-create", createArgs(name, marker + "-again"));
        ASSERT_TRUE(again) << "create after the crash: " << again.error().describe();
        auto removed = agent.call("container-rm", {{"name", name}, {"force", true}});
        ASSERT_TRUE(removed) << "rm after the crash: " << removed.error().describe();
        EXPECT_FALSE(fs::exists(dir)) << dir;
        EXPECT_TRUE(lingering(marker + "-again", std::chrono::seconds(2)).empty());
    }
    std::printf("create trials: %d listed after the restart, %d gone\n", listedCount, goneCount);
}

TEST_F(CrashConsistencyTest, KillDuringExecLeavesTheContainerRunningAndNoStrayCommand)
{
    PV_REQUIRE_ROOT();
    AgentHarness agent;
    const std::string tag = "pvcrash-" + std::to_string(::getpid()) + "-";
    auto host = agent.call("container-create", createArgs("host", tag + "host"));
    ASSERT_TRUE(host) << host.error().describe();
    const auto initPid = (*host)["init_pid"];

    // Two kinds: a short command, and one only its timeout would end (the
    // agent enforces the timeout, so after a crash nobody else would).
    auto execArgs = [](const std::string& marker, bool endless) {
        json a{{"name", "host"}, {"argv", {"/bin/sh", "-c", endless ? "sleep 30" : "sleep 0.05; echo ok", marker}}};
        if (endless)
            a["timeout_ms"] = 200;
        return a;
    };
    std::chrono::microseconds typical[2];
    for (bool endless : {false, true})
        typical[endless ? 1 : 0] = measure([&] {
            auto r = agent.call("container-exec", execArgs(tag + "calib", endless));
            ASSERT_TRUE(r) << r.error().describe();
        });
    std::printf("an exec takes %lld us, one that times out %lld us\n", static_cast<long long>(typical[0].count()),
                static_cast<long long>(typical[1].count()));

    for (int trial = 0; trial < kExecTrials; ++trial) {
        const bool endless = trial % 2 == 1;
        const std::string marker = tag + "x" + std::to_string(trial);
        auto delay = randomDelay(typical[endless ? 1 : 0]);
        SCOPED_TRACE("exec trial " + std::to_string(trial) + (endless ? " (times out)" : "") + ", kill after " +
                     std::to_string(delay.count()) + " us");
        {
            protocol::FrameChannel channel = agent.connect();
            startRequest(channel, "container-exec", execArgs(marker, endless));
            std::this_thread::sleep_for(delay);
            agent.killHard();
        }
        agent.start();
        ASSERT_TRUE(agent.running()) << "the agent did not start again after kill -9";

        auto info = agent.call("container-info", {{"name", "host"}});
        ASSERT_TRUE(info) << info.error().describe();
        EXPECT_EQ((*info)["state"], "running");
        EXPECT_EQ((*info)["init_pid"], initPid);
        auto left = lingering(marker, std::chrono::seconds(2));
        EXPECT_TRUE(left.empty()) << "the interrupted exec's command outlived the agent: " << pids(left);
        for (pid_t p : left)
            ::kill(p, SIGKILL);
        EXPECT_EQ(execIn(agent, "host", "echo still-here"), "still-here\n");
    }
    std::printf("exec trials: %d, the container survived each\n", kExecTrials);
}

TEST_F(CrashConsistencyTest, KillDuringCheckpoint)
{
    PV_REQUIRE_ROOT();
    if (std::system("criu check >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "criu is not usable on this host ('criu check' fails or criu is missing): kill -9 during "
                        "checkpoint and restore is not tried";
    GTEST_SKIP() << "criu works here, but the kill -9 trials for checkpoint and restore run in VMs, on the VM's "
                    "kernel and CRIU (vm: Checkpoints.AgentKilledAtRandomMomentsOfCheckpointAndRestoreLeavesNothingWedged)";
}

// The lock that a restarted agent must get still keeps a second one out.
TEST_F(CrashConsistencyTest, ASecondAgentOnTheSameStateDirIsRefused)
{
    PV_REQUIRE_ROOT();
    AgentHarness agent;
    std::string cmd = "timeout 10 " + binDir() + "/pidvisor-agent serve --socket " +
                      (agent.dir() / "second.sock").string() + " --state-dir " + agent.stateDir() + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    int status = ::pclose(p);
    ASSERT_TRUE(WIFEXITED(status)) << out;
    EXPECT_EQ(WEXITSTATUS(status), 1) << out;
    EXPECT_NE(out.find("is in use by another agent"), std::string::npos) << out;
    EXPECT_TRUE(agent.call("container-list")) << "the first agent keeps serving";
}
