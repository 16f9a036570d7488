// DebianImage's logic around its recipe: what is refused before anything
// runs, the digest of the input, and how the recipe's exit codes, progress
// lines and NAME=VERSION output become an ImageInfo, with a stand-in recipe
// (a shell script in a test source directory). The real recipe (mmdebstrap)
// is exercised by the VM tests (tests/vm/DebianImageVmTest.cpp).
#include "../inventory/TestDirectory.h"

#include "images/DebianImage.h"
#include "protocol/ImageFiles.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

namespace pidvisor::manager {
namespace {

namespace fs = std::filesystem;
using test::TestDirectory;

TEST(DebianImage, BasesAreDebian13And12)
{
    EXPECT_EQ(debianSuiteOf("debian:13").value(), "trixie");
    EXPECT_EQ(debianSuiteOf("debian:trixie").value(), "trixie");
    EXPECT_EQ(debianSuiteOf("debian:12").value(), "bookworm");
    auto other = debianSuiteOf("ubuntu:24.04");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(other.error().message.find("debian:13 or debian:12"), std::string::npos) << other.error().message;
}

TEST(DebianImage, RequestsAreCheckedBeforeAnythingRuns)
{
    EXPECT_TRUE(checkDebianImageRequest({"kv", {"redis-server", "python3", "libc6", "g++-14"}, "debian:13"}));
    struct Bad {
        DebianImageRequest request;
        std::string says;
    };
    const std::vector<Bad> bad = {
        {{"", {"redis-server"}, "debian:13"}, "image name"},
        {{"../kv", {"redis-server"}, "debian:13"}, "image name"},
        {{"kv", {}, "debian:13"}, "at least one package"},
        {{"kv", {"-oAPT::Foo=1"}, "debian:13"}, "not a Debian package name"},
        {{"kv", {"../../etc/passwd"}, "debian:13"}, "not a Debian package name"},
        {{"kv", {"Redis"}, "debian:13"}, "not a Debian package name"},
        {{"kv", {"redis server"}, "debian:13"}, "not a Debian package name"},
        {{"kv", {"redis;true"}, "debian:13"}, "not a Debian package name"},
        {{"kv", {"?essential"}, "debian:13"}, "not a Debian package name"},
        {{"kv", {"x"}, "debian:13"}, "not a Debian package name"},
        {{"kv", {"redis-server"}, "debian:sid"}, "debian:13 or debian:12"},
        {{"kv", std::vector<std::string>(257, "hello"), "debian:13"}, "at most 256"},
    };
    for (const auto& b : bad) {
        auto st = checkDebianImageRequest(b.request);
        ASSERT_FALSE(st) << b.says;
        EXPECT_EQ(st.error().code, ErrorCode::InvalidArgument) << b.says;
        EXPECT_NE(st.error().message.find(b.says), std::string::npos) << st.error().message;
    }
}

TEST(DebianImage, TheDigestIsTheBaseAndTheInstalledVersions)
{
    std::string d = debianImageDigest("debian:13", {"redis-server=5:8.0.2-3", "libc6=2.41-12"});
    EXPECT_EQ(d.size(), 7u + 64u);
    EXPECT_EQ(d.rfind("sha256:", 0), 0u);
    EXPECT_EQ(d, debianImageDigest("debian:13", {"libc6=2.41-12", "redis-server=5:8.0.2-3"})) << "order matters";
    EXPECT_NE(d, debianImageDigest("debian:13", {"libc6=2.41-12", "redis-server=5:8.0.2-4"}));
    EXPECT_NE(d, debianImageDigest("debian:12", {"libc6=2.41-12", "redis-server=5:8.0.2-3"}));
    EXPECT_NE(d, debianImageDigest("debian:13", {"libc6=2.41-12"}));
}

// A source directory whose recipe is `body` (bash): it gets the real
// recipe's arguments, "--suite S --packages P --out DIR".
class DebianImageRecipe : public ::testing::Test {
protected:
    void recipe(const std::string& body)
    {
        fs::create_directories(dir.path() / "src/packaging/images");
        fs::path script = dir.path() / "src/packaging/images/debian-image.sh";
        std::ofstream(script) << "#!/bin/bash\nset -e\nsuite=$2 packages=$4 out=$6\n" << body << "\n";
        ::chmod(script.c_str(), 0755);
        paths.sourceDir = (dir.path() / "src").string();
        paths.cache = (dir.path() / "cache").string();
        staging.dir = dir.path() / "staging";
        fs::create_directories(staging.dir);
    }
    Result<protocol::ImageInfo> build(DebianImageRequest req = {"kv", {"redis-server", "python3"}, "debian:13"})
    {
        return buildDebianImage(paths, req, staging, [this](const Progress& p) { seen.push_back(p); });
    }

    TestDirectory dir;
    Paths paths;
    ImageStaging staging;
    std::vector<Progress> seen;
};

TEST_F(DebianImageRecipe, ATreeAndItsPackagesBecomeAnImageDescription)
{
    recipe(R"(
[[ $suite == trixie && $packages == redis-server,python3 ]] || exit 9
mkdir -p "$out/rootfs/etc"; printf 'twelve bytes' >"$out/rootfs/etc/motd"
echo "progress 40 install redis-server python3" >&2
printf 'libc6=2.41-12\npython3=3.13.5-1\nredis-server=5:8.0.2-3\n')");
    auto info = build();
    ASSERT_TRUE(info) << info.error().describe();
    EXPECT_EQ(info->name, "kv");
    EXPECT_EQ(info->digest,
              debianImageDigest("debian:13", {"libc6=2.41-12", "python3=3.13.5-1", "redis-server=5:8.0.2-3"}));
    EXPECT_EQ(info->source, "debian:13 redis-server,python3");
    EXPECT_EQ(info->size, 12);
    EXPECT_EQ(info->config.cmd, std::vector<std::string>{"/bin/bash"});
    ASSERT_FALSE(info->config.env.empty());
    EXPECT_EQ(info->config.env[0].rfind("PATH=", 0), 0u);
    auto written = protocol::readImageInfoFile(staging.infoFile().string());
    ASSERT_TRUE(written) << written.error().describe();
    EXPECT_EQ(*written, *info);
    bool sawInstall = false;
    for (const auto& p : seen)
        sawInstall |= p.percent == 40 && p.detail == "redis-server python3";
    EXPECT_TRUE(sawInstall) << "the recipe's progress did not come through";
}

TEST_F(DebianImageRecipe, TheRecipesRefusalsKeepTheirMeaning)
{
    struct Case {
        int exitCode;
        ErrorCode code;
    };
    for (auto [exitCode, code] : std::vector<Case>{{3, ErrorCode::NotFound},
                                                   {4, ErrorCode::Unavailable},
                                                   {1, ErrorCode::Internal}}) {
        recipe("echo 'progress 6 resolve x' >&2; echo 'debian-image: error: no package redis-servr in Debian trixie' >&2; "
               "exit " + std::to_string(exitCode));
        auto info = build({"kv", {"redis-servr"}, "debian:13"});
        ASSERT_FALSE(info) << exitCode;
        EXPECT_EQ(info.error().code, code) << exitCode;
        EXPECT_NE(info.error().message.find("no package redis-servr in Debian trixie"), std::string::npos)
            << info.error().message;
        EXPECT_EQ(info.error().message.find("progress"), std::string::npos) << info.error().message;
        EXPECT_FALSE(fs::exists(staging.infoFile()));
    }
}

TEST_F(DebianImageRecipe, OutputThatIsNotAPackageListIsAnError)
{
    recipe(R"(mkdir -p "$out/rootfs"; echo 'I am not a package list')");
    auto info = build();
    ASSERT_FALSE(info);
    EXPECT_NE(info.error().message.find("NAME=VERSION"), std::string::npos) << info.error().message;
    recipe(R"(mkdir -p "$out/rootfs")");
    info = build();
    ASSERT_FALSE(info);
    EXPECT_NE(info.error().message.find("no installed packages"), std::string::npos) << info.error().message;
    EXPECT_FALSE(fs::exists(staging.infoFile()));
}

TEST_F(DebianImageRecipe, ABadRequestRunsNothing)
{
    recipe(R"(touch "$out/ran")");
    auto info = build({"kv", {"-oDebug::X=1"}, "debian:13"});
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(fs::exists(staging.dir / "ran"));
}

} // namespace
} // namespace pidvisor::manager
