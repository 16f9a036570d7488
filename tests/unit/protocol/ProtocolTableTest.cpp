// The command table is complete on both sides: every command has a handler
// in the agent's Dispatcher (and no handler serves an undeclared command),
// and a typed client call in AgentCalls that sends that command.
#include "daemon/Dispatcher.h"
#include "protocol/AgentCalls.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

using namespace pidvisor;
using namespace pidvisor::agent;
using namespace pidvisor::protocol;
using nlohmann::json;

namespace {

// Records what each typed call sends; answers every request with an error
// so no result is needed.
class RecordingCalls final : public AgentCalls {
public:
    Result<std::uint64_t> sendRequest(std::string_view cmd, json args, const CallOptions&) override
    {
        sent.emplace_back(std::string(cmd), std::move(args));
        return sent.size();
    }
    Status send(const Frame&) override { return {}; }
    Result<Response> await(std::uint64_t, const CallOptions&) override
    {
        return fail(ErrorCode::Unavailable, "recorded");
    }
    std::vector<std::pair<std::string, json>> sent;
};

void callEveryTypedCall(AgentCalls& a)
{
    ContainerSpec spec{"web", {"/bin/true"}};
    (void)a.hello("test");
    (void)a.sync("n");
    (void)a.guestExec({{"/bin/true"}});
    (void)a.containerCreate(spec);
    (void)a.containerList();
    (void)a.containerInfo("web");
    (void)a.containerPs("web");
    ContainerExecArgs exec;
    exec.name = "web";
    exec.argv = {"/bin/true"};
    (void)a.containerExec(exec);
    (void)a.containerLogs({"web", {}});
    (void)a.containerKill({"web", {}, false});
    (void)a.containerStop({"web", 1000});
    (void)a.containerRm({"web", false});
    (void)a.containerCheckpoint({"web"});
    (void)a.containerRestore({"ck", {}});
    (void)a.containerResume("web");
    (void)a.checkpointList();
    (void)a.checkpointRead({"ck", {}});
    (void)a.checkpointWrite({"ck", json::object(), {}, true}, [](std::uint64_t) { return Status{}; });
    (void)a.checkpointCommit("ck");
    (void)a.checkpointDelete("ck");
    (void)a.containerStart("web");
    (void)a.imageList();
    (void)a.networkProbe({"10.83.0.130", {}});
}

std::set<std::string> declared()
{
    auto names = commandNames();
    return {names.begin(), names.end()};
}

} // namespace

TEST(ProtocolTable, EveryCommandHasATypedClientCall)
{
    RecordingCalls calls;
    callEveryTypedCall(calls);
    std::set<std::string> sent;
    for (const auto& [cmd, args] : calls.sent)
        sent.insert(cmd);
    EXPECT_EQ(sent, declared());
    // What a typed call sends is its record's JSON.
    EXPECT_EQ(calls.sent[5].second, (json{{"name", "web"}}));
    EXPECT_EQ(calls.sent[0].second, (json{{"client", "test"}, {"protocol", kProtocolVersion}}));
}

TEST(ProtocolTable, EveryCommandHasAHandler)
{
    auto dir = std::filesystem::temp_directory_path() / ("pv-table-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    ContainerStore store(dir);
    Cgroups cgroups = Cgroups::detect((dir / "no-cgroups").string());
    auto pidSpace = choosePidSpace("clone3");
    ASSERT_TRUE(pidSpace);
    Reaper reaper;
    ImageStore images((dir / "images").string());
    ContainerManager containers(store, cgroups, **pidSpace, reaper, images, AgentPaths{});
    CheckpointManager checkpoints(containers, dir.string(), AgentVersions{"test", "6.12", ""});
    SystemInfo info;
    info.instance = "i-1";
    Dispatcher dispatcher(containers, checkpoints, info);
    EXPECT_EQ(dispatcher.commands(), commandNames());

    // hello lists the table, and refuses a client of another version.
    DetachedContext context;
    auto hello = dispatcher.handle(Request{1, "hello", {{"protocol", kProtocolVersion}}, {}}, context);
    ASSERT_TRUE(hello) << hello.error().message;
    EXPECT_EQ(hello->result["commands"], commandNames());
    EXPECT_EQ(hello->result["protocol"], kProtocolVersion);
    auto old = dispatcher.handle(Request{2, "hello", {{"protocol", 2}}, {}}, context);
    ASSERT_FALSE(old);
    EXPECT_EQ(old.error().code, ErrorCode::Unsupported);
    EXPECT_EQ(old.error().message, "protocol version 2, need 7");
    auto gone = dispatcher.handle(Request{3, "debug-raw-read", {{"id", "x"}, {"path", "y"}}, {}}, context);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::Unsupported);
    std::filesystem::remove_all(dir);
}
