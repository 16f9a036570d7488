// Paths: an installed binary finds the recipes and helpers of the install
// layout next to it; a build-tree binary finds its checkout.
#include "core/Paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace pidvisor::manager {
namespace {

namespace fs = std::filesystem;

class PathsTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_root = fs::temp_directory_path() / ("pidvisor-paths-" + std::to_string(::getpid()));
        fs::remove_all(m_root);
        fs::create_directories(m_root / "usr/bin");
        fs::create_directories(m_root / "checkout/build/bin");
    }
    void TearDown() override { fs::remove_all(m_root); }

    static void touch(const fs::path& file)
    {
        fs::create_directories(file.parent_path());
        std::ofstream(file) << "#!/bin/sh\n";
    }

    fs::path m_root;
};

TEST_F(PathsTest, InstalledBinaryUsesTheInstallLayout)
{
    touch(m_root / "usr/share/pidvisor/packaging/guest/build-image.sh");
    ProgramDirs d = locateProgramDirs((m_root / "usr/bin").string(), (m_root / "checkout").string());
    EXPECT_TRUE(d.installed);
    EXPECT_EQ(d.sourceDir, (m_root / "usr/share/pidvisor").string());
    EXPECT_EQ(d.binDir, (m_root / "usr/libexec/pidvisor").string());
}

TEST_F(PathsTest, BuildTreeBinaryUsesItsCheckout)
{
    // A checkout has the recipe too, but not at ../share/pidvisor from build/bin.
    touch(m_root / "checkout/packaging/guest/build-image.sh");
    ProgramDirs d = locateProgramDirs((m_root / "checkout/build/bin").string(), (m_root / "checkout").string());
    EXPECT_FALSE(d.installed);
    EXPECT_EQ(d.sourceDir, (m_root / "checkout").string());
    EXPECT_EQ(d.binDir, (m_root / "checkout/build/bin").string());
}

TEST_F(PathsTest, AnEmptyShareDirectoryIsNotAnInstall)
{
    fs::create_directories(m_root / "usr/share/pidvisor/packaging");
    ProgramDirs d = locateProgramDirs((m_root / "usr/bin").string(), (m_root / "checkout").string());
    EXPECT_FALSE(d.installed);
    EXPECT_EQ(d.binDir, (m_root / "usr/bin").string());
}

TEST_F(PathsTest, SourceDirFromTheEnvironmentWins)
{
    ::setenv("PIDVISOR_SOURCE_DIR", "/somewhere/else", 1);
    Paths p = Paths::defaults();
    ::unsetenv("PIDVISOR_SOURCE_DIR");
    EXPECT_EQ(p.sourceDir, "/somewhere/else");
}

} // namespace
} // namespace pidvisor::manager
