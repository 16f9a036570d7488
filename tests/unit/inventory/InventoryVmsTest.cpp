// Inventory: VMs, their uniqueness per host and what deleting them does.
#include "InventoryTestSupport.h"

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

class InventoryVms : public InMemoryInventory {
};

} // namespace

TEST_F(InventoryVms, InsertAndFindRoundTripEveryField)
{
    ASSERT_OK(inv().upsertImage(sampleImage("sha256-1")));
    VmRecord vm = sampleVm(m_hostId, "demo");
    vm.imageId = "sha256-1";
    vm.missing = true;
    auto id = inv().insertVm(vm);
    ASSERT_OK(id);
    auto found = inv().findVm(m_hostId, "demo");
    ASSERT_OK(found);
    ASSERT_TRUE(found->has_value());
    const VmRecord& stored = **found;
    EXPECT_GT(stored.updatedAt, 0);
    vm.id = *id;
    vm.updatedAt = stored.updatedAt;
    EXPECT_EQ(stored, vm);
    EXPECT_EQ(**inv().findVmById(*id), vm);

    VmRecord bare = sampleVm(m_hostId, "bare");
    bare.bootToReadyMs.reset();
    bare.createdAt = 0; // the inventory stamps it
    auto bareId = inv().insertVm(bare);
    ASSERT_OK(bareId);
    const VmRecord storedBare = **inv().findVmById(*bareId);
    EXPECT_EQ(storedBare.bootToReadyMs, std::nullopt);
    EXPECT_EQ(storedBare.imageId, "");
    EXPECT_FALSE(storedBare.missing);
    EXPECT_GT(storedBare.createdAt, 1600000000000);

    EXPECT_EQ(*inv().findVm(m_hostId, "nope"), std::nullopt);
    EXPECT_EQ(*inv().findVmById(9999), std::nullopt);
}

TEST_F(InventoryVms, NamesAreUniquePerHost)
{
    ASSERT_OK(inv().insertVm(sampleVm(m_hostId, "demo")));
    auto duplicate = inv().insertVm(sampleVm(m_hostId, "demo"));
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(duplicate.error().message, "inventory: inserting vm 'demo': UNIQUE constraint failed: vms.host_id, vms.name");

    auto other = inv().ensureHost("qemu+ssh://build/system", "build");
    ASSERT_OK(other);
    EXPECT_OK(inv().insertVm(sampleVm(other->id, "demo")));
    EXPECT_EQ(inv().vms()->size(), 2u);
}

TEST_F(InventoryVms, ReferencesMustExist)
{
    auto noHost = inv().insertVm(sampleVm(m_hostId + 100, "demo"));
    ASSERT_FALSE(noHost);
    EXPECT_EQ(noHost.error().code, ErrorCode::NotFound);
    EXPECT_EQ(noHost.error().message, "inventory: inserting vm 'demo': FOREIGN KEY constraint failed");

    VmRecord vm = sampleVm(m_hostId, "demo");
    vm.imageId = "sha256-never-built";
    auto noImage = inv().insertVm(vm);
    ASSERT_FALSE(noImage);
    EXPECT_EQ(noImage.error().code, ErrorCode::NotFound);
}

TEST_F(InventoryVms, FieldsAreChecked)
{
    VmRecord vm = sampleVm(m_hostId, "demo");
    vm.accel = "hvf";
    auto accel = inv().insertVm(vm);
    ASSERT_FALSE(accel);
    EXPECT_EQ(accel.error().code, ErrorCode::InvalidArgument);
    auto unnamed = inv().insertVm(sampleVm(m_hostId, ""));
    ASSERT_FALSE(unnamed);
    EXPECT_EQ(unnamed.error().code, ErrorCode::InvalidArgument);
}

TEST_F(InventoryVms, UpdateWritesEveryField)
{
    auto id = inv().insertVm(sampleVm(m_hostId, "demo"));
    ASSERT_OK(id);
    VmRecord vm = **inv().findVmById(*id);
    vm.state = VmState::ShutOff;
    vm.accel = "kvm";
    vm.memoryMiB = 4096;
    vm.vcpus = 8;
    vm.bootToReadyMs.reset();
    vm.agentVersion = "0.2.0";
    vm.name = "renamed";
    ASSERT_OK(inv().updateVm(vm));
    VmRecord stored = **inv().findVmById(*id);
    vm.updatedAt = stored.updatedAt;
    EXPECT_EQ(stored, vm);
    EXPECT_EQ(*inv().findVm(m_hostId, "demo"), std::nullopt);

    ASSERT_OK(inv().insertVm(sampleVm(m_hostId, "taken")));
    vm.name = "taken";
    Status clash = inv().updateVm(vm);
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().code, ErrorCode::AlreadyExists);

    vm.id = 9999;
    vm.name = "ghost";
    Status missing = inv().updateVm(vm);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_EQ(missing.error().message, "inventory: no vm with id 9999");
}

TEST_F(InventoryVms, StateAndMissingFlag)
{
    auto id = inv().insertVm(sampleVm(m_hostId, "demo"));
    ASSERT_OK(id);
    ASSERT_OK(inv().setVmState(*id, VmState::Paused));
    ASSERT_OK(inv().setVmMissing(*id, true));
    VmRecord vm = **inv().findVmById(*id);
    EXPECT_EQ(vm.state, VmState::Paused);
    EXPECT_TRUE(vm.missing);
    ASSERT_OK(inv().setVmMissing(*id, false));
    EXPECT_FALSE((*inv().findVmById(*id))->missing);

    EXPECT_EQ(inv().setVmState(9999, VmState::Running).error().code, ErrorCode::NotFound);
    EXPECT_EQ(inv().setVmMissing(9999, true).error().code, ErrorCode::NotFound);
}

TEST_F(InventoryVms, ListsAllOrByHost)
{
    auto other = inv().ensureHost("qemu+ssh://build/system", "build");
    ASSERT_OK(other);
    ASSERT_OK(inv().insertVm(sampleVm(m_hostId, "zeta")));
    ASSERT_OK(inv().insertVm(sampleVm(other->id, "beta")));
    ASSERT_OK(inv().insertVm(sampleVm(m_hostId, "alpha")));
    auto names = [](const std::vector<VmRecord>& vms) {
        std::vector<std::string> result;
        for (const auto& vm : vms)
            result.push_back(vm.name);
        return result;
    };
    EXPECT_EQ(names(*inv().vms()), (std::vector<std::string>{"alpha", "zeta", "beta"}));
    EXPECT_EQ(names(*inv().vms(m_hostId)), (std::vector<std::string>{"alpha", "zeta"}));
    EXPECT_EQ(names(*inv().vms(other->id)), (std::vector<std::string>{"beta"}));
    EXPECT_TRUE(inv().vms(9999)->empty());
}

TEST_F(InventoryVms, DeletingAVmCascadesContainersAndKeepsCheckpoints)
{
    auto id = inv().insertVm(sampleVm(m_hostId, "demo"));
    ASSERT_OK(id);
    ASSERT_OK(inv().replaceContainers(*id, {sampleContainer(*id, "web"), sampleContainer(*id, "db")}));
    ASSERT_OK(inv().insertCheckpoint(sampleCheckpoint("cp-1", *id)));
    ASSERT_OK(inv().deleteVm(*id));

    EXPECT_EQ(*inv().findVmById(*id), std::nullopt);
    EXPECT_TRUE(inv().containers(*id)->empty());
    auto checkpoint = inv().findCheckpoint("cp-1");
    ASSERT_OK(checkpoint);
    ASSERT_TRUE(checkpoint->has_value());
    EXPECT_EQ((*checkpoint)->vmId, std::nullopt);
    EXPECT_EQ((*checkpoint)->vmName, "demo"); // still says where it came from

    Status again = inv().deleteVm(*id);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::NotFound);
}

TEST_F(InventoryVms, ForeignKeysHoldInAFileToo)
{
    TestDirectory dir;
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    auto host = inventory->ensureHost("qemu:///system", "local");
    auto id = inventory->insertVm(sampleVm(host->id, "demo"));
    ASSERT_OK(id);
    ASSERT_OK(inventory->upsertContainer(sampleContainer(*id, "web")));
    ASSERT_OK(inventory->insertCheckpoint(sampleCheckpoint("cp-1", *id)));
    ASSERT_OK(inventory->deleteVm(*id));
    EXPECT_TRUE(inventory->containers(*id)->empty());
    EXPECT_EQ((*inventory->findCheckpoint("cp-1"))->vmId, std::nullopt);
}
