// Inventory: checkpoints, found by id or unique prefix.
#include "InventoryTestSupport.h"

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

class InventoryCheckpoints : public InventoryWithVm {
};

} // namespace

TEST_F(InventoryCheckpoints, InsertAndFindRoundTripEveryField)
{
    CheckpointRecord linked = sampleCheckpoint("1b4e28ba-2fa1-11d2-883f-0016d3cca427", m_vmId);
    ASSERT_OK(inv().insertCheckpoint(linked));
    EXPECT_EQ(**inv().findCheckpoint(linked.id), linked);

    CheckpointRecord unlinked = sampleCheckpoint("9f0e0000-0000-0000-0000-000000000000", std::nullopt);
    unlinked.createdAt = 0; // the inventory stamps it
    unlinked.status = "partial";
    ASSERT_OK(inv().insertCheckpoint(unlinked));
    CheckpointRecord stored = **inv().findCheckpoint(unlinked.id);
    EXPECT_EQ(stored.vmId, std::nullopt);
    EXPECT_GT(stored.createdAt, 1600000000000);
    unlinked.createdAt = stored.createdAt;
    EXPECT_EQ(stored, unlinked);
}

TEST_F(InventoryCheckpoints, DuplicateIdAndUnknownVmAreRefused)
{
    ASSERT_OK(inv().insertCheckpoint(sampleCheckpoint("abc", m_vmId)));
    Status duplicate = inv().insertCheckpoint(sampleCheckpoint("abc", m_vmId));
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(duplicate.error().message, "inventory: inserting checkpoint 'abc': UNIQUE constraint failed: checkpoints.id");

    Status orphan = inv().insertCheckpoint(sampleCheckpoint("def", 9999));
    ASSERT_FALSE(orphan);
    EXPECT_EQ(orphan.error().code, ErrorCode::NotFound);
}

TEST_F(InventoryCheckpoints, FindByUniquePrefix)
{
    for (const char* id : {"ab12", "ab34", "ab56", "cd78", "ef", "ef90"})
        ASSERT_OK(inv().insertCheckpoint(sampleCheckpoint(id, m_vmId)));
    EXPECT_EQ((*inv().findCheckpoint("cd"))->id, "cd78");
    EXPECT_EQ((*inv().findCheckpoint("ab3"))->id, "ab34");
    EXPECT_EQ((*inv().findCheckpoint("ab12"))->id, "ab12");
    // An exact id wins over the longer ids it is a prefix of.
    EXPECT_EQ((*inv().findCheckpoint("ef"))->id, "ef");
    EXPECT_EQ(*inv().findCheckpoint("zz"), std::nullopt);
    EXPECT_EQ(*inv().findCheckpoint("ab123"), std::nullopt);

    auto ambiguous = inv().findCheckpoint("ab");
    ASSERT_FALSE(ambiguous);
    EXPECT_EQ(ambiguous.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(ambiguous.error().message, "checkpoint prefix 'ab' is ambiguous (3 matches)");

    auto empty = inv().findCheckpoint("");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::InvalidArgument);
}

TEST_F(InventoryCheckpoints, PrefixesAreLiteralAndCaseSensitive)
{
    ASSERT_OK(inv().insertCheckpoint(sampleCheckpoint("abc", m_vmId)));
    EXPECT_EQ(*inv().findCheckpoint("%"), std::nullopt);
    EXPECT_EQ(*inv().findCheckpoint("_"), std::nullopt);
    EXPECT_EQ(*inv().findCheckpoint("a_c"), std::nullopt);
    EXPECT_EQ(*inv().findCheckpoint("AB"), std::nullopt);
    ASSERT_OK(inv().insertCheckpoint(sampleCheckpoint("a%c", m_vmId)));
    EXPECT_EQ((*inv().findCheckpoint("a%"))->id, "a%c");
}

TEST_F(InventoryCheckpoints, UpdateAndDelete)
{
    CheckpointRecord checkpoint = sampleCheckpoint("abc", m_vmId);
    ASSERT_OK(inv().insertCheckpoint(checkpoint));
    checkpoint.status = "corrupt";
    checkpoint.sizeBytes = 1;
    checkpoint.vmId.reset();
    ASSERT_OK(inv().updateCheckpoint(checkpoint));
    EXPECT_EQ(**inv().findCheckpoint("abc"), checkpoint);

    ASSERT_OK(inv().deleteCheckpoint("abc"));
    EXPECT_EQ(*inv().findCheckpoint("abc"), std::nullopt);
    Status again = inv().deleteCheckpoint("abc");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::NotFound);
    EXPECT_EQ(again.error().message, "inventory: no checkpoint 'abc'");
    Status update = inv().updateCheckpoint(checkpoint);
    ASSERT_FALSE(update);
    EXPECT_EQ(update.error().code, ErrorCode::NotFound);
}

TEST_F(InventoryCheckpoints, ListsAreNewestFirst)
{
    auto host = inv().ensureHost("qemu:///system", "local");
    auto other = inv().insertVm(sampleVm(host->id, "other"));
    ASSERT_OK(other);
    CheckpointRecord old = sampleCheckpoint("old", m_vmId);
    old.createdAt = 1000;
    CheckpointRecord mid = sampleCheckpoint("mid", *other);
    mid.createdAt = 2000;
    CheckpointRecord fresh = sampleCheckpoint("new", m_vmId);
    fresh.createdAt = 3000;
    for (const auto& checkpoint : {mid, old, fresh})
        ASSERT_OK(inv().insertCheckpoint(checkpoint));
    EXPECT_EQ(*inv().checkpoints(), (std::vector<CheckpointRecord>{fresh, mid, old}));
    EXPECT_EQ(*inv().checkpointsForVm(m_vmId), (std::vector<CheckpointRecord>{fresh, old}));
    EXPECT_EQ(*inv().checkpointsForVm(*other), (std::vector<CheckpointRecord>{mid}));
}
