// Containers from images with the real agent on this host: an image is a
// directory IMAGES/<hex>/ (image.json + rootfs/) as a mounted image disk
// would be in a VM. The image's files are the container's root, not the
// host's; the command runs as the spec's uid and gid; a stopped container
// starts again on its files; refusals name the image.
#include "AgentHarness.h"

#include "protocol/Sha256.h"

#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The shared libraries `ldd` names for a program.
std::vector<std::string> librariesOf(const std::string& program)
{
    std::vector<std::string> out;
    std::string cmd = "ldd " + program;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        return out;
    std::array<char, 512> line{};
    while (std::fgets(line.data(), line.size(), p)) {
        std::istringstream in(line.data());
        std::string word;
        while (in >> word)
            if (word.front() == '/')
                out.push_back(word);
    }
    ::pclose(p);
    return out;
}

void copyInto(const fs::path& root, const std::string& file)
{
    fs::path target = root / fs::path(file).relative_path();
    fs::create_directories(target.parent_path());
    fs::copy_file(fs::canonical(file), target, fs::copy_options::overwrite_existing);
    fs::permissions(target, fs::status(fs::canonical(file)).permissions());
}

// A small image: dash, id, cat, sleep and their libraries, a passwd with
// user "app" (1000:1000), and a marker file the host does not have.
std::string makeImage(const AgentHarness& agent, const std::string& name)
{
    std::string digest = "sha256:" + Sha256::of(name + "-test-image");
    fs::path dir = fs::path(agent.imagesDir()) / digest.substr(7);
    fs::path root = dir / "rootfs";
    for (const char* program : {"/bin/sh", "/usr/bin/id", "/usr/bin/cat", "/usr/bin/sleep"}) {
        copyInto(root, program);
        for (const auto& lib : librariesOf(program))
            copyInto(root, lib);
    }
    fs::create_directories(root / "etc");
    fs::create_directories(root / "data");
    fs::permissions(root / "data", fs::perms::all);
    std::ofstream(root / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/data:/bin/sh\n";
    std::ofstream(root / "etc/image-marker") << name << "\n";
    json info{{"name", name},
              {"digest", digest},
              {"source", "test"},
              {"size", 1},
              {"config", {{"cmd", {"/bin/sh"}}, {"env", {"IMAGE=yes"}}, {"working_dir", "/data"}}}};
    std::ofstream(dir / "image.json") << info.dump();
    return digest;
}

json waitStopped(const AgentHarness& agent, const std::string& name)
{
    json info;
    for (int i = 0; i < 500; ++i) {
        auto r = agent.call("container-info", {{"name", name}});
        if (r && (*r)["state"] == "stopped")
            return *r;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "container " << name << " did not stop";
    return info;
}

} // namespace

TEST(Images, ImageListShowsTheImagesOfTheDirectory)
{
    AgentHarness agent;
    std::string digest = makeImage(agent, "tiny");
    auto listed = agent.call("image-list");
    ASSERT_TRUE(listed) << listed.error().describe();
    ASSERT_EQ((*listed)["images"].size(), 1u);
    EXPECT_EQ((*listed)["images"][0]["name"], "tiny");
    EXPECT_EQ((*listed)["images"][0]["digest"], digest);
    EXPECT_EQ((*listed)["images"][0]["config"]["working_dir"], "/data");
}

TEST(Images, TheImageIsTheRootAndTheUserIsTheSpecs)
{
    AgentHarness agent;
    std::string digest = makeImage(agent, "tiny");
    auto made = agent.call("container-create", {{"name", "app"},
                                                {"argv", {"/usr/bin/sleep", "1000"}},
                                                {"image", digest},
                                                {"uid", 1000},
                                                {"gid", 1000}});
    ASSERT_TRUE(made) << made.error().describe() << "\n" << agent.log();
    EXPECT_EQ((*made)["spec"]["image"], digest);
    EXPECT_EQ(execIn(agent, "app", "cat /etc/image-marker"), "tiny\n");
    // The host's files are not there: the VM's root is not a layer.
    EXPECT_EQ(execIn(agent, "app", "test -e /etc/os-release && echo host || echo image"), "image\n");
    // pid 1 runs as the image's user, with no effective capabilities.
    std::string status = execIn(agent, "app", "cat /proc/1/status");
    EXPECT_NE(status.find("Uid:\t1000\t1000\t1000\t1000"), std::string::npos) << status;
    EXPECT_NE(status.find("Gid:\t1000\t1000\t1000\t1000"), std::string::npos) << status;
    EXPECT_NE(status.find("CapEff:\t0000000000000000"), std::string::npos) << status;
    auto info = agent.call("container-info", {{"name", "app"}});
    ASSERT_TRUE(info);
    EXPECT_TRUE((*info)["storage"] == "disk" || (*info)["storage"] == "memory") << info->dump();
}

TEST(Images, AStoppedContainerStartsAgainOnItsFiles)
{
    AgentHarness agent;
    std::string digest = makeImage(agent, "tiny");
    auto made = agent.call("container-create",
                           {{"name", "counter"},
                            {"argv", {"/bin/sh", "-c", "echo run >> /data/runs; cat /data/runs"}},
                            {"image", digest}});
    ASSERT_TRUE(made) << made.error().describe();
    waitStopped(agent, "counter");
    auto again = agent.call("container-start", {{"name", "counter"}});
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_EQ((*again)["state"], "running");
    json stopped = waitStopped(agent, "counter");
    EXPECT_EQ(stopped["exit"]["code"], 0);
    // The second run saw the first run's file: run, then run run.
    std::string text;
    ASSERT_EQ(agent.cli({"container", "logs", "counter"}, &text), 0);
    EXPECT_EQ(text, "run\nrun\nrun\n");
}

TEST(Images, RefusalsNameTheImageOrTheState)
{
    AgentHarness agent;
    std::string digest = makeImage(agent, "tiny");
    std::string unknown = "sha256:" + std::string(64, 'e');
    auto missing = agent.call("container-create", {{"name", "x"}, {"argv", {"/bin/sh"}}, {"image", unknown}});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_NE(missing.error().message.find(unknown), std::string::npos) << missing.error().message;
    // Nothing was left behind: the name is free.
    EXPECT_FALSE(fs::exists(fs::path(agent.stateDir()) / "containers" / "x"));

    auto bad = agent.call("container-create", {{"name", "x"}, {"argv", {"/bin/sh"}}, {"image", "redis"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);

    ASSERT_TRUE(agent.call("container-create",
                           {{"name", "busy"}, {"argv", {"/usr/bin/sleep", "1000"}}, {"image", digest}}));
    auto running = agent.call("container-start", {{"name", "busy"}});
    ASSERT_FALSE(running);
    EXPECT_EQ(running.error().code, ErrorCode::FailedPrecondition);
    auto none = agent.call("container-start", {{"name", "nobody"}});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::NotFound);
}

TEST(Images, TheInGuestCliAppliesTheImageDefaults)
{
    AgentHarness agent;
    makeImage(agent, "tiny");
    std::string out;
    int rc = agent.cli({"container", "create", "cli", "--image", "tiny", "--", "/bin/sh", "-c",
                        "echo $IMAGE $(pwd); sleep 1000"},
                       &out);
    ASSERT_EQ(rc, 0) << out;
    std::string seen;
    for (int i = 0; i < 300 && seen.empty(); ++i) {
        ASSERT_EQ(agent.cli({"container", "logs", "cli"}, &seen), 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(seen, "yes /data\n");
    // An image the VM does not have: refused, nothing made.
    rc = agent.cli({"container", "create", "nope", "--image", "absent"}, &out);
    EXPECT_NE(rc, 0);
    EXPECT_FALSE(agent.call("container-info", {{"name", "nope"}}));
}
