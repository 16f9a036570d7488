// The pidvisor CLI against real VMs: create, handshake, containers with
// private pid spaces, exec, console, stop/start, destroy and rm; a domain
// deleted behind the manager's back; a manager killed mid-request; the
// libvirt-stream transport used for remote hosts.
#include "VmHarness.h"

#include "inventory/Inventory.h"

#include <signal.h>
#include <sys/wait.h>

#include <thread>

using namespace pidvisor::test;
using nlohmann::json;

namespace {

class VmCli : public ::testing::Test {
protected:
    void SetUp() override { PV_REQUIRE_LIBVIRT(); }
};

json waitForSleepers(const VmHarness& h, const std::string& vm, const std::string& c, std::size_t count)
{
    json procs;
    for (int i = 0; i < 100; ++i) {
        procs = h.ok({"container", "ps", vm, c});
        std::size_t sleeping = 0;
        for (const auto& p : procs)
            sleeping += p.value("comm", "") == "sleep";
        if (sleeping >= count)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return procs;
}

// The inventory's process count for a container, -1 when it has no row.
std::int64_t storedProcessCount(const VmHarness& h, const std::string& vm, const std::string& container)
{
    auto inventory = pidvisor::manager::Inventory::open(h.db());
    if (!inventory)
        return -1;
    using namespace pidvisor::manager;
    for (const auto& v : inventory->vms().value_or(std::vector<VmRecord>{})) {
        if (v.name != vm)
            continue;
        for (const auto& c : inventory->containers(v.id).value_or(std::vector<ContainerRecord>{}))
            if (c.name == container)
                return c.processCount;
    }
    return -1;
}

} // namespace

TEST_F(VmCli, CreateHandshakeContainersExecStopStartRemove)
{
    VmHarness h;
    std::string vm = h.name("life");
    json created = h.ok({"vm", "create", vm, "--accel", "tcg", "--memory", "512", "--disk", "64"});
    ASSERT_FALSE(created.is_null());
    EXPECT_EQ(created["state"], "running");
    EXPECT_EQ(created["accel"], "tcg");
    EXPECT_GT(created["boot_to_ready_ms"].get<int>(), 0);
    EXPECT_FALSE(created["agent_version"].get<std::string>().empty());

    // An ordinary libvirt domain, with our metadata.
    CliRun dumpxml = h.virsh({"dumpxml", vm});
    EXPECT_NE(dumpxml.out.find("https://pidvisor.dev/xmlns/vm/1"), std::string::npos);
    EXPECT_NE(dumpxml.out.find("org.pidvisor.agent.0"), std::string::npos);

    json listed = h.ok({"vm", "list"});
    ASSERT_EQ(listed.size(), 1u);
    for (const char* field : {"name", "state", "accel", "kernel"})
        EXPECT_TRUE(listed[0].contains(field)) << field;

    h.ok({"container", "create", vm, "web", "--", "/bin/sh", "-c", "sleep 1000 & sleep 1000"});
    json procs = waitForSleepers(h, vm, "web", 2);
    ASSERT_GE(procs.size(), 2u);
    EXPECT_EQ(procs[0]["vpid"], 1);
    EXPECT_NE(procs[0]["pid"], 1);
    EXPECT_EQ(procs[1]["vppid"], 1);
    for (const char* field : {"vpid", "pid", "vppid", "comm", "state", "cmdline"})
        EXPECT_TRUE(procs[0].contains(field)) << field;

    // `container list` and `reconcile` store the agent's process count
    // (they used to write 0 over what the GUI had stored).
    h.ok({"container", "list", vm});
    EXPECT_EQ(storedProcessCount(h, vm, "web"), static_cast<std::int64_t>(procs.size()));
    h.ok({"reconcile"});
    EXPECT_EQ(storedProcessCount(h, vm, "web"), static_cast<std::int64_t>(procs.size()));

    json exec = h.ok({"container", "exec", vm, "web", "--", "/bin/sh", "-c", "echo $$; hostname"});
    EXPECT_EQ(exec["exit_code"], 0);
    std::string out = exec["stdout"];
    ASSERT_NE(out.find('\n'), std::string::npos) << out;
    int innerPid = std::stoi(out.substr(0, out.find('\n')));
    EXPECT_GT(innerPid, 1);
    EXPECT_LT(innerPid, 10) << "the exec'd shell gets a small pid of the container's own";
    EXPECT_EQ(out.substr(out.find('\n') + 1), "web\n");

    json guest = h.ok({"vm", "exec", vm, "--", "uname", "-r"});
    EXPECT_EQ(guest["exit_code"], 0);
    EXPECT_EQ(guest["stdout"].get<std::string>(), created["kernel_release"].get<std::string>() + "\n");

    CliRun log = h.pidvisor({"vm", "console", vm, "--log"});
    EXPECT_EQ(log.code, 0);
    EXPECT_NE(log.out.find("READY"), std::string::npos) << log.out;

    // A clean stop, then a start: the state on the data disk survives,
    // the container's processes do not, and nothing is silently lost.
    json stopped = h.ok({"vm", "stop", vm, "--timeout", "60"});
    EXPECT_EQ(stopped["stopped"], "powered off by its agent");
    EXPECT_EQ(h.ok({"vm", "show", vm})["state"], "shut off");
    h.ok({"vm", "start", vm});
    json after = h.ok({"container", "list", vm});
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0]["name"], "web");
    EXPECT_EQ(after[0]["state"], "stopped");

    h.ok({"vm", "destroy", vm});
    h.ok({"vm", "rm", vm});
    EXPECT_NE(h.virsh({"dominfo", vm}).code, 0) << "domain still defined after rm";
    EXPECT_TRUE(h.ok({"vm", "list"}).empty());
    json ops = h.ok({"ops"});
    ASSERT_FALSE(ops.empty());
    EXPECT_EQ(ops[0]["kind"], "vm.rm");
    EXPECT_EQ(ops[0]["result"], "ok");
}

TEST_F(VmCli, LimitsWorkInsideTheVm)
{
    VmHarness h;
    std::string vm = h.name("lim");
    h.ok({"vm", "create", vm, "--accel", "tcg"});
    json c = h.ok({"container", "create", vm, "box", "--memory", "64", "--pids", "20", "--", "/bin/sleep", "1000"});
    std::string cgroup = c["cgroup"];
    ASSERT_FALSE(cgroup.empty());
    json mem = h.ok({"vm", "exec", vm, "--", "cat", cgroup + "/memory.max", cgroup + "/pids.max"});
    EXPECT_EQ(mem["stdout"], std::to_string(64 * 1024 * 1024) + "\n20\n");
    // A fork bomb stops at the pids limit: the shell cannot fork past it.
    CliRun bomb = h.pidvisor({"--json", "container", "exec", vm, "box", "--", "/bin/sh", "-c",
                              "for i in $(seq 40); do sleep 30 & done"});
    EXPECT_EQ(bomb.code, 2) << bomb.out << bomb.err;
    json procs = h.ok({"container", "ps", vm, "box"});
    EXPECT_GE(procs.size(), 15u);
    EXPECT_LE(procs.size(), 20u) << procs.dump();
}

TEST_F(VmCli, DomainDeletedBehindOurBackIsMarkedMissing)
{
    VmHarness h;
    std::string vm = h.name("gone");
    h.ok({"vm", "create", vm, "--accel", "tcg"});
    ASSERT_EQ(h.virsh({"destroy", vm}).code, 0);
    ASSERT_EQ(h.virsh({"undefine", vm}).code, 0);
    json list = h.ok({"vm", "list"});
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["state"], "missing");
    EXPECT_TRUE(list[0]["missing"].get<bool>());
    CliRun rm = h.pidvisor({"vm", "rm", vm});
    EXPECT_EQ(rm.code, 0) << rm.err;
    EXPECT_TRUE(h.ok({"vm", "list"}).empty());
}

TEST_F(VmCli, ManagerKilledMidRequestReconnects)
{
    VmHarness h;
    std::string vm = h.name("restart");
    h.ok({"vm", "create", vm, "--accel", "tcg"});
    h.ok({"container", "create", vm, "app", "--", "/bin/sleep", "1000"});

    // A manager busy with a long request dies by SIGKILL.
    pid_t pid = ::fork();
    if (pid == 0) {
        (void)h.pidvisor({"container", "exec", vm, "app", "--", "/bin/sleep", "60"});
        ::_exit(0);
    }
    std::this_thread::sleep_for(std::chrono::seconds(4));
    ::system(("pkill -9 -f 'pidvisor --db " + h.db() + " container exec'").c_str());
    ::waitpid(pid, nullptr, 0);

    // A new manager finds the VM and talks to its agent again.
    json procs = h.ok({"container", "ps", vm, "app"});
    ASSERT_FALSE(procs.empty());
    EXPECT_EQ(procs[0]["vpid"], 1);
    json ops = h.ok({"ops"});
    bool interrupted = false;
    for (const auto& o : ops)
        interrupted = interrupted || (o["kind"] == "container.exec" && o["result"] == "error" &&
                                      o["error_message"].get<std::string>().find("interrupted") != std::string::npos);
    EXPECT_TRUE(interrupted) << ops.dump(2);
}

TEST_F(VmCli, AgentReachableThroughALibvirtStream)
{
    VmHarness h;
    std::string vm = h.name("stream");
    h.ok({"vm", "create", vm, "--accel", "tcg"});
    json c = h.ok({"--agent-transport", "stream", "container", "create", vm, "s1", "--", "/bin/sleep", "100"});
    EXPECT_EQ(c["state"], "running");
    json procs = h.ok({"--agent-transport", "stream", "container", "ps", vm, "s1"});
    ASSERT_EQ(procs.size(), 1u);
    EXPECT_EQ(procs[0]["vpid"], 1);
}
