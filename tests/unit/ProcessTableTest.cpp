// ProcessTable over a fake /proc tree: NSpid decides the virtual pids.
#include "daemon/ProcessTable.h"
#include "daemon/ChildStatus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace pidvisor::agent;
namespace fs = std::filesystem;

TEST(ProcessTable, StartTimeSkipsCommWithSpacesAndParens)
{
    fs::path dir = fs::temp_directory_path() / ("pv-proc-" + std::to_string(::getpid()));
    fs::create_directories(dir / "42");
    std::ofstream(dir / "42" / "stat") << "42 (a b) c)) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                                          "123456 1000 100 18446744073709551615\n";
    auto start = processStartTime(42, dir.string());
    ASSERT_TRUE(start);
    EXPECT_EQ(*start, 123456u);
    EXPECT_FALSE(processStartTime(43, dir.string()));
    fs::remove_all(dir);
}

// A /proc file whose read fails (a process that exited after the listing:
// ESRCH; here a directory: EISDIR) is a process that is gone, not an
// exception out of the container listing (seen in the matrix: checkpointing
// a server whose `sleep` children come and go failed "basic_filebuf::
// underflow error reading the file").
TEST(ProcessTable, AFileThatCannotBeReadIsAProcessThatIsGone)
{
    fs::path dir = fs::temp_directory_path() / ("pv-proc-unreadable-" + std::to_string(::getpid()));
    fs::create_directories(dir / "42" / "stat");
    fs::create_directories(dir / "43" / "status");
    EXPECT_FALSE(processStartTime(42, dir.string()));
    auto listed = listNamespaceProcesses(1, dir.string());
    ASSERT_TRUE(listed) << listed.error().describe();
    EXPECT_TRUE(listed->empty());
    fs::remove_all(dir);
}

TEST(ProcessTable, OwnProcessIsFoundInItsNamespace)
{
    auto inode = pidNamespaceInode(::getpid());
    ASSERT_TRUE(inode);
    EXPECT_EQ(pidNamespaceInode(::getpid()), pidNamespaceInode(::getppid()));
}

TEST(ExecCandidates, PathSearchOrder)
{
    EXPECT_EQ(executableCandidates("/bin/sh", "/x:/y"), std::vector<std::string>{"/bin/sh"});
    EXPECT_EQ(executableCandidates("sh", "/x:/y"), (std::vector<std::string>{"/x/sh", "/y/sh"}));
    EXPECT_EQ(executableCandidates("./run", "/x"), std::vector<std::string>{"./run"});
}
