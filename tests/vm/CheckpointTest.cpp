// Checkpoint and restore against real VMs and real CRIU: a tree of
// processes (counters in files, a pipe, a 64 MiB buffer with a known
// checksum) checkpointed in one VM and restored in another with the same
// virtual pids; live migration; and every way it may fail without losing
// the container or its checkpoint.
#include "VmHarness.h"

#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace pidvisor::test;
using nlohmann::json;

namespace {

// Kills the agent from a background child of the exec'd shell: the shell
// itself dies with the exec's intermediate (a pidvisor-agent process too),
// a child it forks does not (the parent-death signal is not inherited).
constexpr const char* kKillAgent =
    "sh -c 'kill -9 $(pidof pidvisor-agent)' </dev/null >/dev/null 2>&1 &";


// pid 1 counts; 2 writes a pipe that 3 reads; 4 holds 64 MiB.
const std::vector<std::string> kWorkload{
    "/bin/sh", "-c",
    "pidvisor-testload pipe-writer | pidvisor-testload pipe-reader /tmp/pipe & "
    "pidvisor-testload memory 64 /tmp & exec pidvisor-testload counter /tmp/counter"};

class Checkpoints : public ::testing::Test {
protected:
    void SetUp() override { PV_REQUIRE_LIBVIRT(); }
};

long readNumber(const VmHarness& h, const std::string& vm, const std::string& c, const std::string& file)
{
    json r = h.ok({"container", "exec", vm, c, "--", "cat", file});
    return r.is_null() ? -1 : std::stol(r.value("stdout", "-1"));
}

// `flags`: more `container create` options (--userns, --network none, ...).
json startWorkload(const VmHarness& h, const std::string& vm, const std::string& name,
                   const std::vector<std::string>& flags = {})
{
    std::vector<std::string> create{"container", "create", vm, name};
    create.insert(create.end(), flags.begin(), flags.end());
    create.insert(create.end(), {"--", kWorkload[0], kWorkload[1], kWorkload[2]});
    h.ok(create);
    json procs;
    for (int i = 0; i < 100; ++i) {
        procs = h.ok({"container", "ps", vm, name});
        CliRun mem = h.pidvisor({"container", "exec", vm, name, "--", "cat", "/tmp/expected"});
        if (procs.size() == 4 && mem.code == 0 && readNumber(h, vm, name, "/tmp/counter") > 3)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return procs;
}

// Same virtual pids, same parents, same programs.
void expectSameTree(const json& before, const json& after)
{
    ASSERT_EQ(before.size(), after.size()) << before.dump() << "\n" << after.dump();
    for (std::size_t i = 0; i < before.size(); ++i) {
        EXPECT_EQ(before[i]["vpid"], after[i]["vpid"]);
        EXPECT_EQ(before[i]["vppid"], after[i]["vppid"]);
        EXPECT_EQ(before[i]["cmdline"], after[i]["cmdline"]);
    }
}

void expectCarriesOn(const VmHarness& h, const std::string& vm, const std::string& c, long counterBefore)
{
    long c1 = readNumber(h, vm, c, "/tmp/counter");
    EXPECT_GE(c1, counterBefore) << "the counter restarted instead of carrying on";
    EXPECT_LT(c1, counterBefore + 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    EXPECT_GT(readNumber(h, vm, c, "/tmp/counter"), c1) << "the restored counter does not count";
    json pipe = h.ok({"container", "exec", vm, c, "--", "cat", "/tmp/pipe"});
    std::string p1 = pipe.value("stdout", "");
    EXPECT_NE(p1.find(" ok"), std::string::npos) << "the pipe lost data: " << p1;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::string p2 = h.ok({"container", "exec", vm, c, "--", "cat", "/tmp/pipe"}).value("stdout", "");
    EXPECT_GT(std::stol(p2), std::stol(p1)) << "nothing flows through the restored pipe";
    json sum = h.ok({"container", "exec", vm, c, "--", "/bin/sh", "-c",
                     "rm -f /tmp/actual; kill -USR1 4; while [ ! -f /tmp/actual ]; do sleep 0.2; done; "
                     "cat /tmp/expected /tmp/actual"});
    std::string out = sum.value("stdout", "");
    auto nl = out.find('\n');
    ASSERT_NE(nl, std::string::npos) << out;
    EXPECT_EQ(out.substr(0, nl + 1), out.substr(nl + 1)) << "the 64 MiB buffer changed";
}

} // namespace

TEST_F(Checkpoints, CheckpointInOneVmRestoreInAnotherWithTheSameVirtualPids)
{
    VmHarness h;
    std::string vm1 = h.name("cp1"), vm2 = h.name("cp2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    json before = startWorkload(h, vm1, "tree");
    ASSERT_EQ(before.size(), 4u) << before.dump();
    long counter = readNumber(h, vm1, "tree", "/tmp/counter");

    json cp = h.ok({"container", "checkpoint", vm1, "tree", "--tag", "first"});
    ASSERT_FALSE(cp.is_null());
    for (const char* field : {"id", "path", "size", "sha256", "pid_map"})
        EXPECT_TRUE(cp.contains(field)) << field;
    EXPECT_EQ(cp["pid_map"].size(), 4u);
    EXPECT_GT(cp["size"].get<long>(), 64L << 20);
    // Without --leave-running the container ended once the checkpoint was safe.
    json info = h.ok({"container", "info", vm1, "tree"});
    EXPECT_EQ(info["state"], "stopped");
    EXPECT_EQ(info["checkpointed_as"], cp["id"]);

    json restored = h.ok({"container", "restore", cp["id"], "--vm", vm2});
    EXPECT_EQ(restored["state"], "running");
    expectSameTree(before, h.ok({"container", "ps", vm2, "tree"}));
    json after = h.ok({"container", "ps", vm2, "tree"});
    // Two VMs booted alike may hand out the same global pids, so only the
    // virtual-vs-global split is checked: the root runs as virtual pid 1
    // under a global pid of the new VM that is not 1.
    EXPECT_EQ(after[0]["vpid"], 1);
    EXPECT_NE(after[0]["pid"], after[0]["vpid"]) << "the root's global pid is its virtual one";
    expectCarriesOn(h, vm2, "tree", counter);

    json listed = h.ok({"checkpoint", "list"});
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0]["id"], cp["id"]);
    json shown = h.ok({"checkpoint", "show", cp["id"]});
    EXPECT_EQ(shown["pid_map"], cp["pid_map"]);
    EXPECT_EQ(h.ok({"checkpoint", "verify", cp["id"]})["verified"], true);
}

TEST_F(Checkpoints, RefusalsLeaveEverythingAsItWas)
{
    VmHarness h;
    std::string vm1 = h.name("rf1"), vm2 = h.name("rf2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    startWorkload(h, vm1, "svc");
    json cp = h.ok({"container", "checkpoint", vm1, "svc", "--leave-running"});
    EXPECT_EQ(h.ok({"container", "info", vm1, "svc"})["state"], "running");

    // The name exists in the target.
    CliRun taken = h.pidvisor({"container", "restore", cp["id"], "--vm", vm1});
    EXPECT_NE(taken.code, 0);
    EXPECT_NE(taken.err.find("already_exists: container 'svc' already exists in VM '" + vm1 + "'"), std::string::npos)
        << taken.err;

    // One flipped byte in any file: refused before anything is restored, naming the file.
    std::string file = cp["path"].get<std::string>() + "/images/inventory.img";
    {
        std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(3);
        char c = 0;
        f.read(&c, 1);
        f.seekp(3);
        c = static_cast<char>(c ^ 0x20);
        f.write(&c, 1);
    }
    CliRun corrupt = h.pidvisor({"container", "restore", cp["id"], "--vm", vm2});
    EXPECT_NE(corrupt.code, 0);
    EXPECT_NE(corrupt.err.find("images/inventory.img is corrupt"), std::string::npos) << corrupt.err;
    EXPECT_TRUE(h.ok({"container", "list", vm2}).empty()) << "a corrupt checkpoint left something behind";
    CliRun verify = h.pidvisor({"checkpoint", "verify", cp["id"]});
    EXPECT_NE(verify.code, 0);
    EXPECT_EQ(h.ok({"checkpoint", "show", cp["id"]})["status"], "corrupt");

    // The same inside the VM, through the agent's CLI: the agent hashed
    // this checkpoint itself and skips hashing unchanged files on restore,
    // so a byte changed afterwards must still be caught.
    h.ok({"vm", "exec", vm1, "--", "pidvisor-agent", "container", "checkpoint", "svc", "--leave-running", "--id",
          "local1"});
    h.ok({"vm", "exec", vm1, "--", "/bin/sh", "-c",
          "f=/var/lib/pidvisor/checkpoints/local1/images/inventory.img; "
          "b=$(dd if=$f bs=1 skip=3 count=1 2>/dev/null | od -An -tx1 | tr -d ' '); "
          "if [ \"$b\" = 58 ]; then c=Y; else c=X; fi; printf $c | dd of=$f bs=1 seek=3 conv=notrunc"});
    CliRun inVm = h.pidvisor(
        {"--json", "vm", "exec", vm1, "--", "pidvisor-agent", "container", "restore", "local1", "--name", "again"});
    EXPECT_NE(inVm.code, 0);
    EXPECT_NE(inVm.out.find("images/inventory.img is corrupt"), std::string::npos) << inVm.out << inVm.err;
    EXPECT_EQ(h.ok({"container", "list", vm1}).size(), 1U) << "a corrupt checkpoint left something behind";

    // An older CRIU at the target than the checkpoint's.
    json cp2 = h.ok({"container", "checkpoint", vm1, "svc", "--leave-running"});
    std::string manifestPath = cp2["path"].get<std::string>() + "/manifest.json";
    json manifest;
    {
        std::ifstream in(manifestPath);
        manifest = json::parse(in);
    }
    manifest["criu_version"] = "99.0.0";
    std::ofstream(manifestPath) << manifest.dump();
    CliRun older = h.pidvisor({"container", "restore", cp2["id"], "--vm", vm2});
    EXPECT_NE(older.code, 0);
    EXPECT_NE(older.err.find("unsupported: VM '" + vm2 + "' has CRIU 4.1.1, older than the checkpoint's 99.0.0"),
              std::string::npos)
        << older.err;

    // A target without CRIU.
    h.ok({"vm", "exec", vm2, "--", "/bin/sh", "-c", "mv /usr/sbin/criu /usr/sbin/criu.off"});
    (void)h.pidvisor({"vm", "exec", vm2, "--timeout", "3", "--", "/bin/sh", "-c", kKillAgent});
    // Until the restarted agent answers (each refusal changes nothing).
    CliRun nocriu;
    for (int i = 0; i < 20; ++i) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        nocriu = h.pidvisor({"container", "restore", cp2["id"], "--vm", vm2});
        if (nocriu.err.find("has no CRIU") != std::string::npos)
            break;
    }
    EXPECT_NE(nocriu.code, 0);
    EXPECT_NE(nocriu.err.find("unsupported: VM '" + vm2 + "' has no CRIU"), std::string::npos) << nocriu.err;
    EXPECT_TRUE(h.ok({"container", "list", vm2}).empty());
}

TEST_F(Checkpoints, AgentKilledMidCheckpointLosesNothing)
{
    VmHarness h;
    std::string vm = h.name("kill");
    h.ok({"vm", "create", vm, "--accel", "tcg", "--memory", "768"});
    json before = startWorkload(h, vm, "job");
    json first = h.ok({"container", "checkpoint", vm, "job", "--leave-running"});

    pid_t child = ::fork();
    if (child == 0) {
        CliRun r = h.pidvisor({"container", "checkpoint", vm, "job"});
        ::_exit(r.code == 0 ? 0 : 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    (void)h.pidvisor({"vm", "exec", vm, "--timeout", "3", "--", "/bin/sh", "-c", kKillAgent});
    int status = 0;
    ::waitpid(child, &status, 0);
    bool checkpointed = WIFEXITED(status) && WEXITSTATUS(status) == 0;

    // Either the checkpoint completed (and then the container ended), or the
    // container still runs where it was; and the earlier checkpoint is intact.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    json info = h.ok({"container", "info", vm, "job"});
    json list = h.ok({"checkpoint", "list"});
    if (checkpointed) {
        EXPECT_EQ(list.size(), 2u);
        EXPECT_EQ(info["state"], "stopped");
    } else {
        EXPECT_EQ(info["state"], "running") << info.dump();
        expectSameTree(before, h.ok({"container", "ps", vm, "job"}));
        EXPECT_EQ(list.size(), 1u) << "a failed checkpoint must not be recorded: " << list.dump();
    }
    EXPECT_EQ(h.ok({"checkpoint", "verify", first["id"]})["verified"], true);
}

TEST_F(Checkpoints, LiveMigrationKeepsPidsAndReportsDowntime)
{
    VmHarness h;
    std::string vm1 = h.name("lm1"), vm2 = h.name("lm2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    json before = startWorkload(h, vm1, "mover");
    long counter = readNumber(h, vm1, "mover", "/tmp/counter");
    json report = h.ok({"container", "migrate", vm1, "mover", "--to", vm2, "--live"});
    ASSERT_FALSE(report.is_null());
    EXPECT_TRUE(report["live"].get<bool>());
    EXPECT_GE(report["rounds"].size(), 2u);
    EXPECT_GT(report["downtime_ms"].get<long>(), 0);
    EXPECT_GT(report["rounds"][0]["bytes"].get<long>(), 32L << 20) << "the first round copies the memory";
    expectSameTree(before, h.ok({"container", "ps", vm2, "mover"}));
    expectCarriesOn(h, vm2, "mover", counter);
    // Moved: it is no longer in the source VM.
    EXPECT_TRUE(h.ok({"container", "list", vm1}).empty());
}

TEST_F(Checkpoints, SourceVmDestroyedMidMigrationEndsRestoredAtTheTarget)
{
    VmHarness h;
    std::string vm1 = h.name("sd1"), vm2 = h.name("sd2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    json before = startWorkload(h, vm1, "fragile");
    std::string pauseFile = "/tmp/pv-pause-" + std::to_string(::getpid());
    std::filesystem::remove(pauseFile);
    pid_t child = ::fork();
    if (child == 0) {
        CliRun r = h.pidvisor({"--json", "container", "migrate", vm1, "fragile", "--to", vm2},
                              {"PIDVISOR_TEST_PAUSE=after-transfer", "PIDVISOR_TEST_PAUSE_FILE=" + pauseFile});
        ::_exit(r.code == 0 ? 0 : 1);
    }
    for (int i = 0; i < 600 && !std::filesystem::exists(pauseFile); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(std::filesystem::exists(pauseFile)) << "the migration never reached the pause point";
    ASSERT_EQ(h.virsh({"destroy", vm1}).code, 0);
    std::filesystem::remove(pauseFile);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the migration did not complete";
    expectSameTree(before, h.ok({"container", "ps", vm2, "fragile"}));
    json list = h.ok({"checkpoint", "list"});
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(h.ok({"checkpoint", "verify", list[0]["id"]})["verified"], true);
    EXPECT_EQ(h.ok({"vm", "show", vm1})["state"], "shut off");
}

// --userns: CRIU dumps the user namespace and restores it with the same map
// (the base travels in the checkpoint's spec), the container's files come
// back owned as it saw them, and exec joins the restored namespace.
TEST_F(Checkpoints, AUserNamespacedContainerRestoresInAnotherVmWithItsRange)
{
    VmHarness h;
    std::string vm1 = h.name("un1"), vm2 = h.name("un2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    // Loopback only: the copy below must meet the range check, not the address one.
    json before = startWorkload(h, vm1, "mapped", {"--userns", "--network", "none"});
    ASSERT_EQ(before.size(), 4u) << before.dump();
    json info = h.ok({"container", "info", vm1, "mapped"});
    EXPECT_EQ(info["confinement"]["userns"], (json{{"base", 100000}, {"size", 65536}}));
    const std::string idScript = "awk '{print $1, $2, $3}' /proc/self/uid_map; stat -c %u:%g /tmp/counter /srv-owned";
    h.ok({"container", "exec", vm1, "mapped", "--", "/bin/sh", "-c", "mkdir /srv-owned && chown 1000:1000 /srv-owned"});
    std::string ids = h.ok({"container", "exec", vm1, "mapped", "--", "/bin/sh", "-c", idScript}).value("stdout", "");
    EXPECT_EQ(ids, "0 100000 65536\n0:0\n1000:1000\n");
    long counter = readNumber(h, vm1, "mapped", "/tmp/counter");

    json cp = h.ok({"container", "checkpoint", vm1, "mapped"});
    ASSERT_FALSE(cp.is_null());
    json restored = h.ok({"container", "restore", cp["id"], "--vm", vm2});
    ASSERT_FALSE(restored.is_null());
    EXPECT_EQ(restored["state"], "running");
    EXPECT_EQ(restored["spec"]["userns"]["base"], 100000);
    expectSameTree(before, h.ok({"container", "ps", vm2, "mapped"}));
    // The kernel's map, files and exec after the restore.
    EXPECT_EQ(h.ok({"container", "info", vm2, "mapped"})["confinement"]["userns"]["base"], 100000);
    EXPECT_EQ(h.ok({"container", "exec", vm2, "mapped", "--", "/bin/sh", "-c", idScript}).value("stdout", ""), ids);
    EXPECT_EQ(h.ok({"container", "exec", vm2, "mapped", "--", "/bin/sh", "-c", "cat /proc/1/status | awk '/^CapEff/ {print $2}'"})
                  .value("stdout", ""),
              "00000000a80425fb\n");
    expectCarriesOn(h, vm2, "mapped", counter);

    // Live back to the first VM (where the checkpointed original goes
    // first): pre-dump rounds, then the final dump.
    h.ok({"container", "rm", vm1, "mapped"});
    json migrated = h.ok({"container", "migrate", vm2, "mapped", "--to", vm1, "--live"});
    ASSERT_FALSE(migrated.is_null());
    EXPECT_EQ(h.ok({"container", "exec", vm1, "mapped", "--", "/bin/sh", "-c", idScript}).value("stdout", ""), ids);
    expectSameTree(before, h.ok({"container", "ps", vm1, "mapped"}));
    vm2 = vm1; // the rest happens where it runs now

    // A copy beside its running original would share its range: refused,
    // naming both, and the original runs on.
    json kept = h.ok({"container", "checkpoint", vm2, "mapped", "--leave-running"});
    ASSERT_FALSE(kept.is_null());
    CliRun copy = h.pidvisor({"container", "restore", kept["id"], "--vm", vm2, "--name", "copy"});
    EXPECT_NE(copy.code, 0);
    EXPECT_NE(copy.err.find("uids 100000-165535 overlap another container's (100000-165535)"), std::string::npos)
        << copy.err;
    EXPECT_EQ(h.pidvisor({"container", "info", vm2, "copy"}).code == 0, false) << "a refused copy was recorded";
    long still = readNumber(h, vm2, "mapped", "/tmp/counter");
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    EXPECT_GT(readNumber(h, vm2, "mapped", "/tmp/counter"), still) << "the original stopped";
}

// kill -9 of the agent at random moments of in-VM checkpoints and restores
// (the agent's own CLI, so nothing on the host side waits on it): the
// restarted agent answers, the container that was checkpointed runs on
// with the same tree, a checkpoint is complete or can be removed (its id
// free again), a restore left its container running and listed or nothing
// at all (no directory, no cgroup, no process), and the checkpoint it
// restored from is intact (restored at the end).
TEST_F(Checkpoints, AgentKilledAtRandomMomentsOfCheckpointAndRestoreLeavesNothingWedged)
{
    VmHarness h;
    std::string vm = h.name("kills");
    h.ok({"vm", "create", vm, "--accel", "tcg", "--memory", "768"});
    h.ok({"container", "create", vm, "c", "--network", "none", "--", "/usr/bin/pidvisor-testload", "counter",
          "/tmp/counter"});
    json tree = h.ok({"container", "ps", vm, "c"});
    auto inVm = [&](const std::string& script) {
        json r = h.ok({"vm", "exec", vm, "--timeout", "120", "--", "/bin/sh", "-c", script});
        return r.value("stdout", "");
    };
    inVm("pidvisor-agent container checkpoint c --leave-running --id base >/dev/null");
    // Until the kill has happened (its marker) and the restarted agent
    // answers its own CLI again.
    auto awaitAgent = [&](const std::string& marker) {
        for (int i = 0; i < 60; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            if (h.pidvisor({"vm", "exec", vm, "--timeout", "5", "--", "/bin/sh", "-c",
                            "test -e " + marker + " && pidvisor-agent container list >/dev/null"})
                    .code == 0)
                return true;
        }
        return false;
    };
    std::srand(static_cast<unsigned>(::getpid()));
    constexpr int kTrials = 12;
    int checkpointsDone = 0, restoresDone = 0;
    for (int t = 0; t < kTrials; ++t) {
        bool restore = t % 2 == 1;
        std::string id = "k" + std::to_string(t), name = "r" + std::to_string(t);
        // 0-3 s: under TCG a small checkpoint or restore through the CLI
        // takes 1-2 s, so some are cut off early, some late, some not at all.
        int tenths = std::rand() % 30;
        std::string delay = std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
        std::string op = restore ? "pidvisor-agent container restore base --name " + name
                                 : "pidvisor-agent container checkpoint c --leave-running --id " + id;
        // Detached, so the kill does not take this exec's shell with it.
        std::string marker = "/run/pv-killed-" + std::to_string(t);
        (void)h.pidvisor({"vm", "exec", vm, "--timeout", "5", "--", "/bin/sh", "-c",
                          "sh -c '" + op + " >/dev/null 2>&1 & sleep " + delay +
                              "; kill -9 $(pidof pidvisor-agent); touch " + marker +
                              "' </dev/null >/dev/null 2>&1 &"});
        ASSERT_TRUE(awaitAgent(marker)) << "trial " << t << ": the agent did not come back";
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        json c = h.ok({"container", "info", vm, "c"});
        EXPECT_EQ(c["state"], "running") << "trial " << t << " (" << op << ", killed after " << delay << " s)";
        expectSameTree(tree, h.ok({"container", "ps", vm, "c"}));
        if (!restore) {
            std::string state = inVm("if [ -e /var/lib/pidvisor/checkpoints/" + id +
                                     "/manifest.json ]; then echo complete; elif [ -e /var/lib/pidvisor/checkpoints/" +
                                     id + " ]; then echo partial; else echo absent; fi");
            if (state == "complete\n")
                ++checkpointsDone;
            if (state != "absent\n") {
                // Complete or not, it can go, and its id is free again.
                inVm("pidvisor-agent checkpoint rm " + id);
                EXPECT_EQ(inVm("test -e /var/lib/pidvisor/checkpoints/" + id + " && echo left || echo gone"), "gone\n")
                    << "trial " << t;
            }
        } else {
            CliRun info = h.pidvisor({"--json", "container", "info", vm, name});
            std::string traces =
                inVm("ls -d /var/lib/pidvisor/containers/" + name + " /sys/fs/cgroup/pidvisor/" + name +
                     " 2>/dev/null | wc -l");
            if (info.code == 0) {
                ++restoresDone;
                EXPECT_EQ(info.json()["state"], "running") << "trial " << t << ": " << info.out;
                h.ok({"container", "rm", vm, name, "--force"});
            } else {
                EXPECT_EQ(traces, "0\n") << "trial " << t << " (killed after " << delay
                                         << " s): an unlisted restore left its directory or cgroup";
            }
        }
    }
    std::printf("kill -9 trials: %d checkpoints (%d completed), %d restores (%d completed)\n", kTrials / 2,
                checkpointsDone, kTrials / 2, restoresDone);
    // The checkpoint every killed restore read from still restores.
    inVm("pidvisor-agent container restore base --name final >/dev/null");
    EXPECT_EQ(h.ok({"container", "info", vm, "final"})["state"], "running");
    EXPECT_EQ(h.ok({"container", "list", vm}).size(), 2u) << "only c and final";
}
