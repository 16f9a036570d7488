// CRIU image files: written here with the protobuf-c code generated from
// CRIU's own pstree.proto and stats.proto, read back by CriuImages.
#include "daemon/Criu.h"
#include "daemon/CriuImages.h"

#include "pstree.pb-c.h"
#include "stats.pb-c.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace pidvisor::agent {
namespace {

namespace fs = std::filesystem;

std::string le32(std::uint32_t v)
{
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i)
        s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
}

std::string entry(const std::string& message)
{
    return le32(static_cast<std::uint32_t>(message.size())) + message;
}

std::string packPstree(std::uint32_t pid, std::uint32_t ppid, std::vector<std::uint32_t> threads)
{
    ::PstreeEntry e = PSTREE_ENTRY__INIT;
    e.pid = pid;
    e.ppid = ppid;
    e.pgid = 1;
    e.sid = 1;
    e.n_threads = threads.size();
    e.threads = threads.data();
    std::string out(pstree_entry__get_packed_size(&e), '\0');
    pstree_entry__pack(&e, reinterpret_cast<std::uint8_t*>(out.data()));
    return out;
}

std::string packStats()
{
    DumpStatsEntry d = DUMP_STATS_ENTRY__INIT;
    d.freezing_time = 1200;
    d.frozen_time = 34000;
    d.memdump_time = 5000;
    d.memwrite_time = 7000;
    d.pages_scanned = 4096;
    d.pages_skipped_parent = 4000;
    d.pages_written = 96;
    d.has_irmap_resolve = true;
    d.irmap_resolve = 3;
    d.pages_lazy = 0;
    StatsEntry s = STATS_ENTRY__INIT;
    s.dump = &d;
    std::string out(stats_entry__get_packed_size(&s), '\0');
    stats_entry__pack(&s, reinterpret_cast<std::uint8_t*>(out.data()));
    return out;
}

class CriuImages : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_dir = fs::temp_directory_path() / ("pv-criu-images-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    void write(const std::string& name, const std::string& bytes)
    {
        std::ofstream(m_dir / name, std::ios::binary) << bytes;
    }
    fs::path m_dir;
};

TEST_F(CriuImages, ReadsTheProcessTree)
{
    write("pstree.img", le32(kCriuImgCommonMagic) + le32(kCriuPstreeMagic) + entry(packPstree(1, 0, {1})) +
                            entry(packPstree(3, 1, {3, 4, 5})));
    auto tree = readPstree(m_dir);
    ASSERT_TRUE(tree) << tree.error().message;
    ASSERT_EQ(tree->size(), 2U);
    EXPECT_EQ((*tree)[0].pid, 1U);
    EXPECT_EQ((*tree)[0].ppid, 0U);
    EXPECT_EQ((*tree)[1].pid, 3U);
    EXPECT_EQ((*tree)[1].ppid, 1U);
    EXPECT_EQ((*tree)[1].threads, (std::vector<std::uint32_t>{3, 4, 5}));
}

TEST_F(CriuImages, RefusesWhatIsNotAProcessTree)
{
    auto missing = readPstree(m_dir);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);

    write("pstree.img", le32(kCriuImgServiceMagic) + le32(kCriuStatsMagic) + entry(packStats()));
    auto wrong = readPstree(m_dir);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("is not a CRIU process tree image"), std::string::npos);

    std::string whole = entry(packPstree(1, 0, {1}));
    write("pstree.img", le32(kCriuImgCommonMagic) + le32(kCriuPstreeMagic) + whole.substr(0, whole.size() - 1));
    auto cut = readPstree(m_dir);
    ASSERT_FALSE(cut);
    EXPECT_NE(cut.error().message.find("is truncated"), std::string::npos);

    write("pstree.img", le32(kCriuImgCommonMagic) + le32(kCriuPstreeMagic) + entry("\xff\xff\xff"));
    auto garbage = readPstree(m_dir);
    ASSERT_FALSE(garbage);
    EXPECT_NE(garbage.error().message.find("not a pstree_entry"), std::string::npos);
}

TEST_F(CriuImages, ReadsCriusDumpStatisticsAsTheManifestsJson)
{
    write("stats-dump", le32(kCriuImgServiceMagic) + le32(kCriuStatsMagic) + entry(packStats()));
    auto stats = readDumpStats(m_dir);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->frozenTimeUs, 34000U);
    EXPECT_EQ(stats->pagesWritten, 96U);
    auto json = criuStatsToJson(*stats);
    EXPECT_EQ(json, nlohmann::json::parse(R"({"freezing_time_us":1200,"frozen_time_us":34000,
        "memory_dump_time_us":5000,"memory_write_time_us":7000,"irmap_resolve_time_us":3,
        "pages_scanned":4096,"pages_skipped_parent":4000,"pages_written":96,"pages_lazy":0})"));
}

TEST_F(CriuImages, RefusesStatisticsWithoutADumpEntry)
{
    StatsEntry s = STATS_ENTRY__INIT; // a restore's statistics only
    RestoreStatsEntry r = RESTORE_STATS_ENTRY__INIT;
    s.restore = &r;
    std::string bytes(stats_entry__get_packed_size(&s), '\0');
    stats_entry__pack(&s, reinterpret_cast<std::uint8_t*>(bytes.data()));
    write("stats-dump", le32(kCriuImgServiceMagic) + le32(kCriuStatsMagic) + entry(bytes));
    auto stats = readDumpStats(m_dir);
    ASSERT_FALSE(stats);
    EXPECT_NE(stats.error().message.find("has no dump statistics"), std::string::npos);
}

} // namespace
} // namespace pidvisor::agent
