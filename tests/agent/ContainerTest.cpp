// The agent with real processes and real namespaces: pid isolation, exec,
// logs, stop/rm, --init, restart after kill -9, two containers side by side.
#include "AgentHarness.h"

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;

namespace {

json create(const AgentHarness& agent, const std::string& name, std::vector<std::string> argv, json extra = {})
{
    json args{{"name", name}, {"argv", argv}};
    for (auto& [k, v] : extra.items())
        args[k] = v;
    auto r = agent.call("container-create", args);
    EXPECT_TRUE(r) << (r ? "" : r.error().describe());
    return r ? *r : json{};
}

json processes(const AgentHarness& agent, const std::string& name)
{
    auto r = agent.call("container-ps", {{"name", name}});
    EXPECT_TRUE(r) << (r ? "" : r.error().describe());
    return r ? (*r)["processes"] : json::array();
}

// Waits until the container has `count` processes of which `sleeps` have
// exec'd sleep: a shell forks its children asynchronously.
json waitForProcesses(const AgentHarness& agent, const std::string& name, std::size_t count,
                      std::size_t sleeps = 0)
{
    json procs;
    for (int i = 0; i < 300; ++i) {
        procs = processes(agent, name);
        std::size_t sleeping = 0;
        for (const auto& p : procs)
            sleeping += p["comm"] == "sleep";
        if (procs.size() >= count && sleeping >= sleeps)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return procs;
}

std::set<std::string> words(const std::string& text)
{
    std::istringstream in(text);
    std::set<std::string> out;
    std::string w;
    while (in >> w)
        out.insert(w);
    return out;
}

class ContainerTest : public ::testing::Test {
protected:
    void SetUp() override { PV_REQUIRE_ROOT(); }
};

} // namespace

TEST_F(ContainerTest, CommandIsPidOneWithItsOwnGlobalPid)
{
    AgentHarness agent;
    json info = create(agent, "web", {"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
    EXPECT_EQ(info["state"], "running");
    json procs = waitForProcesses(agent, "web", 2, 2);
    ASSERT_GE(procs.size(), 2u);
    EXPECT_EQ(procs[0]["vpid"], 1);
    EXPECT_EQ(procs[0]["comm"], "sh");
    EXPECT_EQ(procs[0]["vppid"], 0);
    EXPECT_EQ(procs[0]["pid"], info["init_pid"]);
    EXPECT_NE(procs[0]["pid"], 1);
    EXPECT_EQ(procs[1]["vpid"], 2);
    EXPECT_EQ(procs[1]["vppid"], 1);
    EXPECT_EQ(procs[1]["comm"], "sleep");
    for (const auto& p : procs)
        for (const char* field : {"vpid", "pid", "vppid", "comm", "state", "cmdline"})
            EXPECT_TRUE(p.contains(field)) << field;
}

TEST_F(ContainerTest, InsideOnlyTheContainersPidsAreVisible)
{
    AgentHarness agent;
    create(agent, "iso", {"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
    json procs = waitForProcesses(agent, "iso", 3, 2);
    std::set<std::string> expected;
    for (const auto& p : procs)
        expected.insert(std::to_string(p["vpid"].get<int>()));

    // ls runs as a new process in the container: it sees itself too.
    std::string listing = execIn(agent, "iso", "for p in /proc/[0-9]*; do echo ${p#/proc/}; done");
    std::set<std::string> seen = words(listing);
    for (const auto& pid : expected)
        EXPECT_TRUE(seen.count(pid)) << "vpid " << pid << " missing inside";
    EXPECT_LE(seen.size(), expected.size() + 3) << listing; // the exec'd shell and its subshells
    for (const auto& pid : seen)
        EXPECT_LT(std::stoi(pid), 100) << "a global-looking pid is visible inside: " << pid;

    // The agent's own pid is not reachable from inside.
    auto r = agent.call("container-exec",
                        {{"name", "iso"}, {"argv", {"/bin/sh", "-c", "kill -0 " + std::to_string(agent.pid())}}});
    ASSERT_TRUE(r);
    EXPECT_NE((*r)["exit_code"], 0) << "a process outside the container could be signalled";
    EXPECT_NE((*r)["stderr"].get<std::string>().find("No such process"), std::string::npos) << (*r)["stderr"];
}

TEST_F(ContainerTest, NamespacesHostnameSessionAndNoLeakedDescriptors)
{
    AgentHarness agent;
    create(agent, "ns1", {"/bin/sleep", "1000"}, {{"hostname", "box"}});
    EXPECT_EQ(execIn(agent, "ns1", "hostname"), "box\n");
    // pid 1 is the session leader of its own session, inside.
    EXPECT_EQ(execIn(agent, "ns1", "cut -d' ' -f6 /proc/1/stat"), "1\n");
    // Only stdio is open in the container's first process.
    EXPECT_EQ(words(execIn(agent, "ns1", "ls /proc/1/fd")), (std::set<std::string>{"0", "1", "2"}));
    // Its own mount, uts and ipc namespaces, different from the agent's.
    for (const char* ns : {"pid", "mnt", "uts", "ipc"}) {
        struct stat mine {};
        ASSERT_EQ(::stat((std::string("/proc/self/ns/") + ns).c_str(), &mine), 0);
        std::string inside = execIn(agent, "ns1", std::string("stat -L -c %i /proc/1/ns/") + ns);
        EXPECT_NE(std::stoull(inside), mine.st_ino) << ns << " namespace is shared with the host";
    }
    // The agent's state directory is hidden inside.
    auto r = agent.call("container-exec", {{"name", "ns1"}, {"argv", {"/bin/ls", agent.stateDir() + "/containers"}}});
    ASSERT_TRUE(r);
    EXPECT_NE((*r)["exit_code"], 0) << "state directory visible inside: " << (*r)["stdout"];
}

TEST_F(ContainerTest, FilesystemChangesStayInTheContainer)
{
    AgentHarness agent;
    create(agent, "fs1", {"/bin/sleep", "1000"});
    std::string marker = "/tmp/pv-marker-" + std::to_string(::getpid());
    execIn(agent, "fs1", "echo inside > " + marker);
    EXPECT_EQ(execIn(agent, "fs1", "cat " + marker), "inside\n");
    EXPECT_NE(::access(marker.c_str(), F_OK), 0) << "a write inside the container reached the host";
}

TEST_F(ContainerTest, ExecReturnsOutputExitCodeAndTakesStdin)
{
    AgentHarness agent;
    create(agent, "ex", {"/bin/sleep", "1000"});
    auto r = agent.call("container-exec", {{"name", "ex"},
                                           {"argv", {"/bin/sh", "-c", "cat; echo err >&2; exit 3"}},
                                           {"stdin", "from stdin\n"}});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ((*r)["exit_code"], 3);
    EXPECT_EQ((*r)["stdout"], "from stdin\n");
    EXPECT_EQ((*r)["stderr"], "err\n");

    auto timed = agent.call("container-exec", {{"name", "ex"}, {"argv", {"sleep", "30"}}, {"timeout_ms", 300}});
    ASSERT_TRUE(timed);
    EXPECT_TRUE((*timed)["timed_out"].get<bool>());
    EXPECT_EQ((*timed)["signal"], 9);

    auto missing = agent.call("container-exec", {{"name", "ex"}, {"argv", {"/no/such/binary"}}});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_F(ContainerTest, GuestExecRunsOutsideContainers)
{
    AgentHarness agent;
    auto r = agent.call("guest-exec", {{"argv", {"/bin/sh", "-c", "echo $$ > /dev/null; cat /proc/self/status | grep NSpid"}}});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ((*r)["exit_code"], 0);
    // One pid namespace level: the VM's own.
    EXPECT_EQ(words((*r)["stdout"].get<std::string>()).size(), 2u) << (*r)["stdout"];
}

TEST_F(ContainerTest, LogsHoldTheConsoleOutput)
{
    AgentHarness agent;
    create(agent, "lg", {"/bin/sh", "-c", "echo line-one; echo line-two >&2; sleep 1000"});
    std::string out;
    for (int i = 0; i < 200; ++i) {
        std::string text;
        ASSERT_EQ(agent.cli({"container", "logs", "lg"}, &text), 0);
        out = text;
        if (out.find("line-two") != std::string::npos)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(out, "line-one\nline-two\n");
    auto tail = agent.call("container-logs", {{"name", "lg"}, {"tail_bytes", 9}});
    ASSERT_TRUE(tail);
    EXPECT_EQ((*tail)["size"], 9);
}

TEST_F(ContainerTest, StopEscalatesToKillAndRmRemovesEverything)
{
    AgentHarness agent;
    // sh as pid 1 ignores TERM (no handler): stop must escalate.
    create(agent, "st", {"/bin/sleep", "1000"});
    auto rmRunning = agent.call("container-rm", {{"name", "st"}});
    ASSERT_FALSE(rmRunning);
    EXPECT_EQ(rmRunning.error().code, ErrorCode::FailedPrecondition);

    auto stopped = agent.call("container-stop", {{"name", "st"}, {"timeout_ms", 200}});
    ASSERT_TRUE(stopped) << stopped.error().describe();
    EXPECT_EQ((*stopped)["state"], "stopped");
    EXPECT_EQ((*stopped)["exit"]["signal"], 9);

    ASSERT_TRUE(agent.call("container-rm", {{"name", "st"}}));
    EXPECT_FALSE(std::filesystem::exists(agent.stateDir() + "/containers/st"));
    EXPECT_EQ(agent.call("container-info", {{"name", "st"}}).error().code, ErrorCode::NotFound);
    // The name is free again.
    create(agent, "st", {"/bin/true"});
}

TEST_F(ContainerTest, InitIsPidOneAndForwardsSignals)
{
    AgentHarness agent;
    create(agent, "in", {"/bin/sleep", "1000"}, {{"init", true}});
    json procs = waitForProcesses(agent, "in", 2, 1);
    ASSERT_EQ(procs.size(), 2u);
    EXPECT_EQ(procs[0]["vpid"], 1);
    EXPECT_EQ(procs[0]["comm"], "pidvisor-init");
    EXPECT_EQ(procs[1]["vpid"], 2);
    EXPECT_EQ(procs[1]["comm"], "sleep");
    // TERM reaches sleep through the init, so stop needs no KILL.
    auto stopped = agent.call("container-stop", {{"name", "in"}, {"timeout_ms", 5000}});
    ASSERT_TRUE(stopped);
    EXPECT_EQ((*stopped)["exit"]["code"], 128 + 15);
    EXPECT_EQ((*stopped)["exit"]["signal"], 0);
}

TEST_F(ContainerTest, ExitStatusIsRecorded)
{
    AgentHarness agent;
    create(agent, "ex7", {"/bin/sh", "-c", "exit 7"});
    json info;
    for (int i = 0; i < 200; ++i) {
        info = *agent.call("container-info", {{"name", "ex7"}});
        if (info["state"] == "stopped")
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(info["state"], "stopped");
    EXPECT_EQ(info["exit"]["code"], 7);
}

TEST_F(ContainerTest, TwoContainersSideBySideDoNotSeeEachOther)
{
    AgentHarness agent;
    create(agent, "left", {"/bin/sleep", "1000"});
    create(agent, "right", {"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
    json left = waitForProcesses(agent, "left", 1);
    json right = waitForProcesses(agent, "right", 3, 2);
    EXPECT_EQ(left.size(), 1u);
    EXPECT_EQ(right.size(), 3u);
    EXPECT_EQ(left[0]["vpid"], 1);
    EXPECT_EQ(right[0]["vpid"], 1);
    EXPECT_NE(left[0]["pid"], right[0]["pid"]);
    // Builtins only: sleep and the exec'd shell itself.
    EXPECT_EQ(execIn(agent, "left", "set -- /proc/[0-9]*; echo $#"), "2\n");
    auto list = agent.call("container-list");
    ASSERT_TRUE(list);
    EXPECT_EQ((*list)["containers"].size(), 2u);
}

TEST_F(ContainerTest, AgentKilledAndRestartedFindsItsContainers)
{
    AgentHarness agent;
    json before = create(agent, "keep", {"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
    create(agent, "gone", {"/bin/sleep", "1000"});
    waitForProcesses(agent, "keep", 3, 2);
    agent.killHard();
    // While the agent is down, one container ends.
    std::ifstream record(agent.stateDir() + "/containers/gone/container.json");
    auto gonePid = json::parse(record)["init_pid"].get<pid_t>();
    ::kill(gonePid, SIGKILL);
    agent.start();

    auto keep = agent.call("container-info", {{"name", "keep"}});
    ASSERT_TRUE(keep) << keep.error().describe();
    EXPECT_EQ((*keep)["state"], "running");
    EXPECT_EQ((*keep)["init_pid"], before["init_pid"]);
    EXPECT_EQ(processes(agent, "keep").size(), 3u);
    EXPECT_EQ(execIn(agent, "keep", "echo still-here"), "still-here\n");

    json gone;
    for (int i = 0; i < 200; ++i) {
        gone = *agent.call("container-info", {{"name", "gone"}});
        if (gone["state"] == "stopped")
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(gone["state"], "stopped");
    EXPECT_TRUE(gone["exit"].is_null()) << "exit status cannot be known after a restart";

    // And the re-attached container can still be stopped and removed.
    auto stopped = agent.call("container-stop", {{"name", "keep"}, {"timeout_ms", 100}});
    ASSERT_TRUE(stopped) << stopped.error().describe();
    EXPECT_EQ((*stopped)["state"], "stopped");
}

TEST_F(ContainerTest, LimitsAreEnforcedOrRefusedWithTheReason)
{
    AgentHarness agent;
    auto hello = agent.call("hello", helloArgs());
    ASSERT_TRUE(hello);
    const json& cg = (*hello)["capabilities"]["cgroups"];
    auto r = agent.call("container-create", {{"name", "lim"}, {"argv", {"/bin/sleep", "1000"}}, {"memory_mib", 64},
                                             {"pids_max", 20}});
    if (cg["mode"] != "v2" || !cg["usable"].get<bool>()) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, ErrorCode::FailedPrecondition);
        EXPECT_NE(r.error().message.find("cgroup v2"), std::string::npos) << r.error().message;
        EXPECT_FALSE(std::filesystem::exists(agent.stateDir() + "/containers/lim"));
        return;
    }
    ASSERT_TRUE(r) << r.error().describe();
    std::string cgroup = (*r)["cgroup"];
    std::ifstream mem(cgroup + "/memory.max"), pids(cgroup + "/pids.max");
    std::string memMax, pidsMax;
    mem >> memMax;
    pids >> pidsMax;
    EXPECT_EQ(memMax, std::to_string(64 * 1024 * 1024));
    EXPECT_EQ(pidsMax, "20");
}

TEST_F(ContainerTest, SocketIsRootOnlyAndRefusesContainers)
{
    AgentHarness agent;
    struct stat st {};
    ASSERT_EQ(::stat(agent.socket().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);

    // Root inside a container sees the socket's path through its overlay
    // root but cannot use it.
    create(agent, "sneaky", {"/bin/sleep", "1000"});
    auto r = agent.call("container-exec",
                        {{"name", "sneaky"},
                         {"argv", {binDir() + "/pidvisor-agent", "--socket", agent.socket(), "container", "list"}}});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_NE((*r)["exit_code"], 0) << (*r)["stdout"];

    // Root in another pid namespace that does reach the socket (same mount
    // namespace) is refused by the peer check.
    std::string cmd = "unshare --pid --fork " + binDir() + "/pidvisor-agent --socket " + agent.socket() +
                      " container list 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, n);
    EXPECT_NE(::pclose(p), 0);
    EXPECT_NE(out.find("permission_denied: connections from inside a container are refused"), std::string::npos)
        << out;
}

TEST_F(ContainerTest, CliExampleFromTheIssue)
{
    AgentHarness agent;
    std::string out;
    ASSERT_EQ(agent.cli({"container", "create", "web", "--", "/bin/sh", "-c", "sleep 1000 & sleep 1000"}, &out), 0)
        << out;
    waitForProcesses(agent, "web", 2, 2);
    ASSERT_EQ(agent.cli({"container", "ps", "web", "--json"}, &out), 0);
    json procs = json::parse(out);
    ASSERT_GE(procs.size(), 2u);
    EXPECT_EQ(procs[0]["vpid"], 1);
    EXPECT_EQ(procs[1]["vpid"], 2);
    ASSERT_EQ(agent.cli({"container", "ps", "web"}, &out), 0);
    EXPECT_EQ(out.rfind("VPID  PID", 0), 0u) << out;
    EXPECT_NE(agent.cli({"container", "ps", "nope"}, &out), 0);
}
