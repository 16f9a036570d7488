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

TEST_F(InventoryCheckpoints, ProcessesAndDurationsRoundTripAndUpdatesReplaceThem)
{
    CheckpointRecord checkpoint = sampleCheckpoint("abc", m_vmId);
    ASSERT_OK(inv().insertCheckpoint(checkpoint));
    CheckpointRecord stored = **inv().findCheckpoint("abc");
    EXPECT_EQ(stored.processes, checkpoint.processes);
    EXPECT_EQ(stored.durations, checkpoint.durations);
    EXPECT_EQ(stored.durations.total(), 170);

    checkpoint.processes = {{3, 0, 3, 3, 1, 0, "init"}};
    checkpoint.durations = {};
    checkpoint.durations.transferMs = 9;
    checkpoint.durations.criu = {{"pages_scanned", 77}};
    ASSERT_OK(inv().updateCheckpoint(checkpoint));
    EXPECT_EQ(**inv().findCheckpoint("ab"), checkpoint);
    EXPECT_EQ((*inv().checkpoints()).front(), checkpoint);
}

TEST_F(InventoryCheckpoints, NothingMeasuredAndNoProcessesStayEmpty)
{
    // What the '{}' default of version 3 meant: no map, nothing measured.
    CheckpointRecord bare = sampleCheckpoint("bare", m_vmId);
    bare.processes.clear();
    bare.durations = {};
    ASSERT_OK(inv().insertCheckpoint(bare));
    CheckpointRecord stored = **inv().findCheckpoint("bare");
    EXPECT_EQ(stored, bare);
    EXPECT_EQ(stored.durations.total(), std::nullopt);
}

TEST_F(InventoryCheckpoints, BadProcessesAndDurationsAreRefusedAndChangeNothing)
{
    struct Case {
        const char* what;
        void (*spoil)(CheckpointRecord&);
        const char* message;
    };
    const Case cases[] = {
        {"repeated vpid", [](CheckpointRecord& c) { c.processes.push_back({7, 1, 1, 1, 1, 0, ""}); },
         "inventory: checkpoint 'abc' lists virtual pid 7 twice"},
        {"vpid 0", [](CheckpointRecord& c) { c.processes.front().virtualPid = 0; },
         "inventory: checkpoint 'abc' has virtual pid 0 (must be positive)"},
        {"negative pid", [](CheckpointRecord& c) { c.processes.front().vmPid = -1; },
         "inventory: checkpoint 'abc': process 1 has a negative number"},
        {"negative duration", [](CheckpointRecord& c) { c.durations.hashMs = -4; },
         "inventory: checkpoint 'abc' has a negative duration"},
        {"repeated stat", [](CheckpointRecord& c) { c.durations.criu.push_back({"pages_written", 1}); },
         "inventory: checkpoint 'abc' lists the CRIU statistic 'pages_written' twice"},
        {"unnamed stat", [](CheckpointRecord& c) { c.durations.criu.push_back({"", 1}); },
         "inventory: checkpoint 'abc' has a CRIU statistic without a name"},
    };
    for (const Case& c : cases) {
        CheckpointRecord bad = sampleCheckpoint("abc", m_vmId);
        c.spoil(bad);
        Status inserted = inv().insertCheckpoint(bad);
        ASSERT_FALSE(inserted) << c.what;
        EXPECT_EQ(inserted.error().code, ErrorCode::InvalidArgument) << c.what;
        EXPECT_EQ(inserted.error().message, c.message) << c.what;
        EXPECT_EQ(*inv().findCheckpoint("abc"), std::nullopt) << c.what;
    }
    CheckpointRecord good = sampleCheckpoint("abc", m_vmId);
    ASSERT_OK(inv().insertCheckpoint(good));
    for (const Case& c : cases) {
        CheckpointRecord bad = good;
        c.spoil(bad);
        bad.status = "corrupt";
        Status updated = inv().updateCheckpoint(bad);
        ASSERT_FALSE(updated) << c.what;
        EXPECT_EQ(updated.error().message, c.message) << c.what;
        EXPECT_EQ(**inv().findCheckpoint("abc"), good) << c.what;
    }
}
