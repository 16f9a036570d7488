// Confinement seen from inside real containers of the real agent: each
// escape an attacker in a container would try fails and changes nothing;
// exec children hold no agent descriptor and cannot be ptraced or robbed
// even when the race is run hundreds of times; the agent's state directory
// does not exist in the container's view; a --privileged container keeps
// what containers could do before confinement.
#include "AgentHarness.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;

namespace {

// Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
// SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
constexpr const char* kDefaultCaps = "00000000a80425fb";


class ConfinementTest : public ::testing::Test {
protected:
    void SetUp() override { PV_REQUIRE_ROOT(); }

    void create(const std::string& name, bool privileged = false)
    {
        json args{{"name", name}, {"argv", {"/bin/sleep", "1000"}}, {"privileged", privileged}};
        auto r = agent.call("container-create", args);
        ASSERT_TRUE(r) << r.error().describe();
        info = *r;
    }

    std::string attempt(const std::string& name, const std::string& what) { return attemptIn(agent, name, what); }

    // Runs the pidfd_getfd/ptrace thief in the container while the agent
    // execs `rounds` commands into it; returns the thief's counts.
    std::map<std::string, long> raceExecChildren(const std::string& name, int rounds, bool tryPtrace)
    {
        execIn(agent, name,
               testload() + " steal-fds /tmp/thief-stop /tmp/thief-out" + (tryPtrace ? " ptrace" : "") +
                   " </dev/null >/dev/null 2>&1 &");
        for (int i = 0; i < rounds; ++i) {
            auto r = agent.call("container-exec", {{"name", name}, {"argv", {"/bin/true"}}});
            EXPECT_TRUE(r) << r.error().describe();
        }
        std::string line = execIn(agent, name,
                                  "touch /tmp/thief-stop; i=0; while [ ! -e /tmp/thief-out ] && [ $i -lt 100 ]; "
                                  "do sleep 0.1; i=$((i+1)); done; cat /tmp/thief-out");
        std::map<std::string, long> counts;
        std::istringstream in(line);
        std::string word;
        while (in >> word) {
            auto eq = word.find('=');
            if (eq != std::string::npos)
                counts[word.substr(0, eq)] = std::stol(word.substr(eq + 1));
            else
                thiefLoot += word + " ";
        }
        EXPECT_FALSE(counts.empty()) << "the thief wrote nothing: " << line;
        return counts;
    }

    AgentHarness agent;
    json info;
    std::string thiefLoot;
};

TEST_F(ConfinementTest, ContainerProcessesHoldTheDefaultSetNoNewPrivsAndAFilter)
{
    create("caps");
    for (const std::string who : {"1", "self"}) {
        auto f = statusFields(execIn(agent, "caps", "cat /proc/" + who + "/status"));
        EXPECT_EQ(f["CapEff"], kDefaultCaps) << who;
        EXPECT_EQ(f["CapPrm"], kDefaultCaps) << who;
        EXPECT_EQ(f["CapBnd"], kDefaultCaps) << who;
        EXPECT_EQ(f["CapInh"], "0000000000000000") << who;
        EXPECT_EQ(f["CapAmb"], "0000000000000000") << who;
        EXPECT_EQ(f["NoNewPrivs"], "1") << who;
        EXPECT_EQ(f["Seccomp"], "2") << who;
    }
    auto r = agent.call("container-info", {{"name", "caps"}});
    ASSERT_TRUE(r) << r.error().describe();
    const json& c = (*r)["confinement"];
    EXPECT_EQ(c["privileged"], false);
    EXPECT_EQ(c["seccomp"], "default");
    EXPECT_EQ(c["no_new_privs"], true);
    EXPECT_EQ(c["capabilities"].size(), 14u);
    EXPECT_NE(std::find(c["masked_paths"].begin(), c["masked_paths"].end(), "/proc/kcore"), c["masked_paths"].end());
    // The device filter as the kernel has it: on a cgroup v2 host the
    // container has a cgroup and an eBPF program on it; without one (this
    // CI host: cgroup v1) it has neither, and info says so.
    EXPECT_EQ(c["devices"], (*r)["cgroup"].get<std::string>().empty() ? "unfiltered" : "default") << r->dump();
}

// Its own cgroup namespace, rooted at its cgroup: the first process and an
// exec child both see themselves at the root of every hierarchy, and not
// in the agent's cgroup namespace.
TEST_F(ConfinementTest, ContainersHaveTheirOwnCgroupNamespaceRootedAtTheirCgroup)
{
    create("cgns");
    for (const std::string who : {"1", "self"}) {
        std::string cgroups = execIn(agent, "cgns", "cat /proc/" + who + "/cgroup");
        ASSERT_FALSE(cgroups.empty()) << who;
        std::istringstream in(cgroups);
        for (std::string line; std::getline(in, line);)
            EXPECT_EQ(line.substr(line.rfind(':')), ":/") << who << ": " << cgroups;
    }
    std::string inside = execIn(agent, "cgns", "readlink /proc/1/ns/cgroup");
    char mine[64] = {};
    ASSERT_GT(::readlink("/proc/self/ns/cgroup", mine, sizeof mine - 1), 0);
    EXPECT_NE(inside, std::string(mine) + "\n") << "the container shares the agent's cgroup namespace";
    EXPECT_EQ(execIn(agent, "cgns", "readlink /proc/self/ns/cgroup"), inside) << "exec joins it";
}

TEST_F(ConfinementTest, EscapesFailAndChangeNothing)
{
    create("jail");
    const std::string corePattern = readFile("/proc/sys/kernel/core_pattern");
    const std::string mountsBefore = execIn(agent, "jail", "wc -l < /proc/self/mounts");
    const std::map<std::string, std::string> expected = {
        {"core-pattern", "EROFS"},     {"mknod-block", "EPERM"},
        {"mknod-char", "EPERM"},       {"mount-proc", "EPERM"},      {"mount-sysfs", "EPERM"},
        {"mount-tmpfs", "EPERM"},      {"umount:/proc", "EPERM"},    {"umount:/dev", "EPERM"},
        {"umount:/sys", "EPERM"},      {"umount:/proc/kcore", "EPERM"}, {"umount:/proc/sys", "EPERM"},
        {"umount:/", "EPERM"},         {"unshare-user", "EPERM"},    {"clone-newuser", "EPERM"},
        {"setns-mnt", "EPERM"},        {"finit-module", "EPERM"},    {"clock-settime", "EPERM"},
    };
    for (const auto& [what, answer] : expected)
        EXPECT_EQ(attempt("jail", what), answer) << what;
    EXPECT_EQ(readFile("/proc/sys/kernel/core_pattern"), corePattern);
    // Masked: empty; read-only: /sys and /proc/sys.
    EXPECT_EQ(execIn(agent, "jail", "wc -c < /proc/timer_list; ls -A /sys/firmware | wc -l"), "0\n0\n");
    EXPECT_EQ(execIn(agent, "jail", "grep -E ' /(sys|proc/sys) ' /proc/self/mounts | cut -d' ' -f2,4 | cut -c1-12"),
              "/sys ro,nosu\n/proc/sys ro\n");
    if (std::filesystem::exists("/proc/sysrq-trigger")) {
        EXPECT_EQ(attempt("jail", "sysrq-trigger"), "EROFS");
    }
    // Nothing the attempts could have left behind.
    EXPECT_EQ(execIn(agent, "jail", "test -e /tmp/pv-escape-node && echo left || echo clean"), "clean\n");
    EXPECT_EQ(execIn(agent, "jail", "wc -l < /proc/self/mounts"), mountsBefore);
}

TEST_F(ConfinementTest, TheAgentsStateDirectoryIsNotInTheContainersView)
{
    create("peek");
    const std::string state = agent.stateDir();
    ASSERT_TRUE(std::filesystem::exists(state + "/agent.lock"));
    EXPECT_EQ(execIn(agent, "peek", "ls -d " + state + " 2>&1 | grep -c 'No such file'"), "1\n");
    EXPECT_EQ(execIn(agent, "peek", "ls -A " + agent.dir().string() + " | grep -cx state || true"), "0\n");
    // Nothing to unmount, and a directory made there is new and empty.
    EXPECT_EQ(execIn(agent, "peek", "cut -d' ' -f2 /proc/self/mounts | grep -c " + state + " || true"), "0\n");
    EXPECT_EQ(execIn(agent, "peek", "mkdir -p " + state + " && ls -A " + state + " | wc -l"), "0\n");
    EXPECT_EQ(execIn(agent, "peek", "cat " + state + "/containers/peek/container.json 2>&1 | grep -c 'No such'"),
              "1\n");
    // The parents look as they do outside (mode and owner, as a copy-up).
    struct stat tmp {};
    ASSERT_EQ(::stat("/tmp", &tmp), 0);
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o\n", tmp.st_mode & 07777);
    EXPECT_EQ(execIn(agent, "peek", "stat -c %a /tmp"), mode);
}

TEST_F(ConfinementTest, ExecChildrenCannotBeRobbedOrTracedInTheRace)
{
    create("race");
    auto counts = raceExecChildren("race", 200, true);
    EXPECT_GT(counts["seen"], 0) << "the thief never saw an exec child: the race was not run";
    EXPECT_EQ(counts["getfd_ok"], 0) << thiefLoot;
    EXPECT_EQ(counts["ptrace_ok"], 0);
    EXPECT_EQ(counts["files"], 0) << thiefLoot;
    EXPECT_EQ(counts["getfd_eperm"], counts["seen"]);
}

// Privileged: no filter, CAP_SYS_PTRACE; what stops a thief there is that
// the child holds nothing of the agent's, closed before it can be seen.
TEST_F(ConfinementTest, ExecChildrenOfAPrivilegedContainerHoldNoAgentDescriptor)
{
    create("racep", true);
    auto counts = raceExecChildren("racep", 200, false);
    EXPECT_GT(counts["seen"], 0) << "the thief never saw an exec child: the race was not run";
    EXPECT_GT(counts["getfd_ok"], 0) << "privileged, the thief takes the command's own pipes";
    // After exec the command holds its own files (the loader's); before it,
    // nothing of the agent's: its log (stderr), lock, socket, pidfds.
    for (const std::string& agentThing : {agent.dir().string(), std::string("socket:"), std::string("pidfd")})
        EXPECT_EQ(thiefLoot.find(agentThing), std::string::npos) << "stolen: " << thiefLoot;
}

TEST_F(ConfinementTest, APrivilegedContainerCanDoWhatContainersDidBefore)
{
    create("free", true);
    auto f = statusFields(execIn(agent, "free", "cat /proc/self/status"));
    // The agent's own set: whatever this host lets root keep.
    EXPECT_EQ(f["CapEff"], statusFields(readFile("/proc/" + std::to_string(agent.pid()) + "/status"))["CapEff"]);
    EXPECT_EQ(f["NoNewPrivs"], "0");
    EXPECT_EQ(f["Seccomp"], "0");
    for (const std::string what : {"mknod-block", "mount-tmpfs", "mount-proc", "unshare-user"})
        EXPECT_EQ(attempt("free", what), "ok") << what;
    EXPECT_NE(execIn(agent, "free", "wc -c < /proc/timer_list"), "0\n");
    auto r = agent.call("container-info", {{"name", "free"}});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ((*r)["confinement"]["privileged"], true);
    EXPECT_EQ((*r)["confinement"]["seccomp"], "none");
    EXPECT_EQ((*r)["confinement"]["devices"], "all");
    EXPECT_EQ((*r)["spec"]["privileged"], true);
    // Still: the state directory is not there.
    EXPECT_EQ(execIn(agent, "free", "ls -d " + agent.stateDir() + " 2>&1 | grep -c 'No such file'"), "1\n");
}

} // namespace
