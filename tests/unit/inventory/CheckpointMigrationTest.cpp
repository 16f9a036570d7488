// Migration 4: a version-3 file, its checkpoints written the way version 3
// stored them (pid map and durations as JSON text, including the '{}'
// default that is an object where the pid map is an array), comes out with
// every process as a row and every duration as a column.
#include "InventoryTestSupport.h"

#include "inventory/Database.h"
#include "inventory/Migrations.h"

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

// The checkpoints table exactly as version 3 released it. The test writes
// it itself, so the rows below are what an old file holds whatever later
// steps do; the first test checks step 3 still creates this table.
constexpr const char* kVersion3Checkpoints = R"sql(CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY CHECK (id <> ''),
    vm_id INTEGER REFERENCES vms(id) ON DELETE SET NULL,
    vm_name TEXT NOT NULL,
    container_name TEXT NOT NULL,
    tag TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    path TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    pid_map_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(pid_map_json)),
    kernel_release TEXT NOT NULL DEFAULT '',
    criu_version TEXT NOT NULL DEFAULT '',
    durations_json TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(durations_json)),
    status TEXT NOT NULL CHECK (status <> '')))sql";

// What CheckpointService wrote for a checkpoint (the agent's manifest plus
// the host's transfer and total), for a migration (no total), a row left
// at the column defaults, a hand-written object-shaped map, and damage.
constexpr const char* kVersion3Rows = R"sql(
INSERT INTO hosts (id, uri, name, added_at) VALUES (1, 'qemu:///system', 'local', 1);
INSERT INTO vms (id, host_id, name, accel, kernel, memory_mib, vcpus, created_at, updated_at)
    VALUES (1, 1, 'demo', 'tcg', 'stock', 512, 1, 1, 1);
INSERT INTO checkpoints (id, vm_id, vm_name, container_name, tag, created_at, path, size_bytes, sha256,
                         pid_map_json, kernel_release, criu_version, durations_json, status)
VALUES ('agent', 1, 'demo', 'web', 'nightly', 3000, '/store/agent', 8192, 'ab',
        '[{"vpid":1,"vppid":0,"pgid":1,"sid":1,"threads":1,"pid":4242,"comm":"sh"},
          {"vpid":7,"vppid":1,"pgid":1,"sid":1,"threads":3,"pid":4250,"comm":"worker"}]',
        '6.12.57', '4.1.1',
        '{"dump":120,"hash":4,"transfer_ms":30,"transfer_bytes":8192,"total_ms":170,
          "criu":{"frozen_time_us":900,"pages_written":12}}',
        'complete');
INSERT INTO checkpoints (id, vm_id, vm_name, container_name, created_at, path, pid_map_json, durations_json, status)
VALUES ('migration', 1, 'demo', 'web', 2000, '/store/migration',
        '[{"vpid":1,"vppid":0,"pgid":1,"sid":1,"threads":1,"pid":0,"comm":""}]',
        '{"dump":200,"hash":10,"transfer_ms":55,"criu":{}}', 'complete');
INSERT INTO checkpoints (id, vm_name, container_name, created_at, path, status)
VALUES ('defaults', 'gone', 'db', 1000, '/store/defaults', 'partial');
INSERT INTO checkpoints (id, vm_name, container_name, created_at, path, pid_map_json, durations_json, status)
VALUES ('object', 'gone', 'db', 500, '/store/object', '{"2":1002,"1":1001}', '{"dump_ms":300}', 'complete');
INSERT INTO checkpoints (id, vm_name, container_name, created_at, path, pid_map_json, durations_json, status)
VALUES ('damaged', 'gone', 'db', 100, '/store/damaged',
        '[{"vpid":3,"pid":-5,"comm":7},{"pid":9},{"vpid":0},{"vpid":"4"},{"vpid":3,"pid":99},5]',
        '{"dump":-1,"hash":"slow","transfer_ms":12.9,"criu":{"pages_written":"many","frozen_time_us":3}}', 'corrupt');
)sql";

std::string createdSql(const std::string& path, const std::string& table)
{
    auto db = Database::open(path);
    if (!db)
        return db.error().describe();
    auto sql = db->queryText("reading the schema", "SELECT sql FROM sqlite_schema WHERE name = '" + table + "'");
    return sql ? *sql : sql.error().describe();
}

// A version-3 file holding kVersion3Rows; steps 1 and 2 come from the
// migrations (this step does not touch their tables).
void writeVersion3File(const std::string& path)
{
    ASSERT_OK(Inventory::openAtVersion(path, 2));
    auto db = Database::open(path);
    ASSERT_OK(db);
    ASSERT_OK(db->exec("creating the version 3 checkpoints", kVersion3Checkpoints));
    ASSERT_OK(db->exec("indexing", "CREATE INDEX checkpoints_vm_id ON checkpoints(vm_id)"));
    ASSERT_OK(db->exec("indexing", "CREATE INDEX checkpoints_created_at ON checkpoints(created_at)"));
    ASSERT_OK(db->exec("setting the version", "PRAGMA user_version = 3"));
    ASSERT_OK(db->exec("writing version 3 rows", kVersion3Rows));
}

CheckpointRecord found(Inventory& inventory, const std::string& id)
{
    auto row = inventory.findCheckpoint(id);
    EXPECT_TRUE(row && row->has_value()) << id;
    return row && row->has_value() ? **row : CheckpointRecord{};
}

std::int64_t countRows(const std::string& path, const std::string& sql)
{
    auto db = Database::open(path);
    if (!db)
        return -1;
    return db->queryInt64("counting", sql).value_or(-1);
}

} // namespace

TEST(CheckpointMigration, StepThreeStillCreatesTheTableThisTestWrites)
{
    TestDirectory dir;
    ASSERT_OK(Inventory::openAtVersion(dir.file(), 3));
    EXPECT_EQ(createdSql(dir.file(), "checkpoints"), kVersion3Checkpoints);
}

TEST(CheckpointMigration, AgentRowsBecomeProcessesAndDurations)
{
    TestDirectory dir;
    writeVersion3File(dir.file());
    ASSERT_FALSE(HasFatalFailure());
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    EXPECT_EQ(inventory->schemaVersion(), Inventory::latestVersion());

    CheckpointRecord agent = found(*inventory, "agent");
    EXPECT_EQ(agent.processes, (std::vector<CheckpointProcess>{{1, 0, 1, 1, 1, 4242, "sh"},
                                                                {7, 1, 1, 1, 3, 4250, "worker"}}));
    CheckpointDurations want;
    want.dumpMs = 120;
    want.hashMs = 4;
    want.transferMs = 30;
    want.transferBytes = 8192;
    want.totalMs = 170;
    want.criu = {{"frozen_time_us", 900}, {"pages_written", 12}};
    EXPECT_EQ(agent.durations, want);
    // The other columns are untouched.
    EXPECT_EQ(agent.vmId, 1);
    EXPECT_EQ(agent.tag, "nightly");
    EXPECT_EQ(agent.sizeBytes, 8192);
    EXPECT_EQ(agent.criuVersion, "4.1.1");
    EXPECT_EQ(agent.status, "complete");

    // A migration stored no total: the phases add up to one.
    CheckpointRecord migration = found(*inventory, "migration");
    EXPECT_EQ(migration.processes, (std::vector<CheckpointProcess>{{1, 0, 1, 1, 1, 0, ""}}));
    EXPECT_EQ(migration.durations.totalMs, std::nullopt);
    EXPECT_EQ(migration.durations.transferBytes, std::nullopt);
    EXPECT_TRUE(migration.durations.criu.empty());
    EXPECT_EQ(migration.durations.total(), 265);
}

TEST(CheckpointMigration, TheEmptyObjectDefaultBecomesNoProcessesAndNoDurations)
{
    TestDirectory dir;
    writeVersion3File(dir.file());
    ASSERT_FALSE(HasFatalFailure());
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    CheckpointRecord defaults = found(*inventory, "defaults");
    EXPECT_TRUE(defaults.processes.empty());
    EXPECT_EQ(defaults.durations, CheckpointDurations{});
    EXPECT_EQ(defaults.durations.total(), std::nullopt);
    EXPECT_EQ(defaults.vmId, std::nullopt);
    EXPECT_EQ(defaults.status, "partial");
}

TEST(CheckpointMigration, AnObjectShapedMapKeepsItsPids)
{
    TestDirectory dir;
    writeVersion3File(dir.file());
    ASSERT_FALSE(HasFatalFailure());
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    CheckpointRecord object = found(*inventory, "object");
    EXPECT_EQ(object.processes, (std::vector<CheckpointProcess>{{1, 0, 0, 0, 0, 1001, ""}, {2, 0, 0, 0, 0, 1002, ""}}));
    EXPECT_EQ(object.durations.dumpMs, 300);
    EXPECT_EQ(object.durations.total(), 300);
}

TEST(CheckpointMigration, DamagedEntriesAreDroppedNotGuessed)
{
    TestDirectory dir;
    writeVersion3File(dir.file());
    ASSERT_FALSE(HasFatalFailure());
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    CheckpointRecord damaged = found(*inventory, "damaged");
    // vpid 3 once (the first wins), its negative pid and non-text comm
    // unknown; no vpid, vpid 0, a string vpid and a bare number are gone.
    EXPECT_EQ(damaged.processes, (std::vector<CheckpointProcess>{{3, 0, 0, 0, 0, 0, ""}}));
    EXPECT_EQ(damaged.durations.dumpMs, std::nullopt);
    EXPECT_EQ(damaged.durations.hashMs, std::nullopt);
    EXPECT_EQ(damaged.durations.transferMs, 12);
    EXPECT_EQ(damaged.durations.criu, (std::vector<CriuStat>{{"frozen_time_us", 3}}));
}

TEST(CheckpointMigration, TheJsonColumnsAreGoneAndChildRowsFollowTheirCheckpoint)
{
    TestDirectory dir;
    writeVersion3File(dir.file());
    ASSERT_FALSE(HasFatalFailure());
    auto inventory = Inventory::open(dir.file());
    ASSERT_OK(inventory);
    EXPECT_EQ(countRows(dir.file(), "SELECT count(*) FROM pragma_table_info('checkpoints') "
                                    "WHERE name IN ('pid_map_json', 'durations_json')"),
              0);
    auto all = inventory->checkpoints();
    ASSERT_OK(all);
    ASSERT_EQ(all->size(), 5u);
    EXPECT_EQ(all->front().id, "agent"); // newest first, with their children
    EXPECT_EQ(all->front().processes.size(), 2u);
    EXPECT_EQ(all->front().durations.criu.size(), 2u);
    EXPECT_EQ(countRows(dir.file(), "SELECT count(*) FROM checkpoint_pids"), 6);
    ASSERT_OK(inventory->deleteCheckpoint("agent"));
    EXPECT_EQ(countRows(dir.file(), "SELECT count(*) FROM checkpoint_pids WHERE checkpoint_id = 'agent'"), 0);
    EXPECT_EQ(countRows(dir.file(), "SELECT count(*) FROM checkpoint_criu_stats WHERE checkpoint_id = 'agent'"), 0);
    EXPECT_EQ(countRows(dir.file(), "SELECT count(*) FROM checkpoint_pids"), 4);
}
