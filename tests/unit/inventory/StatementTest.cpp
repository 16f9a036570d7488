// Database and Statement: binding, reading, errors and transactions on a
// private in-memory database.
#include "InventoryTestSupport.h"

#include "inventory/Database.h"
#include "inventory/SqliteError.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

using namespace pidvisor;
using namespace pidvisor::manager;
using namespace pidvisor::manager::test;

namespace {

Database memoryDatabase()
{
    auto db = Database::open(":memory:");
    if (!db)
        throw std::runtime_error(db.error().describe());
    auto created = db->exec("creating t", "CREATE TABLE t (i INTEGER, d REAL, s TEXT UNIQUE, n INTEGER)");
    if (!created)
        throw std::runtime_error(created.error().describe());
    return std::move(*db);
}

} // namespace

TEST(Statement, BindsAndReadsEveryType)
{
    Database db = memoryDatabase();
    auto insert = db.prepare("inserting", "INSERT INTO t VALUES (?, :d, :s, :n)");
    ASSERT_OK(insert);
    insert->bindInt64(1, 1LL << 40).bindDouble(":d", 2.5).bindText(":s", "h\xc3\xa9llo").bindOptionalInt64(":n", {});
    ASSERT_OK(insert->run());
    insert->reset();
    insert->bindInt64(1, -1).bindDouble(2, 0).bindTextOrNull(":s", "").bindOptionalInt64(":n", 7);
    ASSERT_OK(insert->run());

    auto select = db.prepare("reading", "SELECT i, d, s, n FROM t ORDER BY i DESC");
    ASSERT_OK(select);
    ASSERT_EQ(select->columnCount(), 4);
    auto row = select->step();
    ASSERT_OK(row);
    ASSERT_TRUE(*row);
    EXPECT_EQ(select->columnInt64(0), 1LL << 40);
    EXPECT_DOUBLE_EQ(select->columnDouble(1), 2.5);
    EXPECT_EQ(select->columnText(2), "h\xc3\xa9llo");
    EXPECT_EQ(select->columnOptionalInt64(3), std::nullopt);
    ASSERT_TRUE(*select->step());
    EXPECT_TRUE(select->columnIsNull(2));
    EXPECT_EQ(select->columnText(2), "");
    EXPECT_EQ(select->columnOptionalInt64(3), 7);
    EXPECT_FALSE(*select->step());
}

TEST(Statement, TextWithNulBytesRoundTrips)
{
    Database db = memoryDatabase();
    std::string text("a\0b", 3);
    auto insert = db.prepare("inserting", "INSERT INTO t (s) VALUES (:s)");
    ASSERT_OK(insert);
    insert->bindText(":s", text);
    ASSERT_OK(insert->run());
    auto select = db.prepare("reading", "SELECT s FROM t");
    ASSERT_OK(select);
    auto value = select->first([](const Statement& row) { return row.columnText(0); });
    ASSERT_OK(value);
    EXPECT_EQ(**value, text);
}

TEST(Statement, UnknownParameterIsReportedAtStep)
{
    Database db = memoryDatabase();
    auto insert = db.prepare("inserting a row", "INSERT INTO t (i) VALUES (:i)");
    ASSERT_OK(insert);
    insert->bindInt64(":nope", 1).bindInt64(":i", 2);
    auto done = insert->run();
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, ErrorCode::Internal);
    EXPECT_EQ(done.error().message, "inventory: inserting a row: no SQL parameter :nope");
}

TEST(Statement, ErrorsNameWhatWasBeingDoneAndMapTheCode)
{
    Database db = memoryDatabase();
    ASSERT_OK(db.exec("seeding", "INSERT INTO t (s) VALUES ('x')"));
    auto insert = db.prepare("inserting row 'x'", "INSERT INTO t (s) VALUES ('x')");
    ASSERT_OK(insert);
    auto done = insert->run();
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(done.error().message, "inventory: inserting row 'x': UNIQUE constraint failed: t.s");

    auto bad = db.prepare("reading u", "SELECT * FROM u");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::Internal);
    EXPECT_EQ(bad.error().message, "inventory: reading u: no such table: u");
}

TEST(Statement, SqliteCodesMapToWhatTheCallerShouldDo)
{
    EXPECT_EQ(errorCodeForSqlite(SQLITE_CONSTRAINT_UNIQUE), ErrorCode::AlreadyExists);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_CONSTRAINT_PRIMARYKEY), ErrorCode::AlreadyExists);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_CONSTRAINT_FOREIGNKEY), ErrorCode::NotFound);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_CONSTRAINT_CHECK), ErrorCode::InvalidArgument);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_CONSTRAINT_NOTNULL), ErrorCode::InvalidArgument);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_BUSY), ErrorCode::Unavailable);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_BUSY_SNAPSHOT), ErrorCode::Unavailable);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_LOCKED), ErrorCode::Unavailable);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_READONLY), ErrorCode::PermissionDenied);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_FULL), ErrorCode::ResourceExhausted);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_NOTADB), ErrorCode::FailedPrecondition);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_CANTOPEN, EACCES), ErrorCode::PermissionDenied);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_CANTOPEN), ErrorCode::Internal);
    EXPECT_EQ(errorCodeForSqlite(SQLITE_MISUSE), ErrorCode::Internal);
}

TEST(Database, TransactionCommitsAndReturnsTheValue)
{
    Database db = memoryDatabase();
    auto value = db.transaction("adding", [&]() -> Result<int> {
        PV_TRY_STATUS(db.exec("adding", "INSERT INTO t (i) VALUES (1), (2)"));
        return 42;
    });
    ASSERT_OK(value);
    EXPECT_EQ(*value, 42);
    EXPECT_EQ(*db.queryInt64("counting", "SELECT count(*) FROM t"), 2);
}

TEST(Database, TransactionRollsBackWhenTheBodyFails)
{
    Database db = memoryDatabase();
    Status done = db.transaction("adding", [&]() -> Status {
        PV_TRY_STATUS(db.exec("adding", "INSERT INTO t (i) VALUES (1)"));
        return fail(ErrorCode::Cancelled, "stopped half-way");
    });
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, ErrorCode::Cancelled);
    EXPECT_EQ(*db.queryInt64("counting", "SELECT count(*) FROM t"), 0);
    // The connection is usable again: no transaction was left open.
    EXPECT_OK(db.transaction("again", [&]() -> Status { return db.exec("adding", "INSERT INTO t (i) VALUES (3)"); }));
}

TEST(Database, TransactionRollsBackWhenAStatementFails)
{
    Database db = memoryDatabase();
    Status done = db.transaction("adding", [&]() -> Status {
        PV_TRY_STATUS(db.exec("adding one", "INSERT INTO t (s) VALUES ('a')"));
        return db.exec("adding two", "INSERT INTO t (s) VALUES ('a')");
    });
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(*db.queryInt64("counting", "SELECT count(*) FROM t"), 0);
}

TEST(Database, FileThatIsNotADatabaseIsRefusedAtOpen)
{
    TestDirectory dir;
    std::string path = dir.file("garbage.db");
    {
        std::FILE* out = std::fopen(path.c_str(), "w");
        ASSERT_NE(out, nullptr);
        std::fputs("this is not an SQLite file, just some text long enough to have a header......\n", out);
        std::fclose(out);
    }
    auto db = Database::open(path);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, ErrorCode::FailedPrecondition);
    EXPECT_NE(db.error().message.find("file is not a database"), std::string::npos) << db.error().message;
}

TEST(Database, FilesUseWalAndMemoryDoesNot)
{
    TestDirectory dir;
    auto file = Database::open(dir.file());
    ASSERT_OK(file);
    EXPECT_EQ(*file->queryText("mode", "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(*file->queryInt64("fk", "PRAGMA foreign_keys"), 1);
    EXPECT_EQ(*file->queryInt64("timeout", "PRAGMA busy_timeout"), 5000);
    auto memory = Database::open(":memory:");
    ASSERT_OK(memory);
    EXPECT_EQ(*memory->queryText("mode", "PRAGMA journal_mode"), "memory");
    EXPECT_EQ(*memory->queryInt64("fk", "PRAGMA foreign_keys"), 1);
}
