// Inventory: opening, the default path, hosts and images.
#include "InventoryTestSupport.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

// Sets an environment variable for one scope and puts the old value back.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : m_name(name)
    {
        if (const char* old = std::getenv(name))
            m_old = old;
        if (value != nullptr)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv()
    {
        if (m_old)
            ::setenv(m_name, m_old->c_str(), 1);
        else
            ::unsetenv(m_name);
    }

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

} // namespace

TEST(Inventory, DefaultPathFollowsXdgDataHome)
{
    ScopedEnv home("HOME", "/home/alice");
    {
        ScopedEnv data("XDG_DATA_HOME", "/data/alice");
        EXPECT_EQ(defaultInventoryPath(), "/data/alice/pidvisor/inventory.db");
    }
    {
        ScopedEnv data("XDG_DATA_HOME", nullptr);
        EXPECT_EQ(defaultInventoryPath(), "/home/alice/.local/share/pidvisor/inventory.db");
    }
    {
        ScopedEnv data("XDG_DATA_HOME", "relative/dir"); // invalid per the spec: ignored
        EXPECT_EQ(defaultInventoryPath(), "/home/alice/.local/share/pidvisor/inventory.db");
    }
}

TEST(Inventory, OpenCreatesParentDirectories)
{
    TestDirectory dir;
    std::string path = dir.file("a/b/c/inventory.db");
    auto inventory = Inventory::open(path);
    ASSERT_OK(inventory);
    EXPECT_EQ(inventory->path(), path);
    EXPECT_EQ(inventory->schemaVersion(), Inventory::latestVersion());
    EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST(Inventory, DirectoryThatCannotBeCreatedIsAClearError)
{
    TestDirectory dir;
    std::string blocker = dir.file("blocker");
    std::FILE* out = std::fopen(blocker.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::fclose(out);
    std::string path = blocker + "/sub/inventory.db";
    auto inventory = Inventory::open(path);
    ASSERT_FALSE(inventory);
    EXPECT_EQ(inventory.error().code, ErrorCode::FailedPrecondition);
    EXPECT_EQ(inventory.error().message,
              "inventory " + path + ": cannot create directory " + blocker + "/sub: Not a directory");
}

TEST(Inventory, EmptyPathIsInvalid)
{
    auto inventory = Inventory::open("");
    ASSERT_FALSE(inventory);
    EXPECT_EQ(inventory.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(inventory.error().message, "inventory path is empty");
}

TEST(Inventory, MemoryInventoryIsPrivateAndLatest)
{
    auto first = Inventory::open(":memory:");
    auto second = Inventory::open(":memory:");
    ASSERT_OK(first);
    ASSERT_OK(second);
    EXPECT_EQ(first->schemaVersion(), Inventory::latestVersion());
    ASSERT_OK(first->ensureHost("test:///default", "test"));
    EXPECT_EQ(second->hosts()->size(), 0u);
}

TEST(Inventory, EnsureHostInsertsOnceAndThenReturnsTheRow)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    auto first = inventory->ensureHost("qemu:///system", "local");
    ASSERT_OK(first);
    EXPECT_GT(first->id, 0);
    EXPECT_EQ(first->uri, "qemu:///system");
    EXPECT_EQ(first->name, "local");
    EXPECT_GT(first->addedAt, 1600000000000);
    auto again = inventory->ensureHost("qemu:///system", "renamed");
    ASSERT_OK(again);
    EXPECT_EQ(*again, *first); // unchanged, name included
    auto other = inventory->ensureHost("qemu+ssh://build/system", "build");
    ASSERT_OK(other);
    EXPECT_NE(other->id, first->id);

    auto found = inventory->findHost("qemu:///system");
    ASSERT_OK(found);
    EXPECT_EQ(*found, *first);
    EXPECT_EQ(*inventory->findHost("qemu:///session"), std::nullopt);
    auto hosts = inventory->hosts();
    ASSERT_OK(hosts);
    EXPECT_EQ(*hosts, (std::vector<HostRecord>{*first, *other}));
}

TEST(Inventory, EnsureHostRefusesAnEmptyUri)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    auto host = inventory->ensureHost("", "x");
    ASSERT_FALSE(host);
    EXPECT_EQ(host.error().code, ErrorCode::InvalidArgument);
}

TEST(Inventory, ImagesRoundTripAndUpsertInPlace)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    ImageRecord image = sampleImage("sha256-abc");
    ASSERT_OK(inventory->upsertImage(image));
    EXPECT_EQ(**inventory->findImage("sha256-abc"), image);
    EXPECT_EQ(*inventory->findImage("sha256-none"), std::nullopt);

    // A VM using the image keeps its reference through an upsert.
    auto host = inventory->ensureHost("qemu:///system", "local");
    VmRecord vm = sampleVm(host->id, "demo");
    vm.imageId = image.id;
    auto vmId = inventory->insertVm(vm);
    ASSERT_OK(vmId);
    image.sizeBytes = 5;
    image.manifestJson = "[]";
    ASSERT_OK(inventory->upsertImage(image));
    EXPECT_EQ(**inventory->findImage("sha256-abc"), image);
    EXPECT_EQ((*inventory->findVmById(*vmId))->imageId, image.id);

    ImageRecord older = sampleImage("sha256-old");
    older.createdAt = 1;
    ASSERT_OK(inventory->upsertImage(older));
    EXPECT_EQ(*inventory->images(), (std::vector<ImageRecord>{image, older}));
}

TEST(Inventory, DeletingAnImageClearsTheVmsReference)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    ASSERT_OK(inventory->upsertImage(sampleImage("sha256-abc")));
    auto host = inventory->ensureHost("qemu:///system", "local");
    VmRecord vm = sampleVm(host->id, "demo");
    vm.imageId = "sha256-abc";
    auto vmId = inventory->insertVm(vm);
    ASSERT_OK(vmId);
    ASSERT_OK(inventory->deleteImage("sha256-abc"));
    EXPECT_EQ(*inventory->findImage("sha256-abc"), std::nullopt);
    EXPECT_EQ((*inventory->findVmById(*vmId))->imageId, "");

    Status again = inventory->deleteImage("sha256-abc");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::NotFound);
    EXPECT_EQ(again.error().message, "inventory: no image 'sha256-abc'");
}

TEST(Inventory, ImageFieldsAreChecked)
{
    auto inventory = Inventory::open(":memory:");
    ASSERT_OK(inventory);
    ImageRecord image = sampleImage("sha256-abc");
    image.kernelKind = "weird";
    Status kind = inventory->upsertImage(image);
    ASSERT_FALSE(kind);
    EXPECT_EQ(kind.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(kind.error().message.find("inventory: storing image 'sha256-abc': CHECK constraint failed"),
              std::string::npos)
        << kind.error().message;

    image = sampleImage("sha256-abc");
    image.manifestJson = "{not json";
    Status json = inventory->upsertImage(image);
    ASSERT_FALSE(json);
    EXPECT_EQ(json.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(json.error().message.find("json_valid(manifest_json)"), std::string::npos) << json.error().message;
    EXPECT_EQ(inventory->images()->size(), 0u);
}
