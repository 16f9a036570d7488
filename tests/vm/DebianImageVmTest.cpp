// Real servers from an image built from Debian 13 packages (redis-server
// and python3, their maintainer scripts run), checkpointed in one VM and
// restored in another: redis keeps its 10,000 keys, its process_id (the
// virtual pid it reads with getpid()) and its run_id (the same process,
// not a restart) and takes new writes; python3's http.server still serves
// its file. Everything talks over the VM's loopback: no packet leaves it.
#include "VmHarness.h"

#include <filesystem>
#include <thread>

using namespace pidvisor::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string execOut(const VmHarness& h, const std::string& vm, const std::string& c, std::vector<std::string> argv)
{
    std::vector<std::string> args{"container", "exec", vm, c, "--"};
    args.insert(args.end(), argv.begin(), argv.end());
    json r = h.ok(args);
    return r.is_null() ? std::string("<exec failed>") : r.value("stdout", "");
}

// "process_id:1\r\n" in INFO server -> "1".
std::string infoField(const std::string& info, const std::string& field)
{
    auto at = info.find(field + ":");
    if (at == std::string::npos)
        return "<no " + field + ">";
    at += field.size() + 1;
    auto end = info.find_first_of("\r\n", at);
    return info.substr(at, end - at);
}

bool waitFor(const VmHarness& h, const std::string& vm, const std::string& c, std::vector<std::string> argv,
             const std::string& want)
{
    std::vector<std::string> args{"container", "exec", vm, c, "--"};
    args.insert(args.end(), argv.begin(), argv.end());
    for (int i = 0; i < 100; ++i) {
        CliRun r = h.pidvisor(args);
        if (r.code == 0 && r.out.find(want) != std::string::npos)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return false;
}

const std::vector<std::string> kFetch = {
    "python3", "-c",
    "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:8000/index.txt', timeout=20).read().decode(), end='')"};

class DebianImages : public ::testing::Test {
protected:
    void SetUp() override
    {
        PV_REQUIRE_LIBVIRT();
        if (std::system("command -v mmdebstrap >/dev/null") != 0)
            GTEST_SKIP() << "mmdebstrap is not installed (make deps installs it)";
    }
};

TEST_F(DebianImages, RedisAndAWebServerKeepTheirPidsDataAndRunIdInAnotherVm)
{
    VmHarness h;
    // A typo is refused by name and leaves no image behind.
    CliRun typo = h.pidvisor({"image", "create", "typo", "--packages", "redis-servr"});
    EXPECT_NE(typo.code, 0);
    EXPECT_NE(typo.err.find("no package redis-servr in Debian trixie"), std::string::npos) << typo.err;
    EXPECT_EQ(h.ok({"image", "list"}).size(), 0u);

    json image = h.ok({"image", "create", "servers", "--packages", "redis-server,python3"});
    ASSERT_FALSE(image.is_null());
    EXPECT_EQ(image["name"], "servers");
    EXPECT_EQ(image["source"], "debian:13 redis-server,python3");
    EXPECT_EQ(std::string(image["digest"]).size(), 71u);
    EXPECT_EQ(h.ok({"image", "list"}).size(), 1u);

    std::string vm1 = h.name("deb1"), vm2 = h.name("deb2");
    h.ok({"vm", "create", vm1, "--accel", "tcg", "--memory", "1024"});
    h.ok({"vm", "create", vm2, "--accel", "tcg", "--memory", "1024"});

    h.ok({"container", "create", vm1, "kv", "--image", "servers", "--", "redis-server", "--port", "6379", "--bind",
          "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"});
    ASSERT_TRUE(waitFor(h, vm1, "kv", {"redis-cli", "ping"}, "PONG")) << "redis-server does not answer";
    // The maintainer scripts ran: the package's user and configuration exist.
    EXPECT_NE(execOut(h, vm1, "kv", {"id", "redis"}).find("uid="), std::string::npos);
    EXPECT_NE(execOut(h, vm1, "kv", {"cat", "/etc/redis/redis.conf"}).find("port 6379"), std::string::npos);
    execOut(h, vm1, "kv",
            {"sh", "-c", "seq 1 10000 | sed 's/.*/SET key& value&/' | redis-cli >/dev/null"});
    EXPECT_EQ(execOut(h, vm1, "kv", {"redis-cli", "DBSIZE"}), "10000\n");
    std::string info1 = execOut(h, vm1, "kv", {"redis-cli", "INFO", "server"});
    EXPECT_EQ(infoField(info1, "process_id"), "1") << "redis reads its virtual pid";

    h.ok({"container", "create", vm1, "web", "--image", "servers", "--", "sh", "-c",
          "echo served by pidvisor > /srv/index.txt && exec python3 -m http.server 8000 --bind 127.0.0.1 --directory /srv"});
    ASSERT_TRUE(waitFor(h, vm1, "web", kFetch, "served by pidvisor")) << "http.server does not serve";
    json webBefore = h.ok({"container", "ps", vm1, "web"});

    json cpKv = h.ok({"container", "checkpoint", vm1, "kv"});
    json cpWeb = h.ok({"container", "checkpoint", vm1, "web"});
    ASSERT_FALSE(cpKv.is_null());
    ASSERT_FALSE(cpWeb.is_null());
    EXPECT_LT(cpKv["size"].get<long>(), 64L << 20) << "the checkpoint holds the writable layer, not the image";

    EXPECT_EQ(h.ok({"container", "restore", cpKv["id"], "--vm", vm2})["state"], "running");
    EXPECT_EQ(h.ok({"container", "restore", cpWeb["id"], "--vm", vm2})["state"], "running");

    EXPECT_EQ(execOut(h, vm2, "kv", {"redis-cli", "DBSIZE"}), "10000\n") << "keys were lost";
    EXPECT_EQ(execOut(h, vm2, "kv", {"redis-cli", "GET", "key1234"}), "value1234\n");
    std::string info2 = execOut(h, vm2, "kv", {"redis-cli", "INFO", "server"});
    EXPECT_EQ(infoField(info2, "process_id"), "1") << "the same virtual pid";
    EXPECT_EQ(infoField(info2, "run_id"), infoField(info1, "run_id")) << "redis was restarted, not restored";
    EXPECT_EQ(execOut(h, vm2, "kv", {"redis-cli", "SET", "after", "restore"}), "OK\n");
    EXPECT_EQ(execOut(h, vm2, "kv", {"redis-cli", "DBSIZE"}), "10001\n");

    EXPECT_EQ(execOut(h, vm2, "web", kFetch), "served by pidvisor\n") << "the restored http.server";
    json webAfter = h.ok({"container", "ps", vm2, "web"});
    ASSERT_FALSE(webBefore.empty());
    ASSERT_FALSE(webAfter.empty());
    EXPECT_EQ(webAfter[0]["vpid"], webBefore[0]["vpid"]);
    EXPECT_EQ(webAfter[0]["cmdline"], webBefore[0]["cmdline"]);
}

} // namespace
