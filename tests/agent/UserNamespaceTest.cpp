// --userns containers of the real agent: the container's root is a range of
// the VM's uids (its processes run as BASE outside), its files are on disk
// as it sees them (idmapped layers), exec joins its user namespace, ranges
// do not overlap, and even privileged it cannot reach what the VM's root
// owns (the kernel's sysctls, modules, the clock, device nodes).
#include "AgentHarness.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;

namespace {

// "Uid" -> "100000\t100000\t100000\t100000" from /proc/PID/status.
std::string statusField(int pid, const std::string& field)
{
    return statusFields(readFile("/proc/" + std::to_string(pid) + "/status"))[field];
}

class UserNamespaceTest : public ::testing::Test {
protected:
    void SetUp() override { PV_REQUIRE_ROOT(); }

    json create(const std::string& name, json userns = json::object(), bool privileged = false)
    {
        json args{{"name", name}, {"argv", {"/bin/sleep", "1000"}}, {"userns", userns}, {"privileged", privileged}};
        auto r = agent.call("container-create", args);
        EXPECT_TRUE(r) << r.error().describe();
        return r ? *r : json();
    }

    std::string attempt(const std::string& name, const std::string& what) { return attemptIn(agent, name, what); }

    std::string upper(const std::string& name) const
    {
        return agent.stateDir() + "/containers/" + name + "/upper";
    }

    AgentHarness agent;
};

TEST_F(UserNamespaceTest, ItsRootIsARangeOfTheVmsUidsAndSaysSo)
{
    json info = create("mapped");
    ASSERT_FALSE(info.is_null());
    EXPECT_EQ(info["spec"]["userns"], (json{{"base", 100000}, {"size", 65536}}));
    // As the kernel has it, not as the record says.
    EXPECT_EQ(info["confinement"]["userns"], (json{{"base", 100000}, {"size", 65536}}));
    EXPECT_EQ(info["pid_space"], "clone3");
    EXPECT_EQ(execIn(agent, "mapped", "awk '{print $1, $2, $3}' /proc/self/uid_map /proc/self/gid_map; id -u; id -g"),
              "0 100000 65536\n0 100000 65536\n0\n0\n");
    int pid = info["init_pid"].get<int>();
    EXPECT_EQ(statusField(pid, "Uid"), "100000\t100000\t100000\t100000");
    EXPECT_EQ(statusField(pid, "Gid"), "100000\t100000\t100000\t100000");
    // Confined as any container is, inside its namespace.
    EXPECT_EQ(statusField(pid, "CapEff"), "00000000a80425fb");
    EXPECT_EQ(statusField(pid, "NoNewPrivs"), "1");
    EXPECT_EQ(statusField(pid, "Seccomp"), "2");

    auto shown = agent.call("container-info", {{"name", "mapped"}});
    ASSERT_TRUE(shown) << shown.error().describe();
    EXPECT_EQ((*shown)["confinement"]["userns"]["base"], 100000);
}

TEST_F(UserNamespaceTest, FilesAreOnDiskAsTheContainerSeesThem)
{
    ASSERT_FALSE(create("files").is_null());
    // The VM's files are its root's; what it makes is on disk with its own
    // ids, not shifted by the base.
    EXPECT_EQ(execIn(agent, "files", "stat -c %u:%g / /etc/passwd"), "0:0\n0:0\n");
    EXPECT_EQ(execIn(agent, "files",
                     "echo made > /made && mkdir /srv-1000 && chown 1000:1001 /srv-1000 && "
                     "echo copied >> /etc/hostname.pv-test && stat -c %u:%g /made /srv-1000"),
              "0:0\n1000:1001\n");
    struct stat made {}, dir {};
    ASSERT_EQ(::stat((upper("files") + "/made").c_str(), &made), 0);
    EXPECT_EQ(made.st_uid, 0u);
    EXPECT_EQ(made.st_gid, 0u);
    ASSERT_EQ(::stat((upper("files") + "/srv-1000").c_str(), &dir), 0);
    EXPECT_EQ(dir.st_uid, 1000u);
    EXPECT_EQ(dir.st_gid, 1001u);
    EXPECT_FALSE(std::filesystem::exists("/etc/hostname.pv-test")) << "a write reached the VM's own root";
    // The image's user (here: a uid given) is a mapped uid too.
    EXPECT_EQ(execIn(agent, "files", "su -s /bin/sh -c 'id -u' nobody 2>/dev/null || echo none"),
              execIn(agent, "files", "id -u nobody 2>/dev/null || echo none"));
}

TEST_F(UserNamespaceTest, ExecJoinsItsUserNamespaceAsItsRoot)
{
    ASSERT_FALSE(create("joined").is_null());
    EXPECT_EQ(execIn(agent, "joined", "awk '{print $2}' /proc/self/uid_map; id -u; touch /by-exec; stat -c %u /by-exec"),
              "100000\n0\n0\n");
    // Seen from the VM, the exec'd command is the range's base, not root.
    EXPECT_EQ(execIn(agent, "joined", "awk '/^Uid/ {print $2}' /proc/self/status"), "0\n");
    EXPECT_EQ(execIn(agent, "joined", "readlink /proc/self/ns/user") ,
              execIn(agent, "joined", "readlink /proc/1/ns/user"));
}

TEST_F(UserNamespaceTest, RangesDoNotOverlapAndAnOverlappingOneIsRefused)
{
    ASSERT_FALSE(create("first").is_null());
    json second = create("second");
    EXPECT_EQ(second["spec"]["userns"]["base"], 165536);
    auto taken = agent.call("container-create",
                            {{"name", "third"}, {"argv", {"/bin/sleep", "1000"}}, {"userns", {{"base", 200000}}}});
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(taken.error().message.find("overlap"), std::string::npos) << taken.error().message;
    // Nothing left: the name is free for one that fits.
    EXPECT_FALSE(std::filesystem::exists(agent.stateDir() + "/containers/third"));
    json third = create("third", {{"base", 1000000}});
    EXPECT_EQ(third["spec"]["userns"]["base"], 1000000);
    auto low = agent.call("container-create",
                          {{"name", "low"}, {"argv", {"/bin/sleep", "1000"}}, {"userns", {{"base", 1000}}}});
    ASSERT_FALSE(low);
    EXPECT_EQ(low.error().code, ErrorCode::InvalidArgument) << low.error().message;
}

// Even with every capability (in its own namespace), the VM's root owns
// what matters: these are refused by the kernel, not by the filter.
TEST_F(UserNamespaceTest, PrivilegedInItsOwnNamespaceItStillCannotTouchTheVm)
{
    ASSERT_FALSE(create("root", json::object(), true).is_null());
    EXPECT_EQ(execIn(agent, "root", "awk '{print $2}' /proc/self/uid_map"), "100000\n");
    const std::map<std::string, std::string> expected = {
        {"core-pattern", "EACCES"}, {"mknod-char", "EPERM"}, {"mknod-block", "EPERM"}, {"clock-settime", "EPERM"},
    };
    for (const auto& [what, answer] : expected)
        EXPECT_EQ(attempt("root", what), answer) << what;
    // EPERM, or ENOSYS where the kernel loads no modules at all.
    EXPECT_NE(attempt("root", "finit-module"), "ok");
    // Its own mounts are its own to change (not the VM's): allowed.
    EXPECT_EQ(attempt("root", "mount-tmpfs"), "ok");
}

} // namespace

namespace {

TEST_F(UserNamespaceTest, AStartedAgainContainerKeepsItsRangeAndItsFiles)
{
    json args{{"name", "again"},
              {"argv", {"/bin/sh", "-c", "echo run >> /runs; exec sleep 1000"}},
              {"userns", json::object()}};
    auto made = agent.call("container-create", args);
    ASSERT_TRUE(made) << made.error().describe();
    auto stopped = agent.call("container-stop", {{"name", "again"}, {"timeout_ms", 200}});
    ASSERT_TRUE(stopped) << stopped.error().describe();
    // Another container meanwhile: the stopped one's range is still its own.
    json other = create("other");
    EXPECT_EQ(other["spec"]["userns"]["base"], 165536);
    auto started = agent.call("container-start", {{"name", "again"}});
    ASSERT_TRUE(started) << started.error().describe();
    EXPECT_EQ((*started)["confinement"]["userns"]["base"], 100000);
    EXPECT_EQ(execIn(agent, "again", "cat /runs; stat -c %u:%g /runs"), "run\nrun\n0:0\n");
}

// An agent killed while a --userns container's layers were attached (one is
// an idmapped copy of the VM's own root) leaves them mounted in the
// container's directory: removing the container must not reach through.
TEST_F(UserNamespaceTest, RemovingAContainerNeverReachesThroughALeftoverMount)
{
    ASSERT_FALSE(create("left").is_null());
    ASSERT_TRUE(agent.call("container-stop", {{"name", "left"}, {"timeout_ms", 200}}));
    std::filesystem::path canary = agent.dir() / "canary";
    std::filesystem::create_directories(canary / "tree");
    std::ofstream(canary / "tree" / "file") << "keep";
    std::string staged = agent.stateDir() + "/containers/left/layers/lower";
    std::filesystem::create_directories(staged);
    ASSERT_EQ(::mount(canary.c_str(), staged.c_str(), nullptr, MS_BIND, nullptr), 0) << std::strerror(errno);
    auto removed = agent.call("container-rm", {{"name", "left"}});
    ASSERT_TRUE(removed) << removed.error().describe();
    EXPECT_FALSE(std::filesystem::exists(agent.stateDir() + "/containers/left"));
    std::ifstream kept(canary / "tree" / "file");
    std::string text;
    kept >> text;
    EXPECT_EQ(text, "keep") << "removing the container deleted what a leftover mount showed";
}

} // namespace
