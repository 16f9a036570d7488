// The manager receiving a checkpoint from a hostile guest: a scripted
// agent behind a fake transport answers checkpoint-read with data frames
// that try to write outside the host's checkpoint directory, or carry a
// stream id of the wrong type. pullCheckpoint refuses each with its error,
// the manager does not crash, and a canary tree is left as it was.
#include "../CanaryTree.h"

#include "agent/AgentClient.h"
#include "checkpoint/CheckpointTransfer.h"

#include "protocol/Message.h"
#include "protocol/Sha256.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <mutex>

using namespace pidvisor;
using namespace pidvisor::manager;
using pidvisor::test::CanaryTree;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// An agent that answers sync and hello honestly and checkpoint-read with
// the frames it was given.
class ScriptedAgent final : public AgentTransport {
public:
    explicit ScriptedAgent(std::vector<protocol::Frame> dataFrames) : m_data(std::move(dataFrames)) {}

    Status write(std::string_view bytes) override
    {
        m_reader.feed(bytes);
        while (auto event = m_reader.next()) {
            if (!*event)
                continue;
            auto request = protocol::parseRequest(std::move(**event));
            if (!request)
                continue;
            answer(*request);
        }
        return {};
    }

    Result<std::string> read(std::chrono::milliseconds timeout) override
    {
        std::unique_lock lock(m_mutex);
        m_ready.wait_for(lock, timeout, [&] { return !m_out.empty() || m_closed; });
        if (m_closed)
            return fail(ErrorCode::Unavailable, "closed");
        std::string out;
        while (!m_out.empty()) {
            out += m_out.front();
            m_out.pop_front();
        }
        return out;
    }

    std::string describe() const override { return "scripted agent"; }
    void interrupt() override
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_ready.notify_all();
    }

private:
    void push(const protocol::Frame& frame)
    {
        auto bytes = protocol::encodeFrame(frame);
        ASSERT_TRUE(bytes);
        std::lock_guard lock(m_mutex);
        m_out.push_back(*bytes);
        m_ready.notify_all();
    }

    void answer(const protocol::Request& r)
    {
        if (r.cmd == "sync") {
            push(protocol::makeResponse(r.id, {{"nonce", r.args["nonce"]}, {"instance", "scripted"}}));
        } else if (r.cmd == "hello") {
            protocol::HelloResult hello;
            hello.protocol = protocol::kProtocolVersion;
            hello.instance = "scripted";
            push(protocol::makeResponse(r.id, protocol::Codec<protocol::HelloResult>::encode(hello)));
        } else if (r.cmd == "checkpoint-read") {
            for (auto f : m_data) {
                f.header["kind"] = "data";
                f.header["id"] = r.id;
                push(f);
            }
            push(protocol::makeResponse(r.id, {{"id", r.args["id"]}, {"files", m_data.size()}}));
        } else {
            push(protocol::makeErrorResponse(r.id, Error{ErrorCode::Unsupported, "not scripted"}));
        }
    }

    std::vector<protocol::Frame> m_data;
    protocol::FrameReader m_reader;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::string> m_out;
    bool m_closed = false;
};

protocol::CheckpointFile file(const std::string& path, const std::string& content)
{
    return {path, content.size(), Sha256::of(content), {}};
}

protocol::Frame data(const std::string& path, const std::string& content)
{
    return {{{"stream", path}, {"offset", 0}, {"eof", true}}, content};
}

class HostileAgent : public ::testing::Test {
protected:
    void SetUp() override
    {
        static int counter = 0;
        m_root = fs::path(::testing::TempDir()) / ("pv-hostile-agent-" + std::to_string(::getpid()) + "-" +
                                                   std::to_string(counter++));
        fs::remove_all(m_root);
        m_canary = std::make_unique<CanaryTree>(m_root / "outside");
        fs::create_directories(m_root / "store" / "ck-1");
    }
    void TearDown() override { fs::remove_all(m_root); }

    Result<TransferStats> pull(const std::vector<protocol::CheckpointFile>& files, std::vector<protocol::Frame> frames)
    {
        AgentClient client("hostile", [frames]() -> Result<std::unique_ptr<AgentTransport>> {
            return std::make_unique<ScriptedAgent>(frames);
        });
        PV_TRY_STATUS(client.connect(std::chrono::seconds(10)));
        return pullCheckpoint(client, "ck-1", (m_root / "store" / "ck-1").string(), files, false, {});
    }

    fs::path m_root;
    std::unique_ptr<CanaryTree> m_canary;
};

} // namespace

TEST_F(HostileAgent, GoodCheckpointArrives)
{
    auto r = pull({file("images/a.img", "pages")}, {data("images/a.img", "pages")});
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(CanaryTree::read(m_root / "store" / "ck-1" / "images" / "a.img"), "pages");
}

TEST_F(HostileAgent, StreamIdOfTheWrongTypeIsAProtocolErrorNotACrash)
{
    // The old receiver threw json::type_error on the manager's reader
    // thread: std::terminate took the manager (and the GUI) down.
    protocol::Frame bad{{{"stream", 12}, {"offset", 0}, {"eof", true}}, "pages"};
    auto r = pull({file("a.img", "pages")}, {bad});
    ASSERT_FALSE(r);
    EXPECT_EQ(errorCodeName(r.error().code), errorCodeName(ErrorCode::ProtocolError)) << r.error().message;
}

TEST_F(HostileAgent, GuestCannotWriteOutsideTheStoreThroughASymlink)
{
    // The guest's manifest is what the manager asks for; a guest that
    // controls it names a symlink and a file below it.
    auto before = m_canary->snapshot();
    std::vector<protocol::CheckpointFile> files = {{"d", 0, {}, m_canary->dir().string()}, file("d/inner.txt", "evil")};
    protocol::Frame link{{{"stream", "d"}, {"offset", 0}, {"eof", true}, {"symlink", m_canary->dir().string()}}, {}};
    auto r = pull(files, {link, data("d/inner.txt", "evil")});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument) << r.error().message;
    EXPECT_EQ(m_canary->snapshot(), before);
}

TEST_F(HostileAgent, SymlinkAlreadyInTheStoreIsNotFollowed)
{
    fs::create_directory_symlink(m_canary->dir(), m_root / "store" / "ck-1" / "images");
    fs::create_symlink(m_canary->file(), m_root / "store" / "ck-1" / "rootfs.tar");
    auto before = m_canary->snapshot();
    auto r = pull({file("images/inner.txt", "evil")}, {data("images/inner.txt", "evil")});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::PermissionDenied) << r.error().message;
    auto replaced = pull({file("rootfs.tar", "tar")}, {data("rootfs.tar", "tar")});
    ASSERT_TRUE(replaced) << replaced.error().describe();
    EXPECT_FALSE(fs::is_symlink(fs::symlink_status(m_root / "store" / "ck-1" / "rootfs.tar")));
    EXPECT_EQ(m_canary->snapshot(), before);
}

TEST_F(HostileAgent, HashMismatchAndDotDotAreRefused)
{
    auto before = m_canary->snapshot();
    auto mismatch = pull({file("a.img", "good")}, {data("a.img", "evil")});
    ASSERT_FALSE(mismatch);
    EXPECT_NE(mismatch.error().message.find("sha256 mismatch"), std::string::npos) << mismatch.error().message;
    EXPECT_FALSE(fs::exists(m_root / "store" / "ck-1" / "a.img"));
    auto dotdot = pull({file("../../outside/canary.txt", "evil")}, {data("../../outside/canary.txt", "evil")});
    ASSERT_FALSE(dotdot);
    EXPECT_EQ(dotdot.error().code, ErrorCode::InvalidArgument) << dotdot.error().message;
    EXPECT_EQ(m_canary->snapshot(), before);
}
