// The states in inventory rows: records hold the enums (core/States.h),
// SQLite holds the words it always held ("shut off", "running",
// "cancelled"), so files written before the enums read the same and need
// no migration.
#include "InventoryTestSupport.h"

#include "inventory/Database.h"

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

TEST(InventoryStates, EveryWordReadsBackAsItsEnum)
{
    for (VmState s : {VmState::NoState, VmState::Running, VmState::Idle, VmState::Paused, VmState::InShutdown,
                      VmState::ShutOff, VmState::Crashed, VmState::Suspended})
        EXPECT_EQ(vmState(vmStateText(s)), s) << vmStateText(s);
    for (ContainerState s : {ContainerState::Creating, ContainerState::Running, ContainerState::Stopped})
        EXPECT_EQ(containerState(containerStateText(s)), s) << containerStateText(s);
    for (OperationOutcome o :
         {OperationOutcome::Running, OperationOutcome::Ok, OperationOutcome::Error, OperationOutcome::Cancelled})
        EXPECT_EQ(operationOutcome(operationOutcomeText(o)), o) << operationOutcomeText(o);

    EXPECT_EQ(vmStateText(VmState::ShutOff), "shut off");
    EXPECT_EQ(vmStateText(VmState::Suspended), "pmsuspended");
    EXPECT_EQ(containerStateText(ContainerState::Stopped), "stopped");
    EXPECT_EQ(operationOutcomeText(OperationOutcome::Cancelled), "cancelled");
    // What the manager never wrote reads as the safe side.
    EXPECT_EQ(vmState(""), VmState::NoState);
    EXPECT_EQ(containerState("paused"), ContainerState::Stopped);
}

TEST(InventoryStates, RowsHoldTheWords)
{
    TestDirectory dir;
    {
        auto inventory = Inventory::open(dir.file());
        ASSERT_OK(inventory);
        auto host = inventory->ensureHost("qemu:///system", "local");
        ASSERT_OK(host);
        VmRecord vm = sampleVm(host->id, "demo");
        vm.state = VmState::ShutOff;
        auto vmId = inventory->insertVm(vm);
        ASSERT_OK(vmId);
        ContainerRecord web = sampleContainer(*vmId, "web");
        web.state = ContainerState::Running;
        ASSERT_OK(inventory->upsertContainer(web));
        auto op = inventory->beginOperation("vm.stop", "demo");
        ASSERT_OK(op);
        ASSERT_OK(inventory->endOperation(*op, fail(ErrorCode::Cancelled, "cancelled by the user")));
    }
    auto db = Database::open(dir.file());
    ASSERT_OK(db);
    EXPECT_EQ(db->queryText("reading", "SELECT state FROM vms").value_or("?"), "shut off");
    EXPECT_EQ(db->queryText("reading", "SELECT state FROM containers").value_or("?"), "running");
    EXPECT_EQ(db->queryText("reading", "SELECT result FROM operations").value_or("?"), "cancelled");
}

TEST(InventoryStates, WordsWrittenEarlierReadAsEnums)
{
    TestDirectory dir;
    std::int64_t vmId = 0;
    {
        auto inventory = Inventory::open(dir.file());
        ASSERT_OK(inventory);
        auto host = inventory->ensureHost("qemu:///system", "local");
        ASSERT_OK(host);
        auto id = inventory->insertVm(sampleVm(host->id, "demo"));
        ASSERT_OK(id);
        vmId = *id;
        ASSERT_OK(inventory->upsertContainer(sampleContainer(vmId, "web")));
    }
    {
        auto db = Database::open(dir.file());
        ASSERT_OK(db);
        ASSERT_OK(db->exec("writing old words", "UPDATE vms SET state = 'paused'"));
        ASSERT_OK(db->exec("writing old words", "UPDATE containers SET state = 'stopped'"));
    }
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    auto vm = inventory->findVmById(vmId);
    ASSERT_OK(vm);
    ASSERT_TRUE(vm->has_value());
    EXPECT_EQ((*vm)->state, VmState::Paused);
    auto containers = inventory->containers(vmId);
    ASSERT_OK(containers);
    ASSERT_EQ(containers->size(), 1u);
    EXPECT_EQ(containers->front().state, ContainerState::Stopped);
}
