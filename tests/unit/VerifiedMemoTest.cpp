// VerifiedMemo on real files in a temporary directory: a file that was
// hashed and not touched since counts as checked; any change, replacement
// or different expected hash does not.
#include "daemon/VerifiedMemo.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace pidvisor::agent {
namespace {

namespace fs = std::filesystem;
using protocol::CheckpointFile;

class VerifiedMemoTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_base = fs::temp_directory_path() / ("pv-memo-" + std::to_string(::getpid()) + "-" +
                                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_base);
        fs::create_directories(m_base / "cp" / "images");
        write("images/pages-1.img", "pages");
        write("rootfs.tar", "tar");
        m_files = {{"images/pages-1.img", 5, "aaa", {}}, {"rootfs.tar", 3, "bbb", {}}, {"images/parent", 0, {}, "../x"}};
    }
    void TearDown() override { fs::remove_all(m_base); }

    void write(const std::string& rel, const std::string& text, bool append = false)
    {
        std::ofstream(m_base / "cp" / rel, append ? std::ios::app : std::ios::trunc) << text;
    }
    std::string dir() const { return (m_base / "cp").string(); }

    fs::path m_base;
    std::vector<CheckpointFile> m_files;
};

TEST_F(VerifiedMemoTest, UntouchedFilesCountAsChecked)
{
    VerifiedMemo memo((m_base / "memo").string());
    EXPECT_FALSE(memo.unchanged("c1", dir(), m_files)) << "nothing remembered yet";
    memo.remember("c1", dir(), m_files, false);
    EXPECT_TRUE(memo.unchanged("c1", dir(), m_files));
    EXPECT_FALSE(memo.unchanged("c2", dir(), m_files)) << "another checkpoint";
}

TEST_F(VerifiedMemoTest, AnyWriteToAFileCancelsIt)
{
    VerifiedMemo memo((m_base / "memo").string());
    memo.remember("c1", dir(), m_files, false);
    // Same size, same content length: only the identity tells.
    std::this_thread::sleep_for(std::chrono::milliseconds(25)); // past a coarse clock tick
    {
        std::fstream f(m_base / "cp" / "rootfs.tar", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(1);
        f.put('X');
    }
    EXPECT_FALSE(memo.unchanged("c1", dir(), m_files));
}

TEST_F(VerifiedMemoTest, AReplacedFileOrAnotherExpectedHashCancelsIt)
{
    VerifiedMemo memo((m_base / "memo").string());
    memo.remember("c1", dir(), m_files, false);
    auto other = m_files;
    other[0].sha256 = "ccc";
    EXPECT_FALSE(memo.unchanged("c1", dir(), other)) << "the manifest expects another hash";
    fs::remove(m_base / "cp" / "rootfs.tar");
    write("rootfs.tar", "tar");
    EXPECT_FALSE(memo.unchanged("c1", dir(), m_files)) << "a new inode";
}

TEST_F(VerifiedMemoTest, PartsMergeAndForgetClears)
{
    VerifiedMemo memo((m_base / "memo").string());
    memo.remember("c1", dir(), {m_files[0]}, true);
    EXPECT_FALSE(memo.unchanged("c1", dir(), m_files)) << "rootfs.tar not checked yet";
    memo.remember("c1", dir(), {m_files[1]}, true);
    EXPECT_TRUE(memo.unchanged("c1", dir(), m_files));
    memo.forget("c1");
    EXPECT_FALSE(memo.unchanged("c1", dir(), m_files));
}

TEST_F(VerifiedMemoTest, AFileOfAnotherSizeIsNotRemembered)
{
    VerifiedMemo memo((m_base / "memo").string());
    auto wrong = m_files;
    wrong[1].size = 4;
    memo.remember("c1", dir(), wrong, false);
    EXPECT_FALSE(memo.unchanged("c1", dir(), wrong));
}

TEST_F(VerifiedMemoTest, KnownHashOnlyForTheSameUnchangedFile)
{
    VerifiedMemo memo((m_base / "memo").string());
    memo.remember("c1", dir(), m_files, false);
    auto known = memo.knownHashes("c1", dir());
    EXPECT_EQ(known("rootfs.tar", 3), "bbb");
    EXPECT_FALSE(known("rootfs.tar", 4)) << "another size";
    EXPECT_FALSE(known("images/other.img", 5)) << "never remembered";
    EXPECT_FALSE(memo.knownHashes("c2", dir())("rootfs.tar", 3)) << "another checkpoint";
    std::this_thread::sleep_for(std::chrono::milliseconds(25)); // past a coarse clock tick
    write("rootfs.tar", "TAR");
    EXPECT_FALSE(known("rootfs.tar", 3)) << "rewritten since";
}

} // namespace
} // namespace pidvisor::agent
