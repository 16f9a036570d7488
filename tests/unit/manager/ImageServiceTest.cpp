// ImageService over a real inventory file, real archives and the real
// mkfs.erofs: an imported image is one erofs volume (checked by unpacking
// it with fsck.erofs) and one row, found by name or digest prefix, and a
// second import, a taken name or a removal behave as a user expects.
#include "ImageArchiveBuilder.h"

#include "../inventory/TestDirectory.h"

#include "images/ImageService.h"
#include "protocol/ImageFiles.h"
#include "images/ImageVolume.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace pidvisor::manager {
namespace {

namespace fs = std::filesystem;
using test::ImageArchiveBuilder;
using test::readText;
using test::TestDirectory;

class ImageServiceTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (::geteuid() != 0)
            GTEST_SKIP() << "importing keeps file owners, which needs root (run the unit tests as root)";
        if (std::system("command -v mkfs.erofs >/dev/null && command -v fsck.erofs >/dev/null") != 0)
            GTEST_SKIP() << "erofs-utils is not installed (make deps installs it)";
        auto opened = Inventory::open(dir.file());
        ASSERT_TRUE(opened) << opened.error().describe();
        inventory.emplace(std::move(*opened));
        paths.inventory = dir.file();
        paths.images = (dir.path() / "images").string();
        service.emplace(*inventory, paths);
    }
    fs::path archive(const std::string& name, const std::string& text, const std::string& reference = "")
    {
        ImageArchiveBuilder b;
        b.layer({test::file("etc/passwd", "root:x:0:0::/:/bin/sh\n"), test::dir("data", 0700, 70, 71),
                 test::file("data/text", text, 0640, 70, 71)});
        b.config["config"] = {{"Cmd", {"/bin/sh", "-c", "cat /data/text"}}};
        b.reference = reference;
        fs::path out = dir.path() / name;
        b.writeOci(out);
        return out;
    }

    TestDirectory dir;
    std::optional<Inventory> inventory;
    Paths paths;
    std::optional<ImageService> service;
};

TEST_F(ImageServiceTest, ImportMakesOneVolumeAndOneRecord)
{
    std::vector<std::string> stages;
    auto image = service->importArchive(archive("a.tar", "hello").string(), std::string("web"),
                                        [&](const Progress& p) { stages.push_back(p.stage); });
    ASSERT_TRUE(image) << image.error().describe();
    EXPECT_EQ(image->info.name, "web");
    EXPECT_EQ(image->volumeFile, service->volumePath(image->info.digest));
    EXPECT_EQ(static_cast<std::int64_t>(fs::file_size(image->volumeFile)), image->volumeBytes);
    EXPECT_GT(image->createdAt, 0);
    EXPECT_NE(std::find(stages.begin(), stages.end(), "packing the image volume"), stages.end());
    // Only the volume is left in the images directory (no staging).
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(paths.images))
        names.push_back(e.path().filename().string());
    EXPECT_EQ(names, (std::vector<std::string>{fs::path(image->volumeFile).filename().string()}));

    // The volume holds image.json beside rootfs/, owners and modes kept.
    fs::path out = dir.path() / "extracted";
    std::string cmd = "fsck.erofs --extract=" + out.string() + " " + image->volumeFile + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    EXPECT_EQ(readText(out / "rootfs/data/text"), "hello");
    struct stat st {};
    ASSERT_EQ(::lstat((out / "rootfs/data/text").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 70u);
    EXPECT_EQ(st.st_gid, 71u);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    auto info = protocol::readImageInfoFile((out / "image.json").string());
    ASSERT_TRUE(info) << info.error().describe();
    EXPECT_EQ(*info, image->info);

    auto listed = service->list();
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->front(), *image);
}

TEST_F(ImageServiceTest, TheSameArchiveTwiceGivesTheSameVolumeBytes)
{
    auto first = service->importArchive(archive("a.tar", "same").string(), std::string("one"), {});
    ASSERT_TRUE(first) << first.error().describe();
    // Compared by digest: a failure must not print a volume.
    std::string bytes = test::sha256Hex(readText(first->volumeFile));
    auto again = service->importArchive(archive("a.tar", "same").string(), std::string("one"), {});
    ASSERT_TRUE(again) << again.error().describe();
    EXPECT_EQ(*again, *first);
    // Packed again from scratch (another inventory): byte for byte the same.
    ASSERT_TRUE(service->remove("one"));
    auto third = service->importArchive(archive("a.tar", "same").string(), std::string("one"), {});
    ASSERT_TRUE(third) << third.error().describe();
    EXPECT_EQ(test::sha256Hex(readText(third->volumeFile)), bytes);
}

TEST_F(ImageServiceTest, FindByNameDigestOrUniquePrefix)
{
    auto image = service->importArchive(archive("a.tar", "x", "localhost/app:2").string(), std::nullopt, {});
    ASSERT_TRUE(image) << image.error().describe();
    EXPECT_EQ(image->info.name, "app-2");
    const std::string digest = image->info.digest;
    for (const std::string& ref : {std::string("app-2"), digest, digest.substr(7, 12), digest.substr(0, 19)}) {
        auto found = service->find(ref);
        ASSERT_TRUE(found) << ref << ": " << found.error().describe();
        EXPECT_EQ(found->id, image->id);
    }
    auto tooShort = service->find(digest.substr(7, 6));
    ASSERT_FALSE(tooShort);
    EXPECT_EQ(tooShort.error().code, ErrorCode::NotFound);
    auto missing = service->find("nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "no container image 'nope' (pidvisor image list shows them)");
}

TEST_F(ImageServiceTest, ATakenNameOrAKnownImageIsRefusedAndChangesNothing)
{
    auto web = service->importArchive(archive("a.tar", "a").string(), std::string("web"), {});
    ASSERT_TRUE(web) << web.error().describe();
    auto clash = service->importArchive(archive("b.tar", "b").string(), std::string("web"), {});
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(clash.error().message.find("image name 'web' is taken by sha256:"), std::string::npos)
        << clash.error().message;
    auto twice = service->importArchive(archive("a.tar", "a").string(), std::string("other"), {});
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.error().message.find("is already here as 'web'"), std::string::npos) << twice.error().message;
    auto listed = service->list();
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->size(), 1u);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(paths.images))
        ++files;
    EXPECT_EQ(files, 1u);
}

// A name that an archive (or other packages) made is refused before the
// recipe runs (a stand-in that would leave a mark).
TEST_F(ImageServiceTest, ANameTakenByAnotherRecipeIsRefusedBeforeBuilding)
{
    ASSERT_TRUE(service->importArchive(archive("a.tar", "a").string(), std::string("web"), {}));
    fs::create_directories(dir.path() / "src/packaging/images");
    fs::path recipe = dir.path() / "src/packaging/images/debian-image.sh";
    std::ofstream(recipe) << "#!/bin/sh\ntouch " << (dir.path() / "ran").string() << "\nexit 1\n";
    fs::permissions(recipe, fs::perms::owner_all);
    paths.sourceDir = (dir.path() / "src").string();
    ImageService withRecipe(*inventory, paths);
    auto built = withRecipe.createFromPackages({"web", {"hello"}, "debian:13"}, {});
    ASSERT_FALSE(built);
    EXPECT_EQ(built.error().code, ErrorCode::AlreadyExists);
    EXPECT_NE(built.error().message.find("image name 'web' is taken by sha256:"), std::string::npos)
        << built.error().message;
    EXPECT_FALSE(fs::exists(dir.path() / "ran")) << "the recipe ran for a name that was taken";
    // Another name runs the recipe (which fails here, leaving nothing).
    auto other = withRecipe.createFromPackages({"hello", {"hello"}, "debian:13"}, {});
    ASSERT_FALSE(other);
    EXPECT_TRUE(fs::exists(dir.path() / "ran"));
    EXPECT_EQ(service->list()->size(), 1u);
}

TEST_F(ImageServiceTest, AFailedImportLeavesNothingBehind)
{
    std::ofstream(dir.path() / "bad.tar") << "garbage";
    auto bad = service->importArchive((dir.path() / "bad.tar").string(), std::string("bad"), {});
    ASSERT_FALSE(bad);
    EXPECT_TRUE(fs::is_empty(paths.images));
    auto listed = service->list();
    ASSERT_TRUE(listed);
    EXPECT_TRUE(listed->empty());
}

TEST_F(ImageServiceTest, RemoveDeletesTheRecordAndTheVolume)
{
    auto image = service->importArchive(archive("a.tar", "a").string(), std::string("web"), {});
    ASSERT_TRUE(image) << image.error().describe();
    ASSERT_TRUE(service->remove("web"));
    EXPECT_FALSE(fs::exists(image->volumeFile));
    EXPECT_FALSE(service->find("web"));
    auto again = service->remove("web");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::NotFound);
}

TEST(ImageVolumeUuid, FromTheDigest)
{
    EXPECT_EQ(volumeUuid("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
              "01234567-89ab-8def-8123-456789abcdef");
}

} // namespace
} // namespace pidvisor::manager
