// OciImport against real archives (ImageArchiveBuilder: libarchive, the
// layouts podman and docker save) unpacked into a real staging directory:
// layers in order with whiteouts, owners and modes kept, the config read,
// and every hostile shape refused without a byte written outside.
#include "ImageArchiveBuilder.h"

#include "../inventory/TestDirectory.h"

#include "images/ImageStaging.h"
#include "protocol/ImageFiles.h"
#include "images/OciImport.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace pidvisor::manager {
namespace {

namespace fs = std::filesystem;
using test::ImageArchiveBuilder;
using test::readText;
using test::TestDirectory;

#define SKIP_UNLESS_ROOT()                                                                          \
    if (::geteuid() != 0)                                                                           \
    GTEST_SKIP() << "importing keeps file owners, which needs root (run the unit tests as root)"

class OciImportTest : public ::testing::Test {
protected:
    ImageStaging staging() const { return ImageStaging{dir.path() / "staging"}; }
    // The archive's two layers: a base with users, a shared file and a
    // directory the second layer makes opaque, then the second layer.
    ImageArchiveBuilder twoLayers() const
    {
        ImageArchiveBuilder b;
        b.layer({test::dir("etc"),
                 test::file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nredis:x:999:998::/var/lib/redis:/bin/false\n"),
                 test::file("etc/group", "root:x:0:\nredis:x:998:\ndaemon:x:1:\n"),
                 test::dir("var"), test::dir("var/lib"), test::dir("var/lib/redis", 0750, 999, 998),
                 test::file("var/lib/redis/dump.rdb", "old", 0640, 999, 998),
                 test::dir("opaque"), test::file("opaque/old", "lower"),
                 test::file("gone", "to be whited out"), test::dir("bin"),
                 test::file("bin/server", "#!/bin/sh\n", 04755), test::charDevice("dev-null"),
                 test::symlink("bin/sh", "busybox")});
        b.layer({test::file("opaque/new", "upper"), test::file("opaque/.wh..wh..opq", ""),
                 test::file(".wh.gone", ""), test::hardlink("bin/server-link", "bin/server"),
                 test::fifo("run-fifo"), test::file("var/lib/redis/dump.rdb", "new", 0600, 999, 998)},
                /*gzip=*/true);
        b.config["config"] = {{"Entrypoint", {"/bin/server"}},
                              {"Cmd", {"--port", "6379"}},
                              {"Env", {"PATH=/bin", "REDIS=1"}},
                              {"WorkingDir", "/var/lib/redis"},
                              {"User", "redis:daemon"}};
        b.reference = "docker.io/library/redis:7";
        return b;
    }
    void expectTwoLayersApplied(const protocol::ImageInfo& info, const ImageArchiveBuilder& b) const
    {
        fs::path root = staging().rootfs();
        EXPECT_EQ(info.name, "redis-7");
        EXPECT_EQ(info.digest, b.configDigest());
        EXPECT_EQ(info.config.entrypoint, (std::vector<std::string>{"/bin/server"}));
        EXPECT_EQ(info.config.cmd, (std::vector<std::string>{"--port", "6379"}));
        EXPECT_EQ(info.config.env, (std::vector<std::string>{"PATH=/bin", "REDIS=1"}));
        EXPECT_EQ(info.config.workingDir, "/var/lib/redis");
        EXPECT_EQ(info.config.uid, 999);
        EXPECT_EQ(info.config.gid, 1); // the group named, not redis's own
        EXPECT_GT(info.size, 0);
        // Whiteouts: the opaque directory holds only the upper layer's file.
        EXPECT_FALSE(fs::exists(root / "opaque/old"));
        EXPECT_EQ(readText(root / "opaque/new"), "upper");
        EXPECT_FALSE(fs::exists(root / "opaque/.wh..wh..opq"));
        EXPECT_FALSE(fs::exists(root / "gone"));
        EXPECT_FALSE(fs::exists(root / ".wh.gone"));
        // The upper layer's version of a file, owners and modes as written.
        EXPECT_EQ(readText(root / "var/lib/redis/dump.rdb"), "new");
        struct stat st {};
        ASSERT_EQ(::lstat((root / "var/lib/redis/dump.rdb").c_str(), &st), 0);
        EXPECT_EQ(st.st_uid, 999u);
        EXPECT_EQ(st.st_gid, 998u);
        EXPECT_EQ(st.st_mode & 07777, 0600u);
        ASSERT_EQ(::lstat((root / "var/lib/redis").c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0750u);
        ASSERT_EQ(::lstat((root / "bin/server").c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 04755u);
        EXPECT_EQ(st.st_nlink, 2u); // and its hard link
        EXPECT_EQ(fs::read_symlink(root / "bin/sh"), "busybox");
        ASSERT_EQ(::lstat((root / "run-fifo").c_str(), &st), 0);
        EXPECT_TRUE(S_ISFIFO(st.st_mode));
        EXPECT_FALSE(fs::exists(root / "dev-null")); // devices are left out
        // Nothing but the tree and its description in the staging directory.
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(staging().dir))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        EXPECT_EQ(names, (std::vector<std::string>{"image.json", "rootfs"}));
        auto back = protocol::readImageInfoFile(staging().infoFile().string());
        ASSERT_TRUE(back) << back.error().describe();
        EXPECT_EQ(*back, info);
    }
    // An archive whose one layer is `entries` (after a harmless base).
    fs::path archiveOf(std::vector<test::TarEntry> lower, std::vector<test::TarEntry> upper) const
    {
        ImageArchiveBuilder b;
        b.layer(std::move(lower));
        b.layer(std::move(upper));
        fs::path out = dir.path() / "hostile.tar";
        b.writeOci(out);
        return out;
    }
    // A hostile import fails, leaves no image.json, and the outside is as it was.
    void expectRefused(const fs::path& archive, const std::string& messagePart) const
    {
        auto info = importImageArchive(archive, staging(), std::string("x"), {});
        EXPECT_EQ(readText(outside / "victim"), "intact");
        ASSERT_FALSE(info) << "imported a hostile archive";
        EXPECT_NE(info.error().message.find(messagePart), std::string::npos) << info.error().describe();
        EXPECT_FALSE(fs::exists(staging().infoFile()));
        EXPECT_EQ(readText(outside / "victim"), "intact");
        std::size_t entries = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(outside))
            ++entries;
        EXPECT_EQ(entries, 1u) << "something was written outside the image";
    }
    void SetUp() override
    {
        fs::create_directories(outside);
        std::ofstream(outside / "victim") << "intact";
    }

    TestDirectory dir;
    fs::path outside = dir.path() / "outside";
};

TEST_F(OciImportTest, OciArchiveLayersWhiteoutsOwnersAndConfig)
{
    SKIP_UNLESS_ROOT();
    ImageArchiveBuilder b = twoLayers();
    b.writeOci(dir.path() / "redis.tar");
    auto info = importImageArchive(dir.path() / "redis.tar", staging(), std::nullopt, {});
    ASSERT_TRUE(info) << info.error().describe();
    expectTwoLayersApplied(*info, b);
    EXPECT_EQ(info->source, "oci-archive " + (dir.path() / "redis.tar").string() + " (docker.io/library/redis:7)");
}

TEST_F(OciImportTest, DockerArchiveGivesTheSameImage)
{
    SKIP_UNLESS_ROOT();
    ImageArchiveBuilder b = twoLayers();
    b.writeDocker(dir.path() / "redis.tar");
    auto info = importImageArchive(dir.path() / "redis.tar", staging(), std::nullopt, {});
    ASSERT_TRUE(info) << info.error().describe();
    expectTwoLayersApplied(*info, b);
    EXPECT_EQ(info->source.rfind("docker-archive ", 0), 0u);
}

TEST_F(OciImportTest, NameComesFromTheCallerTheReferenceOrTheFile)
{
    SKIP_UNLESS_ROOT();
    ImageArchiveBuilder b;
    b.layer({test::file("hello", "world")});
    b.writeOci(dir.path() / "web.oci.tar");
    auto named = importImageArchive(dir.path() / "web.oci.tar", staging(), std::string("mine"), {});
    ASSERT_TRUE(named) << named.error().describe();
    EXPECT_EQ(named->name, "mine");
    fs::remove_all(staging().dir);
    auto fromFile = importImageArchive(dir.path() / "web.oci.tar", staging(), std::nullopt, {});
    ASSERT_TRUE(fromFile) << fromFile.error().describe();
    EXPECT_EQ(fromFile->name, "web");
    EXPECT_TRUE(fromFile->config.cmd.empty());
    EXPECT_EQ(fromFile->config.workingDir, "/");
    EXPECT_FALSE(fromFile->config.uid.has_value());
}

TEST(ImageName, FromReferences)
{
    EXPECT_EQ(imageNameFromReference("docker.io/library/redis:7"), "redis-7");
    EXPECT_EQ(imageNameFromReference("localhost/web:latest"), "web");
    EXPECT_EQ(imageNameFromReference("registry:5000/team/app"), "app");
    EXPECT_EQ(imageNameFromReference("app@sha256:0123"), "app");
    EXPECT_EQ(imageNameFromReference("we ird/na$me:1.0"), "na-me-1.0");
    EXPECT_EQ(imageNameFromReference(".hidden"), "hidden");
    EXPECT_EQ(imageNameFromReference(""), "");
    EXPECT_EQ(imageNameFromReference(std::string(100, 'a')).size(), 63u);
}

TEST_F(OciImportTest, ALayerThatDoesNotMatchItsDigestIsRefused)
{
    SKIP_UNLESS_ROOT();
    ImageArchiveBuilder b = twoLayers();
    b.tamperLayer = [](std::string& bytes, std::size_t index) {
        if (index == 1)
            bytes[bytes.size() / 2] ^= 0x55;
    };
    b.writeOci(dir.path() / "oci.tar");
    expectRefused(dir.path() / "oci.tar", "does not match its digest");
    fs::remove_all(staging().dir);
    b.writeDocker(dir.path() / "docker.tar");
    expectRefused(dir.path() / "docker.tar", "does not match its digest");
}

TEST_F(OciImportTest, AnEntryOutsideTheRootIsRefused)
{
    SKIP_UNLESS_ROOT();
    expectRefused(archiveOf({test::file("a", "a")}, {test::file("../../outside/victim", "owned")}), "leaves its root");
}

TEST_F(OciImportTest, AWriteThroughASymlinkIsRefused)
{
    SKIP_UNLESS_ROOT();
    // A lower layer plants etc -> the outside directory, an upper one writes
    // into it (runc's and Docker's breakouts of old).
    expectRefused(archiveOf({test::symlink("etc", outside.string())}, {test::file("etc/victim", "owned")}),
                  "entry 'etc/victim' is refused: it goes through a symlink");
    fs::remove_all(staging().dir);
    // The same within one layer.
    expectRefused(archiveOf({test::file("a", "a")},
                            {test::symlink("etc", outside.string()), test::file("etc/planted", "owned")}),
                  "entry 'etc/planted' is refused: it goes through a symlink");
}

TEST_F(OciImportTest, AHardLinkToAFileOutsideIsRefused)
{
    SKIP_UNLESS_ROOT();
    expectRefused(archiveOf({test::file("a", "a")}, {test::hardlink("stolen", "../../outside/victim")}),
                  "leaves its root");
    fs::remove_all(staging().dir);
    expectRefused(archiveOf({test::symlink("out", outside.string())}, {test::hardlink("stolen", "out/victim")}),
                  "hard link 'stolen' to 'out/victim' is refused");
}

TEST_F(OciImportTest, AWhiteoutThroughASymlinkRemovesNothingOutside)
{
    SKIP_UNLESS_ROOT();
    expectRefused(archiveOf({test::symlink("out", outside.string())}, {test::file("out/.wh.victim", "")}),
                  "passes through a symlink");
    fs::remove_all(staging().dir);
    expectRefused(archiveOf({test::symlink("out", outside.string())}, {test::file("out/.wh..wh..opq", "")}),
                  "passes through a symlink");
}

TEST_F(OciImportTest, ImagesForAnotherMachineAreRefused)
{
    SKIP_UNLESS_ROOT();
    ImageArchiveBuilder b;
    b.layer({test::file("a", "a")});
    b.config["architecture"] = "arm64";
    b.writeOci(dir.path() / "arm.tar");
    expectRefused(dir.path() / "arm.tar", "Pidvisor's VMs are amd64");
}

TEST_F(OciImportTest, AUserTheImageDoesNotKnowIsRefused)
{
    SKIP_UNLESS_ROOT();
    ImageArchiveBuilder b;
    b.layer({test::file("etc/passwd", "root:x:0:0::/:/bin/sh\n")});
    b.config["config"] = {{"User", "nobody"}};
    b.writeOci(dir.path() / "user.tar");
    expectRefused(dir.path() / "user.tar", "image user 'nobody' is not in the image's /etc/passwd");
}

TEST_F(OciImportTest, NotAnImageArchiveSaysWhatItExpected)
{
    SKIP_UNLESS_ROOT();
    std::ofstream(dir.path() / "plain.tar", std::ios::binary) << test::makeTar({test::file("readme", "hi")});
    expectRefused(dir.path() / "plain.tar", "is neither an OCI archive");
    fs::remove_all(staging().dir);
    std::ofstream(dir.path() / "junk.tar") << "not a tar at all, just words";
    expectRefused(dir.path() / "junk.tar", "not a tar archive");
}

TEST(ImageStagingUser, NumbersNamesAndGroups)
{
    TestDirectory dir;
    fs::create_directories(dir.path() / "etc");
    std::ofstream(dir.path() / "etc/passwd") << "root:x:0:0::/:/bin/sh\nweb:x:33:33::/:/bin/false\nbroken\n";
    std::ofstream(dir.path() / "etc/group") << "root:x:0:\nwww:x:34:\n";
    auto resolve = [&](const std::string& user) {
        protocol::ImageConfig c;
        c.user = user;
        auto status = resolveImageUser(dir.path(), c);
        return status ? std::to_string(c.uid.value_or(-1)) + ":" + std::to_string(c.gid.value_or(-1))
                      : status.error().message;
    };
    EXPECT_EQ(resolve(""), "-1:-1");
    EXPECT_EQ(resolve("web"), "33:33");
    EXPECT_EQ(resolve("33"), "33:33");
    EXPECT_EQ(resolve("1234"), "1234:0");
    EXPECT_EQ(resolve("web:www"), "33:34");
    EXPECT_EQ(resolve("web:77"), "33:77");
    EXPECT_EQ(resolve("ghost"), "image user 'ghost' is not in the image's /etc/passwd");
    EXPECT_EQ(resolve("web:ghosts"), "image group 'ghosts' is not in the image's /etc/group");
    EXPECT_EQ(resolve(":1"), "image user ':1' is not USER, UID, USER:GROUP or UID:GID");
    // /etc/passwd as a symlink out of the image is never followed.
    fs::remove(dir.path() / "etc/passwd");
    fs::create_symlink("/etc/passwd", dir.path() / "etc/passwd");
    EXPECT_NE(resolve("root").find("passes through a symlink"), std::string::npos) << resolve("root");
}

} // namespace
} // namespace pidvisor::manager
