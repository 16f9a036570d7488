// Database: one SQLite connection, set up the way the inventory needs it
// (WAL so the GUI's reads do not block the CLI's writes, foreign keys on,
// a 5 s busy timeout so another process's short write waits instead of
// failing) and closed by RAII. It knows nothing of the inventory's tables.
//
// Not thread-safe on its own terms: Inventory serialises all use with a
// mutex (the connection is also opened FULLMUTEX as a second line).
//
//   PV_TRY(Database db, Database::open("/path/inventory.db"));
//   PV_TRY(int n, db.transaction("adding rows", [&]() -> Result<int> { ... }));
#pragma once

#include "Statement.h"

#include "protocol/Result.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

struct sqlite3;

namespace pidvisor::manager {

class Database {
public:
    static constexpr std::chrono::milliseconds kBusyTimeout{5000};

    // Opens or creates the file (":memory:" gives a private in-memory
    // database). The parent directory must exist.
    [[nodiscard]] static Result<Database> open(const std::string& path);

    // Runs one or more statements that return no rows of interest.
    [[nodiscard]] Status exec(std::string_view doing, const std::string& sql) const;
    [[nodiscard]] Result<Statement> prepare(std::string_view doing, std::string_view sql) const;
    // The first column of the first row of `sql` as an integer, e.g. a PRAGMA.
    [[nodiscard]] Result<std::int64_t> queryInt64(std::string_view doing, const std::string& sql) const;
    [[nodiscard]] Result<std::string> queryText(std::string_view doing, const std::string& sql) const;

    // Runs fn() inside BEGIN IMMEDIATE ... COMMIT, rolling back when fn
    // fails or COMMIT does. IMMEDIATE takes the write lock up front, so a
    // busy file is waited for (busy timeout) at BEGIN rather than failing
    // half-way when a read would have to upgrade to a write. fn returns a
    // Status or a Result<T>; so does transaction. Not reentrant.
    template <class Fn>
    [[nodiscard]] auto transaction(std::string_view doing, Fn&& fn) const -> std::invoke_result_t<Fn&>
    {
        PV_TRY_STATUS(begin(doing));
        auto result = fn();
        if (!result) {
            rollback();
            return result;
        }
        if (auto committed = commit(doing); !committed) {
            rollback();
            return tl::unexpected<Error>(std::move(committed).error());
        }
        return result;
    }

    [[nodiscard]] std::int64_t lastInsertRowId() const;
    // Rows changed by the last INSERT/UPDATE/DELETE.
    [[nodiscard]] std::int64_t changes() const;
    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] bool inMemory() const { return m_path == ":memory:"; }

private:
    struct Closer {
        void operator()(sqlite3* db) const;
    };

    Database(std::unique_ptr<sqlite3, Closer> db, std::string path);
    [[nodiscard]] Status configure() const;
    [[nodiscard]] Result<std::string> enableWal() const;
    [[nodiscard]] Status begin(std::string_view doing) const;
    [[nodiscard]] Status commit(std::string_view doing) const;
    void rollback() const;

    std::unique_ptr<sqlite3, Closer> m_db;
    std::string m_path;
};

} // namespace pidvisor::manager
