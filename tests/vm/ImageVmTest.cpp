// Container images end to end, against real VMs: an OCI archive (made
// with libarchive the way `podman save` lays it out, around Debian's static
// busybox) imported on the host, hot-plugged into a running VM as an erofs
// disk, run with the image's entrypoint, user, working directory and
// environment, then checkpointed and restored in a second VM (which gets
// the disk on the way) with the same virtual pids: the server's pid file,
// written by the process itself, still names its virtual pid there. And a
// container's files on the VM's data disk outlive a VM restart.
#include "VmHarness.h"

#include "../unit/manager/ImageArchiveBuilder.h"

#include <filesystem>
#include <fstream>
#include <thread>

using namespace pidvisor::test;
using nlohmann::json;
namespace fs = std::filesystem;
namespace mt = pidvisor::manager::test;

namespace {

constexpr const char* kBusybox = "/bin/busybox";

// The "server": writes its own pid to a pid file (as daemons do), then
// counts; runs as the image's user 'app' in /data.
fs::path makeServerImage(const std::string& dir)
{
    mt::ImageArchiveBuilder b;
    b.layer({mt::dir("bin"), mt::file("bin/busybox", mt::readText(kBusybox), 0755), mt::symlink("bin/sh", "busybox"),
             mt::symlink("bin/cat", "busybox"), mt::symlink("bin/sleep", "busybox"), mt::symlink("bin/id", "busybox"),
             mt::dir("etc"), mt::file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/data:/bin/sh\n"),
             mt::file("etc/group", "root:x:0:\napp:x:1000:\n"), mt::dir("tmp", 01777),
             mt::dir("data", 0755, 1000, 1000), mt::file("data/old", "from the lower layer", 0644, 1000, 1000)});
    b.layer({mt::file("data/.wh.old", ""), mt::file("data/motd", "hello from layer 2\n", 0644, 1000, 1000)},
            /*gzip=*/true);
    b.config["config"] = {
        {"Entrypoint", {"/bin/sh", "-c"}},
        {"Cmd",
         {"echo $$ > /data/server.pid; echo \"$GREETING $(pwd)\" > /data/env; i=0; "
          "while true; do i=$((i+1)); echo $i > /data/count; sleep 0.2; done"}},
        {"Env", {"PATH=/bin", "GREETING=hi"}},
        {"WorkingDir", "/data"},
        {"User", "app"}};
    b.reference = "localhost/pvserver:1";
    fs::path out = fs::path(dir) / "pvserver.tar";
    b.writeOci(out);
    return out;
}

std::string execOut(const VmHarness& h, const std::string& vm, const std::string& c, std::vector<std::string> argv)
{
    std::vector<std::string> args{"container", "exec", vm, c, "--"};
    args.insert(args.end(), argv.begin(), argv.end());
    json r = h.ok(args);
    return r.is_null() ? std::string("<exec failed>") : r.value("stdout", "");
}

long counter(const VmHarness& h, const std::string& vm, const std::string& c)
{
    std::string text = execOut(h, vm, c, {"cat", "/data/count"});
    try {
        return std::stol(text);
    } catch (...) {
        return -1;
    }
}

// The counter once it reaches `atLeast` (or its last value after `tries`
// looks 300 ms apart).
long awaitCount(const VmHarness& h, const std::string& vm, const std::string& c, long atLeast, int tries)
{
    long n = counter(h, vm, c);
    for (int i = 1; i < tries && n < atLeast; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        n = counter(h, vm, c);
    }
    return n;
}

std::size_t imageDisks(const VmHarness& h, const std::string& vm)
{
    CliRun r = h.virsh({"domblklist", vm});
    std::size_t n = 0;
    for (std::size_t at = r.out.find("ctimage-"); at != std::string::npos; at = r.out.find("ctimage-", at + 1))
        ++n;
    return n;
}

class ContainerImages : public ::testing::Test {
protected:
    void SetUp() override
    {
        PV_REQUIRE_LIBVIRT();
        if (!fs::exists(kBusybox))
            GTEST_SKIP() << kBusybox << " is missing (Debian's busybox-static; make deps installs it)";
    }
};

TEST_F(ContainerImages, ImportRunCheckpointAndRestoreInAnotherVmWithTheImage)
{
    VmHarness h;
    fs::path archive = makeServerImage(h.dir());
    json image = h.ok({"image", "import", archive.string()});
    ASSERT_FALSE(image.is_null());
    EXPECT_EQ(image["name"], "pvserver-1");
    const std::string digest = image["digest"];

    std::string vm1 = h.name("img1"), vm2 = h.name("img2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    EXPECT_EQ(imageDisks(h, vm1), 0u);

    // No command: the image's entrypoint and cmd; its user and directory.
    json created = h.ok({"container", "create", vm1, "srv", "--image", "pvserver-1"});
    ASSERT_FALSE(created.is_null());
    EXPECT_EQ(created["state"], "running");
    EXPECT_EQ(created["spec"]["image"], digest);
    EXPECT_EQ(imageDisks(h, vm1), 1u) << "the image's disk is attached to the running VM";
    long c0 = awaitCount(h, vm1, "srv", 3, 100);
    ASSERT_GE(c0, 3) << "the image's command does not run";
    EXPECT_EQ(execOut(h, vm1, "srv", {"cat", "/data/server.pid"}), "1\n") << "its pid file names virtual pid 1";
    std::string status = execOut(h, vm1, "srv", {"cat", "/proc/1/status"});
    EXPECT_NE(status.find("Uid:\t1000\t1000\t1000\t1000"), std::string::npos) << status;
    EXPECT_EQ(execOut(h, vm1, "srv", {"cat", "/data/env"}), "hi /data\n") << "the image's Env and WorkingDir";
    EXPECT_EQ(execOut(h, vm1, "srv", {"cat", "/data/motd"}), "hello from layer 2\n");
    CliRun old = h.pidvisor({"container", "exec", vm1, "srv", "--", "cat", "/data/old"});
    EXPECT_NE(old.code, 0) << "the whiteout of layer 2 hides data/old";
    // The image is read-only below; the container's writes are its own.
    h.ok({"container", "exec", vm1, "srv", "--", "sh", "-c", "echo mine > /data/written"});
    json before = h.ok({"container", "ps", vm1, "srv"});

    json cp = h.ok({"container", "checkpoint", vm1, "srv"});
    ASSERT_FALSE(cp.is_null());
    EXPECT_EQ(h.ok({"container", "info", vm1, "srv"})["state"], "stopped");

    // vm2 has never seen the image: the restore brings its disk first.
    EXPECT_EQ(imageDisks(h, vm2), 0u);
    json restored = h.ok({"container", "restore", cp["id"], "--vm", vm2});
    EXPECT_EQ(restored["state"], "running");
    EXPECT_EQ(imageDisks(h, vm2), 1u);
    // The server is virtual pid 1 on both sides (its `sleep` children come
    // and go).
    json after = h.ok({"container", "ps", vm2, "srv"});
    ASSERT_FALSE(before.empty());
    ASSERT_FALSE(after.empty());
    EXPECT_EQ(before[0]["vpid"], 1);
    EXPECT_EQ(after[0]["vpid"], 1);
    EXPECT_EQ(after[0]["cmdline"], before[0]["cmdline"]);
    EXPECT_NE(after[0]["pid"], 1) << "virtual pid 1 is not the VM's pid 1";
    EXPECT_EQ(execOut(h, vm2, "srv", {"cat", "/data/server.pid"}), "1\n");
    EXPECT_EQ(execOut(h, vm2, "srv", {"cat", "/data/written"}), "mine\n") << "the container's own writes moved too";
    long c1 = counter(h, vm2, "srv");
    EXPECT_GE(c1, c0) << "the counter restarted instead of carrying on";
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    EXPECT_GT(counter(h, vm2, "srv"), c1) << "the restored server does not run";

    // The same image in a user namespace: its user 1000 is the VM's 101000,
    // its layers (the image disk's erofs, idmapped) read and written as before.
    json mapped = h.ok({"container", "create", vm2, "srvu", "--image", "pvserver-1", "--userns", "--network", "none"});
    ASSERT_FALSE(mapped.is_null());
    EXPECT_EQ(mapped["spec"]["userns"]["base"], 100000);
    long u0 = awaitCount(h, vm2, "srvu", 2, 100);
    EXPECT_GE(u0, 2) << "the image's command, as its user, does not run (or cannot write its files)";
    std::string mappedStatus = execOut(h, vm2, "srvu", {"cat", "/proc/1/status"});
    EXPECT_NE(mappedStatus.find("Uid:\t1000\t1000\t1000\t1000"), std::string::npos) << mappedStatus;
    json vmView = h.ok({"vm", "exec", vm2, "--", "awk", "/^Uid/ {print $2}",
                        "/proc/" + std::to_string(mapped["init_pid"].get<int>()) + "/status"});
    EXPECT_EQ(vmView.value("stdout", ""), "101000\n") << "the VM does not see the image's user shifted";
    EXPECT_EQ(execOut(h, vm2, "srvu", {"sh", "-c", "set -- $(ls -ln /data/motd); echo $3"}), "1000\n")
        << "the image's files are not its user's inside";
    h.ok({"container", "rm", vm2, "srvu", "--force"});

    // Removing the last container that uses the image detaches its disk.
    h.ok({"container", "rm", vm2, "srv", "--force"});
    EXPECT_EQ(imageDisks(h, vm2), 0u);

    // An image the host does not have is refused, naming it.
    CliRun missing = h.pidvisor({"container", "create", vm1, "x", "--image", "nope"});
    EXPECT_NE(missing.code, 0);
    EXPECT_NE(missing.err.find("no container image 'nope'"), std::string::npos) << missing.err;
}

} // namespace

namespace {

// A container's files live on the VM's data disk (every VM has one unless
// created with --disk 0): after `vm stop` and
// `vm start` the container is there, stopped, with its own writes, and
// `container start` runs the image's command again on them (the image's
// disk still attached: it is in the domain's definition).
TEST_F(ContainerImages, FilesSurviveAVmRestartAndStartRunsTheContainerAgain)
{
    VmHarness h;
    json image = h.ok({"image", "import", makeServerImage(h.dir()).string()});
    ASSERT_FALSE(image.is_null());
    std::string vm = h.name("imgdisk");
    h.ok({"vm", "create", vm, "--accel", "tcg", "--memory", "768"}); // a data disk by default
    json created = h.ok({"container", "create", vm, "srv", "--image", image["name"]});
    ASSERT_FALSE(created.is_null());
    EXPECT_EQ(created["storage"], "disk");
    h.ok({"container", "exec", vm, "srv", "--", "sh", "-c", "echo kept > /data/mine"});
    (void)awaitCount(h, vm, "srv", 2, 50);

    h.ok({"vm", "stop", vm});
    h.ok({"vm", "start", vm});
    json info = h.ok({"container", "info", vm, "srv"});
    EXPECT_EQ(info["state"], "stopped") << info.dump();
    EXPECT_EQ(imageDisks(h, vm), 1u) << "the image's disk is in the definition";
    json started = h.ok({"container", "start", vm, "srv"});
    EXPECT_EQ(started["state"], "running") << started.dump();
    EXPECT_EQ(execOut(h, vm, "srv", {"cat", "/data/mine"}), "kept\n");
    EXPECT_EQ(execOut(h, vm, "srv", {"cat", "/data/server.pid"}), "1\n") << "started again as virtual pid 1";
    h.ok({"container", "rm", vm, "srv", "--force"});
}

} // namespace

namespace {

// What cannot be done is refused by name and loses nothing: with the image
// gone from the host, a new container from it and a restore into a VM that
// never had it are refused; the running container and the checkpoint are
// untouched, and once the same image is back the restore works.
TEST_F(ContainerImages, AnImageTheHostNoLongerHasIsRefusedAndTheCheckpointKept)
{
    VmHarness h;
    fs::path archive = makeServerImage(h.dir());
    json image = h.ok({"image", "import", archive.string()});
    ASSERT_FALSE(image.is_null());
    std::string vm1 = h.name("imgref1"), vm2 = h.name("imgref2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "768"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "768"});
    // Loopback only: the original keeps running, so a copy with its address
    // would be refused for that (ContainerNetwork tests) before the image.
    h.ok({"container", "create", vm1, "srv", "--image", "pvserver-1", "--network", "none"});
    json cp = h.ok({"container", "checkpoint", vm1, "srv", "--leave-running"});
    ASSERT_FALSE(cp.is_null());

    h.ok({"image", "rm", "pvserver-1"});
    CliRun create = h.pidvisor({"container", "create", vm1, "again", "--image", "pvserver-1"});
    EXPECT_NE(create.code, 0);
    EXPECT_NE(create.err.find("no container image 'pvserver-1'"), std::string::npos) << create.err;
    CliRun restore = h.pidvisor({"container", "restore", cp["id"], "--vm", vm2});
    EXPECT_NE(restore.code, 0);
    EXPECT_NE(restore.err.find("is not on this host"), std::string::npos) << restore.err;
    EXPECT_EQ(imageDisks(h, vm2), 0u);
    EXPECT_EQ(h.ok({"container", "list", vm2}).size(), 0u) << "a refused restore left a container behind";
    EXPECT_EQ(h.ok({"container", "info", vm1, "srv"})["state"], "running");
    EXPECT_EQ(h.ok({"checkpoint", "verify", cp["id"]})["verified"], true);

    // The same archive gives the same digest: the checkpoint restores again.
    json back = h.ok({"image", "import", archive.string()});
    EXPECT_EQ(back["digest"], image["digest"]);
    json restored = h.ok({"container", "restore", cp["id"], "--vm", vm2});
    EXPECT_EQ(restored["state"], "running");
    EXPECT_EQ(execOut(h, vm2, "srv", {"cat", "/data/server.pid"}), "1\n");
}

} // namespace

namespace {

// An image of its own per slot: busybox and a file naming the slot (so
// every archive has another digest).
fs::path slotImage(const std::string& dir, int slot)
{
    mt::ImageArchiveBuilder b;
    b.layer({mt::dir("bin"), mt::file("bin/busybox", mt::readText(kBusybox), 0755), mt::symlink("bin/sleep", "busybox"),
             mt::symlink("bin/cat", "busybox"), mt::file("slot", std::to_string(slot) + "\n")});
    b.config["config"] = {{"Cmd", {"/bin/sleep", "100000"}}, {"Env", {"PATH=/bin"}}};
    fs::path out = fs::path(dir) / ("slot-" + std::to_string(slot) + ".tar");
    b.writeOci(out);
    return out;
}

// A VM takes 26 image disks (sda to sdz): with every one in use, a container
// from a 27th image is refused by name, and nothing of it is attached or
// left behind; the containers that hold the others keep running.
TEST_F(ContainerImages, AVmWithEveryImageSlotTakenRefusesAnotherImage)
{
    VmHarness h;
    std::string vm = h.name("slots");
    h.ok({"vm", "create", vm, "--accel", "tcg", "--memory", "768", "--disk", "0"});
    for (int i = 0; i < 26; ++i) {
        h.ok({"image", "import", slotImage(h.dir(), i).string(), "--name", "slot-" + std::to_string(i)});
        json c = h.ok({"container", "create", vm, "c" + std::to_string(i), "--image", "slot-" + std::to_string(i)});
        ASSERT_FALSE(c.is_null()) << "slot " << i;
    }
    EXPECT_EQ(imageDisks(h, vm), 26u);
    h.ok({"image", "import", slotImage(h.dir(), 26).string(), "--name", "slot-26"});
    CliRun full = h.pidvisor({"container", "create", vm, "c26", "--image", "slot-26"});
    EXPECT_NE(full.code, 0);
    EXPECT_NE(full.err.find("the VM has 26 image disks, its most"), std::string::npos) << full.err;
    EXPECT_EQ(imageDisks(h, vm), 26u);
    EXPECT_EQ(h.ok({"container", "list", vm}).size(), 26u) << "the refused container was left behind";
    EXPECT_EQ(execOut(h, vm, "c25", {"cat", "/slot"}), "25\n");
    // Freeing a slot makes room.
    h.ok({"container", "rm", vm, "c0", "--force"});
    EXPECT_EQ(imageDisks(h, vm), 25u);
    EXPECT_EQ(h.ok({"container", "create", vm, "c26", "--image", "slot-26"})["state"], "running");
    EXPECT_EQ(execOut(h, vm, "c26", {"cat", "/slot"}), "26\n");
}

} // namespace
