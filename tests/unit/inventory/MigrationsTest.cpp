// Migrations: every older file reaches the latest schema with its rows
// intact, a newer file is refused, and the steps are what the schema says.
#include "InventoryTestSupport.h"

#include "inventory/Database.h"
#include "inventory/Migrations.h"

#include <algorithm>
#include <thread>

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

std::vector<std::string> tableNames(const std::string& path)
{
    auto db = Database::open(path);
    if (!db)
        return {db.error().describe()};
    auto select = db->prepare("listing tables", "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
    if (!select)
        return {select.error().describe()};
    return select->collect([](const Statement& row) { return row.columnText(0); }).value_or(std::vector<std::string>{});
}

int fileVersion(const std::string& path)
{
    auto db = Database::open(path);
    return db ? readSchemaVersion(*db).value_or(-1) : -1;
}

// What a file at `version` can hold; ids written back into the test.
struct Seeded {
    std::int64_t hostId = 0;
    std::int64_t vmId = 0;
    std::int64_t operationId = 0;
};

void seed(Inventory& inventory, Seeded& seeded)
{
    if (inventory.schemaVersion() >= 1) {
        auto host = inventory.ensureHost("qemu:///system", "local");
        ASSERT_OK(host);
        seeded.hostId = host->id;
        ASSERT_OK(inventory.upsertImage(sampleImage("sha256-1")));
        VmRecord vm = sampleVm(host->id, "demo");
        vm.imageId = "sha256-1";
        auto vmId = inventory.insertVm(vm);
        ASSERT_OK(vmId);
        seeded.vmId = *vmId;
        auto op = inventory.beginOperation("vm.create", "demo", R"({"step":1})");
        ASSERT_OK(op);
        seeded.operationId = *op;
    }
    if (inventory.schemaVersion() >= 2)
        ASSERT_OK(inventory.replaceContainers(seeded.vmId, {sampleContainer(seeded.vmId, "web")}));
}

void checkSeeded(Inventory& inventory, const Seeded& seeded, int seededVersion)
{
    if (seededVersion >= 1) {
        auto host = inventory.findHost("qemu:///system");
        ASSERT_OK(host);
        ASSERT_TRUE(host->has_value());
        EXPECT_EQ((*host)->id, seeded.hostId);
        EXPECT_EQ(**inventory.findImage("sha256-1"), sampleImage("sha256-1"));
        auto vm = inventory.findVmById(seeded.vmId);
        ASSERT_OK(vm);
        ASSERT_TRUE(vm->has_value());
        EXPECT_EQ((*vm)->name, "demo");
        EXPECT_EQ((*vm)->imageId, "sha256-1");
        EXPECT_EQ((*vm)->bootToReadyMs, 2345);
        auto op = inventory.findOperation(seeded.operationId);
        ASSERT_OK(op);
        EXPECT_EQ((*op)->detailsJson, R"({"step":1})");
        EXPECT_EQ((*op)->result, OperationOutcome::Running);
    }
    if (seededVersion >= 2) {
        auto containers = inventory.containers(seeded.vmId);
        ASSERT_OK(containers);
        ASSERT_EQ(containers->size(), 1u);
        EXPECT_EQ(containers->front().specJson, sampleContainer(0, "web").specJson);
    }
}

// The newest tables take rows after the upgrade.
void useEveryTable(Inventory& inventory)
{
    auto host = inventory.ensureHost("qemu+ssh://other/system", "other");
    ASSERT_OK(host);
    auto vmId = inventory.insertVm(sampleVm(host->id, "fresh"));
    ASSERT_OK(vmId);
    ASSERT_OK(inventory.upsertContainer(sampleContainer(*vmId, "db")));
    ASSERT_OK(inventory.insertCheckpoint(sampleCheckpoint("c0ffee", *vmId)));
    auto found = inventory.findCheckpoint("c0f");
    ASSERT_OK(found);
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->vmId, *vmId);
    ASSERT_OK(inventory.insertContainerImage(sampleContainerImage("redis", 'a')));
    auto image = inventory.findContainerImageByName("redis");
    ASSERT_OK(image);
    ASSERT_TRUE(image->has_value());
    EXPECT_EQ(**image, sampleContainerImage("redis", 'a', (*image)->id));
}

class MigrateFrom : public ::testing::TestWithParam<int> {};

} // namespace

TEST_P(MigrateFrom, EveryOlderVersionReachesTheLatestWithItsRows)
{
    const int from = GetParam();
    TestDirectory dir;
    std::string path = dir.file();
    Seeded seeded;
    {
        auto old = Inventory::openAtVersion(path, from);
        ASSERT_OK(old);
        ASSERT_EQ(old->schemaVersion(), from);
        ASSERT_EQ(fileVersion(path), from);
        seed(*old, seeded);
        ASSERT_FALSE(HasFatalFailure());
    }
    auto inventory = Inventory::open(path);
    ASSERT_OK(inventory);
    EXPECT_EQ(inventory->schemaVersion(), Inventory::latestVersion());
    EXPECT_EQ(fileVersion(path), Inventory::latestVersion());
    checkSeeded(*inventory, seeded, from);
    useEveryTable(*inventory);
}

INSTANTIATE_TEST_SUITE_P(Inventory, MigrateFrom, ::testing::Range(0, latestSchemaVersion()));

TEST(Migrations, EachStepAddsItsTables)
{
    TestDirectory dir;
    std::string path = dir.file();
    const std::vector<std::vector<std::string>> expected{
        {},
        {"hosts", "images", "operations", "vms"},
        {"containers", "hosts", "images", "operations", "vms"},
        {"checkpoints", "containers", "hosts", "images", "operations", "vms"},
        {"checkpoint_criu_stats", "checkpoint_pids", "checkpoints", "containers", "hosts", "images", "operations",
         "vms"},
        {"checkpoint_criu_stats", "checkpoint_pids", "checkpoints", "container_images", "containers", "hosts",
         "images", "operations", "vms"},
        {"checkpoint_criu_stats", "checkpoint_pids", "checkpoints", "container_addresses", "container_images",
         "containers", "hosts", "images", "operations", "vms"},
    };
    ASSERT_EQ(static_cast<int>(expected.size()), Inventory::latestVersion() + 1);
    for (int version = 0; version <= Inventory::latestVersion(); ++version) {
        ASSERT_OK(Inventory::openAtVersion(path, version));
        EXPECT_EQ(tableNames(path), expected[version]) << "version " << version;
    }
}

TEST(Migrations, StepsAreNumberedInOrder)
{
    const auto& steps = schemaMigrations();
    ASSERT_EQ(steps.size(), 6u);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        EXPECT_EQ(steps[i].version, static_cast<int>(i) + 1);
        EXPECT_FALSE(steps[i].statements.empty());
    }
}

TEST(Migrations, TablesOfLaterVersionsAreAbsentBefore)
{
    auto inventory = Inventory::openAtVersion(":memory:", 1);
    ASSERT_OK(inventory);
    auto containers = inventory->containers(1);
    ASSERT_FALSE(containers);
    EXPECT_NE(containers.error().message.find("no such table: containers"), std::string::npos);
}

TEST(Migrations, ContainerImagesArriveWithVersion5)
{
    TestDirectory dir;
    std::string path = dir.file();
    {
        auto old = Inventory::openAtVersion(path, 4);
        ASSERT_OK(old);
        auto images = old->containerImages();
        ASSERT_FALSE(images);
        EXPECT_NE(images.error().message.find("no such table: container_images"), std::string::npos);
    }
    auto inventory = Inventory::openAtVersion(path, 5);
    ASSERT_OK(inventory);
    EXPECT_EQ(fileVersion(path), 5);
    auto images = inventory->containerImages();
    ASSERT_OK(images);
    EXPECT_TRUE(images->empty());
}

TEST(Migrations, NewerFileIsRefused)
{
    TestDirectory dir;
    std::string path = dir.file();
    ASSERT_OK(Inventory::open(path));
    {
        auto db = Database::open(path);
        ASSERT_OK(db);
        ASSERT_OK(db->exec("pretending to be newer", "PRAGMA user_version = 8"));
    }
    auto inventory = Inventory::open(path);
    ASSERT_FALSE(inventory);
    EXPECT_EQ(inventory.error().code, ErrorCode::FailedPrecondition);
    EXPECT_EQ(inventory.error().message, "inventory " + path + " has schema version 8, newer than this Pidvisor (6)");
    EXPECT_FALSE(Inventory::openAtVersion(path, 1));
    EXPECT_EQ(fileVersion(path), 8); // untouched
}

TEST(Migrations, UnknownTargetVersionIsRefused)
{
    auto inventory = Inventory::openAtVersion(":memory:", Inventory::latestVersion() + 1);
    ASSERT_FALSE(inventory);
    EXPECT_EQ(inventory.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(inventory.error().message, "inventory schema version 7 is unknown (latest is 6)");
}

TEST(Migrations, ReopeningAtTheLatestChangesNothing)
{
    TestDirectory dir;
    ASSERT_OK(Inventory::open(dir.file()));
    auto again = Inventory::open(dir.file());
    ASSERT_OK(again);
    EXPECT_EQ(again->schemaVersion(), Inventory::latestVersion());
}

TEST(Migrations, SeveralOpenersOfANewFileAllSucceed)
{
    // The CLI and the GUI starting together on a fresh install: each step
    // runs once, the others see it done under the write lock.
    TestDirectory dir;
    std::string path = dir.file();
    std::vector<std::thread> threads;
    std::vector<int> versions(4, -1);
    std::vector<std::string> errors(4);
    for (std::size_t i = 0; i < versions.size(); ++i)
        threads.emplace_back([&, i] {
            auto inventory = Inventory::open(path);
            if (inventory)
                versions[i] = inventory->schemaVersion();
            else
                errors[i] = inventory.error().describe();
        });
    for (auto& thread : threads)
        thread.join();
    for (std::size_t i = 0; i < versions.size(); ++i)
        EXPECT_EQ(versions[i], Inventory::latestVersion()) << errors[i];
}
