#include "Database.h"

#include "SqliteError.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace pidvisor::manager {

void Database::Closer::operator()(sqlite3* db) const
{
    // close_v2: statements still alive keep the connection as a zombie
    // until they are finalized, instead of the close failing with BUSY.
    sqlite3_close_v2(db);
}

Database::Database(std::unique_ptr<sqlite3, Closer> db, std::string path)
    : m_db(std::move(db)), m_path(std::move(path))
{
}

Result<Database> Database::open(const std::string& path)
{
    sqlite3* raw = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    // sqlite3_open_v2 hands out a handle even on failure; own it first.
    std::unique_ptr<sqlite3, Closer> handle(raw);
    if (rc != SQLITE_OK)
        return fail(sqliteError(handle.get(), rc, "opening " + path));
    sqlite3_extended_result_codes(handle.get(), 1);
    Database db(std::move(handle), path);
    PV_TRY_STATUS(db.configure());
    return db;
}

Status Database::configure() const
{
    // The busy timeout goes first: switching a fresh file to WAL takes a
    // lock that another process opening the same file may hold.
    sqlite3_busy_timeout(m_db.get(), static_cast<int>(kBusyTimeout.count()));
    PV_TRY_STATUS(exec("enabling foreign keys", "PRAGMA foreign_keys = ON"));
    // Fails on a file that is not a database: better here than at first use.
    PV_TRY_STATUS(queryInt64("reading " + m_path, "PRAGMA user_version"));
    if (inMemory())
        return {};
    PV_TRY(std::string mode, enableWal());
    if (mode != "wal")
        return fail(ErrorCode::FailedPrecondition,
                    "inventory " + m_path + ": cannot use WAL journal mode (got " + mode + ")");
    // NORMAL is durable across process crashes in WAL mode; only an OS crash
    // can lose the last commits, which the inventory can re-learn.
    return exec("setting synchronous mode", "PRAGMA synchronous = NORMAL");
}

Result<std::string> Database::enableWal() const
{
    // Leaving rollback mode needs the exclusive lock while this statement
    // already holds a shared one. When several processes open a new file at
    // once (the CLI and the GUI on a first run) two of them can each hold
    // the shared lock and want the exclusive one; SQLite then answers BUSY
    // at once, without the busy handler, since waiting would deadlock. The
    // losers let go (the statement ends) and try again until the busy
    // timeout has passed.
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + kBusyTimeout;
    auto pause = std::chrono::milliseconds(2);
    for (;;) {
        auto mode = queryText("enabling WAL", "PRAGMA journal_mode = WAL");
        if (mode || mode.error().code != ErrorCode::Unavailable || Clock::now() >= deadline)
            return mode;
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

Status Database::exec(std::string_view doing, const std::string& sql) const
{
    char* raw = nullptr;
    int rc = sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &raw);
    std::unique_ptr<char, decltype(&sqlite3_free)> message(raw, &sqlite3_free);
    if (rc == SQLITE_OK)
        return {};
    return fail(sqliteError(m_db.get(), rc, doing));
}

Result<Statement> Database::prepare(std::string_view doing, std::string_view sql) const
{
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(m_db.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    Statement statement(m_db.get(), raw, std::string(doing));
    if (rc != SQLITE_OK)
        return fail(sqliteError(m_db.get(), rc, doing));
    if (raw == nullptr)
        return fail(ErrorCode::Internal, "inventory: " + std::string(doing) + ": empty SQL");
    return statement;
}

Result<std::int64_t> Database::queryInt64(std::string_view doing, const std::string& sql) const
{
    PV_TRY(Statement statement, prepare(doing, sql));
    PV_TRY(bool row, statement.step());
    if (!row)
        return fail(ErrorCode::Internal, "inventory: " + std::string(doing) + ": no result row");
    return statement.columnInt64(0);
}

Result<std::string> Database::queryText(std::string_view doing, const std::string& sql) const
{
    PV_TRY(Statement statement, prepare(doing, sql));
    PV_TRY(bool row, statement.step());
    if (!row)
        return fail(ErrorCode::Internal, "inventory: " + std::string(doing) + ": no result row");
    return statement.columnText(0);
}

Status Database::begin(std::string_view doing) const
{
    return exec(std::string("starting a transaction for ") + std::string(doing), "BEGIN IMMEDIATE");
}

Status Database::commit(std::string_view doing) const
{
    return exec(std::string("committing ") + std::string(doing), "COMMIT");
}

void Database::rollback() const
{
    // Some errors (SQLITE_FULL, IOERR) already roll back; a second ROLLBACK
    // would only fail with "no transaction is active".
    if (sqlite3_get_autocommit(m_db.get()) == 0)
        sqlite3_exec(m_db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

std::int64_t Database::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db.get());
}

std::int64_t Database::changes() const
{
    return sqlite3_changes64(m_db.get());
}

} // namespace pidvisor::manager
