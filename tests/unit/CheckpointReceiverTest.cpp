// CheckpointReceiver against hostile checkpoints: every attack is refused
// with its specific error, nothing outside the checkpoint directory is
// created, changed or deleted (CanaryTree), and a failed receive leaves
// the files already in the directory as they were.
#include "CanaryTree.h"

#include "protocol/CheckpointReceiver.h"
#include "protocol/Sha256.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>

using namespace pidvisor;
using namespace pidvisor::protocol;
using pidvisor::test::CanaryTree;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::atomic<int> g_counter{0};

class CheckpointReceiverTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_root = fs::path(::testing::TempDir()) /
                 ("pv-receiver-" + std::to_string(::getpid()) + "-" + std::to_string(g_counter++));
        fs::remove_all(m_root);
        m_canary = std::make_unique<CanaryTree>(m_root / "outside");
        fs::create_directories(ck());
        CanaryTree::write(ck() / "old.img", "the checkpoint as it was\n");
    }
    void TearDown() override { fs::remove_all(m_root); }

    [[nodiscard]] fs::path ck() const { return m_root / "ck"; }

    static CheckpointFile file(const std::string& path, const std::string& content)
    {
        return CheckpointFile{path, content.size(), Sha256::of(content), {}};
    }
    static CheckpointFile link(const std::string& path, const std::string& target)
    {
        return CheckpointFile{path, 0, {}, target};
    }
    static Frame data(const std::string& path, const std::string& content, std::uint64_t offset = 0, bool eof = true)
    {
        return Frame{{{"kind", "data"}, {"id", 7}, {"stream", path}, {"offset", offset}, {"eof", eof}}, content};
    }
    static Frame linkData(const std::string& path, const std::string& target)
    {
        return Frame{{{"kind", "data"}, {"id", 7}, {"stream", path}, {"offset", 0}, {"eof", true}, {"symlink", target}},
                     {}};
    }

    // The directory's entries (names and contents), to show that a failed
    // receive left it as it was and left no temporary file behind.
    [[nodiscard]] std::map<std::string, std::string> checkpointState() const
    {
        std::map<std::string, std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(ck()))
            out[e.path().lexically_relative(ck()).string()] =
                e.is_symlink() ? "-> " + fs::read_symlink(e.path()).string()
                               : (e.is_regular_file() ? CanaryTree::read(e.path()) : "dir");
        return out;
    }

    // Runs a receive of `files` with `frames`; the first error, if any.
    [[nodiscard]] Status receive(const std::vector<CheckpointFile>& files, const std::vector<Frame>& frames) const
    {
        PV_TRY(auto receiver, CheckpointReceiver::open(ck().string(), files));
        for (const auto& f : frames)
            PV_TRY_STATUS(receiver->accept(f));
        if (!receiver->complete())
            return fail(ErrorCode::Internal, "receive incomplete");
        return {};
    }

    void expectRefusedAndNothingChanged(const std::vector<CheckpointFile>& files, const std::vector<Frame>& frames,
                                        ErrorCode code, const std::string& messagePart)
    {
        auto outside = m_canary->snapshot();
        auto inside = checkpointState();
        auto result = receive(files, frames);
        ASSERT_FALSE(result) << "the receive was accepted";
        EXPECT_EQ(errorCodeName(result.error().code), errorCodeName(code)) << result.error().message;
        EXPECT_NE(result.error().message.find(messagePart), std::string::npos) << result.error().message;
        EXPECT_EQ(m_canary->snapshot(), outside) << "something outside the checkpoint changed";
        EXPECT_EQ(checkpointState(), inside) << "the failed receive changed the checkpoint directory";
    }

    fs::path m_root;
    std::unique_ptr<CanaryTree> m_canary;
};

} // namespace

TEST_F(CheckpointReceiverTest, GoodCheckpointArrivesWithSymlinksStoredAsData)
{
    auto outside = m_canary->snapshot();
    // CRIU's images/parent is a symlink; one to outside is data as well.
    std::string target = m_canary->file().string();
    ASSERT_TRUE(receive({file("images/a.img", "aaaa"), link("images/parent", "../pre-1"), link("escape", target)},
                        {linkData("escape", target), data("images/a.img", "aa", 0, false), data("images/a.img", "aa", 2),
                         linkData("images/parent", "../pre-1")}));
    EXPECT_EQ(CanaryTree::read(ck() / "images/a.img"), "aaaa");
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(ck() / "escape")));
    EXPECT_EQ(fs::read_symlink(ck() / "escape").string(), target);
    EXPECT_EQ(fs::read_symlink(ck() / "images/parent").string(), "../pre-1");
    EXPECT_EQ(m_canary->snapshot(), outside);
    for (const auto& [path, content] : checkpointState())
        EXPECT_EQ(path.find(".pv-receiving"), std::string::npos) << "temporary file left: " << path;
}

TEST_F(CheckpointReceiverTest, FileBelowASymlinkOfTheManifestIsRefused)
{
    // The old receiver made "d" a symlink to outside, then wrote d/x through it.
    std::string target = m_canary->dir().string();
    expectRefusedAndNothingChanged({link("d", target), file("d/inner.txt", "evil")},
                                   {linkData("d", target), data("d/inner.txt", "evil")}, ErrorCode::InvalidArgument,
                                   "lies below another entry");
}

TEST_F(CheckpointReceiverTest, SymlinkedParentDirectoryInTheCheckpointIsNotFollowed)
{
    // A symlink already in the directory (left by an earlier part, or by
    // whoever wrote there) in place of a parent directory.
    fs::create_directory_symlink(m_canary->dir(), ck() / "images");
    expectRefusedAndNothingChanged({file("images/inner.txt", "evil")}, {data("images/inner.txt", "evil")},
                                   ErrorCode::PermissionDenied, "symlink");
}

TEST_F(CheckpointReceiverTest, SymlinkAtTheTargetIsReplacedNotWrittenThrough)
{
    auto outside = m_canary->snapshot();
    fs::create_symlink(m_canary->file(), ck() / "pages.img");
    ASSERT_TRUE(receive({file("pages.img", "new pages")}, {data("pages.img", "new pages")}));
    EXPECT_FALSE(fs::is_symlink(fs::symlink_status(ck() / "pages.img")));
    EXPECT_EQ(CanaryTree::read(ck() / "pages.img"), "new pages");
    EXPECT_EQ(m_canary->snapshot(), outside);
}

TEST_F(CheckpointReceiverTest, HardLinkToAnOutsideFileIsReplacedNotTruncated)
{
    ASSERT_EQ(::link(m_canary->file().c_str(), (ck() / "pages.img").c_str()), 0);
    auto outside = m_canary->snapshot();
    ASSERT_TRUE(receive({file("pages.img", "new pages")}, {data("pages.img", "new pages")}));
    EXPECT_EQ(CanaryTree::read(ck() / "pages.img"), "new pages");
    EXPECT_EQ(m_canary->snapshot(), outside) << "the canary was written through the hard link";
}

TEST_F(CheckpointReceiverTest, DotDotPathIsRefused)
{
    expectRefusedAndNothingChanged({file("../outside/canary.txt", "evil")}, {data("../outside/canary.txt", "evil")},
                                   ErrorCode::InvalidArgument, "'..'");
}

TEST_F(CheckpointReceiverTest, AbsolutePathIsRefused)
{
    std::string abs = m_canary->file().string();
    expectRefusedAndNothingChanged({file(abs, "evil")}, {data(abs, "evil")}, ErrorCode::InvalidArgument, "absolute");
}

TEST_F(CheckpointReceiverTest, DuplicateNamesAreRefused)
{
    expectRefusedAndNothingChanged({file("a.img", "one"), file("a.img", "two")}, {data("a.img", "one")},
                                   ErrorCode::InvalidArgument, "twice");
}

TEST_F(CheckpointReceiverTest, EmptyOverLongAndTooManyNamesAreRefused)
{
    expectRefusedAndNothingChanged({file("", "x")}, {}, ErrorCode::InvalidArgument, "empty");
    expectRefusedAndNothingChanged({file(std::string(300, 'n'), "x")}, {}, ErrorCode::InvalidArgument, "too long");
    std::vector<CheckpointFile> many(kMaxCheckpointFiles + 1, file("x", "x"));
    for (std::size_t i = 0; i < many.size(); ++i)
        many[i].path = "f" + std::to_string(i);
    expectRefusedAndNothingChanged(many, {}, ErrorCode::InvalidArgument, "more than the limit");
}

TEST_F(CheckpointReceiverTest, SizesBeyondTheLimitsAreRefused)
{
    auto huge = file("huge.img", "x");
    huge.size = kMaxCheckpointFileSize + 1;
    expectRefusedAndNothingChanged({huge}, {}, ErrorCode::InvalidArgument, "exceeds the limit");
    // More bytes than the manifest said: refused when they arrive.
    expectRefusedAndNothingChanged({file("a.img", "abc")}, {data("a.img", "abcdef")}, ErrorCode::InvalidArgument,
                                   "more than its 3 bytes");
}

TEST_F(CheckpointReceiverTest, HashMismatchLeavesTheExistingFileIntact)
{
    expectRefusedAndNothingChanged({file("old.img", "replacement")}, {data("old.img", "replacemenX")},
                                   ErrorCode::InvalidArgument, "sha256 mismatch");
    EXPECT_EQ(CanaryTree::read(ck() / "old.img"), "the checkpoint as it was\n");
}

TEST_F(CheckpointReceiverTest, FailureOfALaterFileKeepsEarlierOnesOutOfPlace)
{
    // The first file matched, the second did not: neither is moved in.
    expectRefusedAndNothingChanged({file("old.img", "good"), file("b.img", "bbb")},
                                   {data("old.img", "good"), data("b.img", "bbX")}, ErrorCode::InvalidArgument,
                                   "b.img is corrupt");
}

TEST_F(CheckpointReceiverTest, MalformedDataFramesAreProtocolErrorsNotExceptions)
{
    std::vector<Frame> bad = {
        Frame{{{"kind", "data"}, {"id", 7}, {"stream", 42}, {"offset", 0}, {"eof", true}}, "x"},
        Frame{{{"kind", "data"}, {"id", 7}, {"stream", "a.img"}, {"offset", "zero"}, {"eof", true}}, "x"},
        Frame{{{"kind", "data"}, {"id", 7}, {"stream", "a.img"}, {"offset", -1}, {"eof", true}}, "x"},
        Frame{{{"kind", "data"}, {"id", 7}, {"stream", "a.img"}, {"offset", 0}, {"eof", "yes"}}, "x"},
        Frame{{{"kind", "data"}, {"id", 7}, {"stream", "a.img"}, {"symlink", 5}}, ""},
        Frame{{{"kind", "data"}, {"id", 7}}, "x"},
    };
    for (const auto& frame : bad) {
        SCOPED_TRACE(frame.header.dump());
        std::optional<Status> result;
        EXPECT_NO_THROW(result = receive({file("a.img", "x")}, {frame}));
        ASSERT_TRUE(result);
        ASSERT_FALSE(*result);
        EXPECT_EQ(errorCodeName(result->error().code), errorCodeName(ErrorCode::ProtocolError))
            << result->error().message;
    }
}

TEST_F(CheckpointReceiverTest, UnknownStreamAndOutOfOrderDataAreRefused)
{
    expectRefusedAndNothingChanged({file("a.img", "abc")}, {data("b.img", "abc")}, ErrorCode::InvalidArgument,
                                   "not in the checkpoint's manifest");
    expectRefusedAndNothingChanged({file("a.img", "abcd")}, {data("a.img", "ab", 0, false), data("a.img", "cd", 3)},
                                   ErrorCode::ProtocolError, "out of order");
}

// Found by fuzz.receiver: a size of 2e94 was converted to an integer
// (undefined behaviour, a UBSan abort). Sizes are whole numbers of bytes.
TEST(CheckpointManifest, SizesThatAreNotWholeNumbersAreRefused)
{
    using nlohmann::json;
    auto files = [](json size) {
        return pidvisor::protocol::filesFromManifest(
            json{{"files", json::array({json{{"path", "a.img"}, {"size", size}, {"sha256", std::string(64, '0')}}})}});
    };
    for (json bad : {json(2.22222e+94), json(1.5), json(-1), json("12"), json(true)}) {
        auto parsed = files(bad);
        ASSERT_FALSE(parsed) << bad.dump();
        EXPECT_EQ(parsed.error().message, "checkpoint manifest has a file size that is not a whole number of bytes");
    }
    auto parsed = files(json(std::uint64_t{4096}));
    ASSERT_TRUE(parsed) << parsed.error().describe();
    EXPECT_EQ(parsed->front().size, 4096u);
    ASSERT_TRUE(files(json(7))) << "a signed but non-negative size is a size";
}
