// The agent trusts no peer with its files: hostile checkpoint uploads and
// reads, a manifest nested 60,000 levels deep, and container logs that the
// container replaced by a symlink or a FIFO. Each is refused with its
// error, the agent keeps serving, and a canary tree outside the state
// directory is left exactly as it was.
#include "AgentHarness.h"

#include "../unit/CanaryTree.h"

#include "protocol/Sha256.h"

#include <sys/stat.h>
#include <unistd.h>

#include <future>

using namespace pidvisor;
using namespace pidvisor::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

json fileEntry(const std::string& path, const std::string& content)
{
    return {{"path", path}, {"size", content.size()}, {"sha256", Sha256::of(content)}};
}

json linkEntry(const std::string& path, const std::string& target)
{
    return {{"path", path}, {"size", 0}, {"sha256", ""}, {"symlink", target}};
}

protocol::Frame dataFrame(std::uint64_t id, const std::string& path, const std::string& content)
{
    return {{{"kind", "data"}, {"id", id}, {"stream", path}, {"offset", 0}, {"eof", true}}, content};
}

protocol::Frame linkFrame(std::uint64_t id, const std::string& path, const std::string& target)
{
    return {{{"kind", "data"}, {"id", id}, {"stream", path}, {"offset", 0}, {"eof", true}, {"symlink", target}}, {}};
}

// The response to `id`, skipping complaints on id 0 about data frames that
// arrived after the agent had refused the request.
Result<protocol::Response> responseTo(protocol::FrameChannel& channel, std::uint64_t id)
{
    for (;;) {
        PV_TRY(protocol::Response r, nextResponse(channel));
        if (r.id == id)
            return r;
    }
}

struct Upload {
    std::string what;
    // A vector, not a json: `json{entry}` of one element is an array under
    // gcc but a copy of the entry under clang (CWG 1467).
    std::vector<json> manifestFiles;
    std::vector<protocol::Frame> frames;
    ErrorCode expected;
    std::string messagePart;
};

class HostileCheckpoint : public ::testing::Test {
protected:
    void SetUp() override
    {
        PV_REQUIRE_ROOT();
        m_agent = std::make_unique<AgentHarness>();
        m_canary = std::make_unique<CanaryTree>(m_agent->dir() / "outside");
    }

    // Uploads one checkpoint; the agent's answer.
    Result<protocol::Response> upload(const std::string& id, const json& files, const std::vector<protocol::Frame>& frames,
                                      bool final = true)
    {
        auto channel = m_agent->connect();
        json manifest{{"container", "c"}, {"files", files}};
        PV_TRY_STATUS(channel.send(protocol::makeRequest(
            41, "checkpoint-write", {{"id", id}, {"manifest", manifest}, {"final", final}})));
        for (const auto& f : frames)
            (void)channel.send(f);
        return responseTo(channel, 41);
    }

    [[nodiscard]] fs::path checkpoints() const { return fs::path(m_agent->stateDir()) / "checkpoints"; }

    std::unique_ptr<AgentHarness> m_agent;
    std::unique_ptr<CanaryTree> m_canary;
};

} // namespace

TEST_F(HostileCheckpoint, HostileUploadsAreRefusedAndNothingOutsideChanges)
{
    std::string outsideDir = m_canary->dir().string();
    std::string outsideFile = m_canary->file().string();
    std::vector<Upload> cases = {
        {"a file below a symlink to outside",
         {linkEntry("d", outsideDir), fileEntry("d/inner.txt", "evil")},
         {linkFrame(41, "d", outsideDir), dataFrame(41, "d/inner.txt", "evil")},
         ErrorCode::InvalidArgument,
         "lies below another entry"},
        {"'..'", {fileEntry("../../outside/canary.txt", "evil")}, {dataFrame(41, "../../outside/canary.txt", "evil")},
         ErrorCode::InvalidArgument, "'..'"},
        {"an absolute path", {fileEntry(outsideFile, "evil")}, {dataFrame(41, outsideFile, "evil")},
         ErrorCode::InvalidArgument, "absolute"},
        {"duplicate names", {fileEntry("a.img", "one"), fileEntry("a.img", "two")}, {dataFrame(41, "a.img", "one")},
         ErrorCode::InvalidArgument, "twice"},
        {"a hash mismatch", {fileEntry("a.img", "good")}, {dataFrame(41, "a.img", "evil")}, ErrorCode::InvalidArgument,
         "sha256 mismatch"},
        {"a stream id of the wrong type", {fileEntry("a.img", "good")},
         {protocol::Frame{{{"kind", "data"}, {"id", 41}, {"stream", 7}, {"offset", 0}, {"eof", true}}, "good"}},
         ErrorCode::ProtocolError, "stream"},
    };
    int n = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        auto before = m_canary->snapshot();
        std::string id = "ck-hostile-" + std::to_string(n++);
        auto r = upload(id, json(c.manifestFiles), c.frames);
        ASSERT_TRUE(r) << r.error().describe();
        ASSERT_FALSE(r->result) << "accepted: " << r->result->dump();
        EXPECT_EQ(errorCodeName(r->result.error().code), errorCodeName(c.expected)) << r->result.error().message;
        EXPECT_NE(r->result.error().message.find(c.messagePart), std::string::npos) << r->result.error().message;
        EXPECT_EQ(m_canary->snapshot(), before);
        EXPECT_FALSE(fs::exists(checkpoints() / id)) << "a refused checkpoint was stored";
        ASSERT_TRUE(m_agent->running());
    }
    EXPECT_TRUE(m_agent->call("hello", helloArgs()));
}

TEST_F(HostileCheckpoint, SymlinkFromAnEarlierPartIsNotFollowedByALaterOne)
{
    // Part 1 stores "images" as a symlink to outside (data, allowed); part 2
    // of another manifest sends images/inner.txt, which the old receiver
    // wrote through that symlink into the canary directory.
    std::string outsideDir = m_canary->dir().string();
    auto before = m_canary->snapshot();
    auto first = upload("ck-parts", json::array({linkEntry("images", outsideDir)}), {linkFrame(41, "images", outsideDir)},
                        false);
    ASSERT_TRUE(first && first->result) << (first ? first->result.error().message : first.error().message);
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(checkpoints() / "ck-parts.partial" / "images")));
    auto second = upload("ck-parts", json::array({fileEntry("images/inner.txt", "evil")}),
                         {dataFrame(41, "images/inner.txt", "evil")}, false);
    ASSERT_TRUE(second);
    ASSERT_FALSE(second->result) << "accepted: " << second->result->dump();
    EXPECT_EQ(second->result.error().code, ErrorCode::PermissionDenied) << second->result.error().message;
    EXPECT_EQ(m_canary->snapshot(), before);
}

TEST_F(HostileCheckpoint, HardLinkInThePartialCheckpointIsReplacedNotWrittenThrough)
{
    fs::create_directories(checkpoints() / "ck-hard.partial");
    ASSERT_EQ(::link(m_canary->file().c_str(), (checkpoints() / "ck-hard.partial" / "pages.img").c_str()), 0);
    auto before = m_canary->snapshot();
    auto r = upload("ck-hard", json::array({fileEntry("pages.img", "new")}), {dataFrame(41, "pages.img", "new")}, false);
    ASSERT_TRUE(r && r->result) << (r ? r->result.error().message : r.error().message);
    EXPECT_EQ(m_canary->snapshot(), before) << "the canary was truncated through a hard link";
    EXPECT_EQ(CanaryTree::read(checkpoints() / "ck-hard.partial" / "pages.img"), "new");
}

TEST_F(HostileCheckpoint, ReadDoesNotFollowASymlinkInTheCheckpoint)
{
    fs::create_directories(checkpoints() / "ck-read");
    fs::create_directory_symlink(m_canary->dir(), checkpoints() / "ck-read" / "images");
    auto channel = m_agent->connect();
    ASSERT_TRUE(channel.send(protocol::makeRequest(5, "checkpoint-read", {{"id", "ck-read"}, {"paths", {"images/inner.txt"}}})));
    for (;;) {
        auto frame = channel.receive(std::chrono::seconds(10));
        ASSERT_TRUE(frame) << frame.error().describe();
        ASSERT_NE(protocol::frameKind(*frame), "data") << "streamed a file outside the checkpoint: " << frame->payload;
        if (protocol::frameKind(*frame) != "response")
            continue;
        auto r = protocol::parseResponse(std::move(*frame));
        ASSERT_TRUE(r);
        ASSERT_FALSE(r->result) << "accepted: " << r->result->dump();
        EXPECT_EQ(r->result.error().code, ErrorCode::NotFound) << r->result.error().message;
        break;
    }
}

TEST_F(HostileCheckpoint, DeleteRemovesSymlinksNotWhatTheyPointAt)
{
    fs::create_directories(checkpoints() / "ck-del" / "images");
    fs::create_directory_symlink(m_canary->dir(), checkpoints() / "ck-del" / "images" / "parent");
    fs::create_symlink(m_canary->file(), checkpoints() / "ck-del" / "rootfs.tar");
    auto before = m_canary->snapshot();
    auto r = m_agent->call("checkpoint-delete", {{"id", "ck-del"}});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_FALSE(fs::exists(fs::symlink_status(checkpoints() / "ck-del")));
    EXPECT_EQ(m_canary->snapshot(), before);
}

TEST_F(HostileCheckpoint, ManifestNested60000LevelsIsAProtocolErrorAndTheAgentLives)
{
    std::string header = "{\"kind\":\"request\",\"id\":9,\"cmd\":\"checkpoint-write\",\"args\":{\"id\":\"ck-deep\","
                         "\"manifest\":{\"files\":[]," "\"deep\":" +
                         std::string(60000, '[') + std::string(60000, ']') + "}}}";
    std::string bytes(protocol::kFrameMagic);
    for (auto v : {static_cast<std::uint32_t>(header.size()), 0U})
        for (int shift : {24, 16, 8, 0})
            bytes.push_back(static_cast<char>((v >> shift) & 0xff));
    auto channel = m_agent->connect();
    ASSERT_TRUE(channel.sendRaw(bytes + header));
    auto r = nextResponse(channel);
    ASSERT_TRUE(r) << r.error().describe();
    ASSERT_FALSE(r->result);
    EXPECT_EQ(r->result.error().code, ErrorCode::ProtocolError) << r->result.error().message;
    EXPECT_NE(r->result.error().message.find("nests deeper"), std::string::npos) << r->result.error().message;
    ASSERT_TRUE(m_agent->running()) << "one frame killed the agent";
    auto again = roundTrip(channel, 10, "hello", helloArgs());
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_TRUE(again->result);
}

TEST_F(HostileCheckpoint, LogsThatTheContainerReplacedBySymlinkOrFifoAreRefused)
{
    // An agent-side file the container must not get the agent to read.
    CanaryTree::write(m_canary->root() / "console.log", "agent-side secret\n");
    for (const auto& [what, plant] : std::vector<std::pair<std::string, std::string>>{
             {"symlink", "ln -sf " + (m_canary->root() / "console.log").string() + " /.pidvisor/console.log"},
             {"symlinked directory", "rm -rf /.pidvisor && ln -s " + m_canary->root().string() + " /.pidvisor"},
             {"fifo", "rm -f /.pidvisor/console.log && mkfifo /.pidvisor/console.log"}}) {
        SCOPED_TRACE(what);
        std::string name = "logs-" + std::to_string(std::hash<std::string>{}(what) % 100000);
        auto created = m_agent->call("container-create",
                                     {{"name", name}, {"argv", {"/bin/sh", "-c", plant + "; sleep 1000"}}});
        ASSERT_TRUE(created) << created.error().describe();
        // Wait until the plant is there (the log no longer grows normally).
        for (int i = 0; i < 200; ++i) {
            auto st = fs::symlink_status(fs::path(m_agent->stateDir()) / "containers" / name / "upper" / ".pidvisor");
            auto log = fs::symlink_status(fs::path(m_agent->stateDir()) / "containers" / name / "upper" / ".pidvisor" / "console.log");
            if (fs::is_symlink(st) || fs::is_symlink(log) || fs::is_fifo(log))
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        auto answer = std::async(std::launch::async, [&] { return m_agent->call("container-logs", {{"name", name}}); });
        ASSERT_EQ(answer.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "container-logs hung";
        auto r = answer.get();
        ASSERT_FALSE(r) << "read the planted log (the secret travels as the payload): " << r->dump();
        EXPECT_TRUE(r.error().code == ErrorCode::PermissionDenied || r.error().code == ErrorCode::FailedPrecondition)
            << r.error().describe();
        ASSERT_TRUE(m_agent->running());
    }
}
