#include "host/SystemCheck.h"

#include "../inventory/TestDirectory.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace pidvisor::manager;
using Level = CheckLine::Level;
namespace fs = std::filesystem;

TEST(SystemCheck, TcgIsAWarningThatSaysItIsSlow)
{
    EXPECT_EQ(checkAccel({true, true}).level, Level::Ok);
    CheckLine pvm = checkAccel({true, false});
    EXPECT_EQ(pvm.level, Level::Warning);
    EXPECT_NE(pvm.text.find("no vmx/svm"), std::string::npos);
    EXPECT_NE(pvm.text.find("slower"), std::string::npos);
    EXPECT_EQ(checkAccel({false, false}).level, Level::Warning);
}

TEST(SystemCheck, FreeSpaceIsLookedUpWhereTheDirectoryWouldBe)
{
    test::TestDirectory dir;
    std::string missing = (dir.path() / "not/yet/there").string();
    CheckLine ok = checkFreeSpace({missing}, 0);
    EXPECT_EQ(ok.level, Level::Ok);
    EXPECT_NE(ok.text.find(" GiB free in " + missing), std::string::npos) << ok.text;
    CheckLine low = checkFreeSpace({missing}, UINT64_MAX / 2);
    EXPECT_EQ(low.level, Level::Warning);
    EXPECT_NE(low.text.find("may not fit"), std::string::npos) << low.text;
}

TEST(SystemCheck, BuildNamesWhatIsMissing)
{
    test::TestDirectory dir;
    Paths p;
    p.sourceDir = (dir.path() / "src").string();
    p.binDir = (dir.path() / "bin").string();
    p.cache = (dir.path() / "cache").string();
    CheckLine noRecipe = checkImageBuild(p);
    EXPECT_EQ(noRecipe.level, Level::Problem);
    EXPECT_EQ(noRecipe.text, "the recipe " + p.sourceDir + "/packaging/guest/build-image.sh is missing");
    for (const char* f : {"src/packaging/guest/build-image.sh", "src/kernelpatch/build-kernel.sh"}) {
        fs::create_directories((dir.path() / f).parent_path());
        std::ofstream(dir.path() / f) << "#!/bin/sh\n";
    }
    EXPECT_EQ(checkImageBuild(p).text, p.binDir + "/pidvisor-agent is missing: build it first");
    fs::create_directories(p.binDir);
    std::ofstream(p.binDir + "/pidvisor-agent") << "";
    std::ofstream(p.binDir + "/pidvisor-init") << "";
    CheckLine ok = checkImageBuild(p);
    EXPECT_EQ(ok.level, Level::Ok);
    EXPECT_EQ(ok.text, "images are built in " + p.cache);
}

TEST(SystemCheck, FormatsGiB)
{
    EXPECT_EQ(formatGiB(5ull << 30), "5.0 GiB");
    EXPECT_EQ(formatGiB(3ull << 29), "1.5 GiB");
}
