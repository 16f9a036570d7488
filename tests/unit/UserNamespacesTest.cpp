// The logic of --userns around the kernel: which range a container gets,
// which are refused, the create option every front end parses, and CRIU's
// external mounts for the bound device nodes. The namespaces themselves are
// UserNamespaceTest's (agent suite) and the VM checkpoint test's.
#include "daemon/Spawner.h"
#include "daemon/UserNamespaces.h"
#include "protocol/ImageDefaults.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace pidvisor;
using namespace pidvisor::agent;

namespace {
UserNamespace at(std::int64_t base)
{
    return UserNamespace{base, 65536};
}
} // namespace

TEST(UserNamespaces, ANewOneGetsTheFirstRangeNoOtherHas)
{
    auto first = allocateUserNamespace(UserNamespace{}, {});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->base, 100000);
    EXPECT_EQ(first->size, 65536);
    auto next = allocateUserNamespace(UserNamespace{}, {at(100000), at(165536)});
    ASSERT_TRUE(next);
    EXPECT_EQ(next->base, 231072);
    // A gap left by a removed container is used again; an odd range asked
    // for elsewhere pushes the pick past it.
    EXPECT_EQ(allocateUserNamespace(UserNamespace{}, {at(165536)})->base, 100000);
    EXPECT_EQ(allocateUserNamespace(UserNamespace{}, {at(120000)})->base, 231072);
    // Records without a base (none yet) are not in the way.
    EXPECT_EQ(allocateUserNamespace(UserNamespace{}, {UserNamespace{}})->base, 100000);
}

TEST(UserNamespaces, AnAskedRangeMustNotOverlapAndIsKeptAsAsked)
{
    auto kept = allocateUserNamespace(at(1000000), {at(100000)});
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->base, 1000000);
    // Adjacent is fine, one id of overlap is not (either side).
    EXPECT_TRUE(allocateUserNamespace(at(165536), {at(100000)}));
    auto below = allocateUserNamespace(at(34465), {at(100000)});
    ASSERT_FALSE(below);
    EXPECT_EQ(below.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(below.error().message, "uids 34465-100000 overlap another container's (100000-165535)");
    EXPECT_FALSE(allocateUserNamespace(at(165535), {at(100000)}));
}

TEST(UserNamespaces, TheCreateOptionIsNoneOrAFreeRangeOrABaseInRange)
{
    auto none = protocol::userNamespaceOption(false, 0);
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    auto any = protocol::userNamespaceOption(true, 0);
    ASSERT_TRUE(any && any->has_value());
    EXPECT_FALSE((*any)->base);
    // A base alone implies --userns.
    auto based = protocol::userNamespaceOption(false, 200000);
    ASSERT_TRUE(based && based->has_value());
    EXPECT_EQ((*based)->base, 200000);
    for (std::int64_t bad : {std::int64_t{-1}, std::int64_t{1000}, std::int64_t{65535}, std::int64_t{4294901760}}) {
        auto refused = protocol::userNamespaceOption(true, bad);
        ASSERT_FALSE(refused) << bad;
        EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(refused.error().message.find("--userns-base"), std::string::npos) << refused.error().message;
    }
}

TEST(UserNamespaces, TheBoundDevicesAreCriuExternalsBothWays)
{
    auto dump = boundDeviceExternals(false);
    auto restore = boundDeviceExternals(true);
    ASSERT_EQ(dump.size(), std::size(kContainerDevices));
    ASSERT_EQ(restore.size(), dump.size());
    EXPECT_EQ(dump.front(), "mnt[/dev/null]:pv-dev-null");
    EXPECT_EQ(restore.front(), "mnt[pv-dev-null]:/dev/null");
}

TEST(UserNamespaces, TheOverlayOptionsNameTheThreeDirectories)
{
    OverlayLayers l{"/img/rootfs", "/c/upper", "/c/work", "/c/layers"};
    EXPECT_EQ(l.options(), "lowerdir=/img/rootfs,upperdir=/c/upper,workdir=/c/work");
}

TEST(UserNamespaces, ACheckpointIsOpenedToRestoredTasksWithoutFollowingItsSymlinks)
{
    namespace fs = std::filesystem;
    fs::path root = fs::temp_directory_path() / ("pv-userns-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::path cp = root / "ck", images = cp / "images", outside = root / "outside";
    fs::create_directories(images);
    fs::create_directories(cp / "pre-1");
    std::ofstream(images / "core-1.img") << "x";
    std::ofstream(cp / "pre-1" / "pages-1.img") << "y";
    std::ofstream(outside) << "secret";
    fs::permissions(outside, fs::perms::owner_read | fs::perms::owner_write);
    for (const auto& p : {cp, images, cp / "pre-1"})
        fs::permissions(p, fs::perms::owner_all);
    for (const auto& p : {images / "core-1.img", cp / "pre-1" / "pages-1.img"})
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
    fs::create_symlink(outside, images / "parent");
    ASSERT_TRUE(letRestoredTasksRead(cp.string()));
    auto has = [](const fs::path& p, fs::perms bit) { return (fs::status(p).permissions() & bit) != fs::perms::none; };
    EXPECT_TRUE(has(cp, fs::perms::others_exec));
    EXPECT_TRUE(has(images, fs::perms::others_exec));
    EXPECT_TRUE(has(cp / "pre-1", fs::perms::others_read)) << "CRIU opens a pre-dump's directory";
    EXPECT_TRUE(has(images / "core-1.img", fs::perms::others_read));
    EXPECT_TRUE(has(cp / "pre-1" / "pages-1.img", fs::perms::others_read));
    EXPECT_FALSE(has(images / "core-1.img", fs::perms::others_write));
    EXPECT_FALSE(has(outside, fs::perms::others_read)) << "a symlink in the checkpoint was followed";
    EXPECT_FALSE(letRestoredTasksRead((root / "missing").string()));
    fs::remove_all(root);
}
