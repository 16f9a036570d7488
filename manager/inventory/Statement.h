// Statement: one prepared SQLite statement, owned from the line that
// prepares it (sqlite3_finalize in the deleter), with binders and column
// getters that speak the inventory's types (int64, double, text, optional).
//
// Binding is fluent and its errors are deferred: a bad index or an unknown
// :name is a bug in our SQL, so rather than check every bind call the first
// bind error is remembered and returned by the next step(). Every error
// carries the `doing` phrase given to Database::prepare.
//
//   PV_TRY(Statement st, db.prepare("finding vm 'demo'", "SELECT ... WHERE name = :name"));
//   st.bindText(":name", "demo");
//   PV_TRY(bool row, st.step());
//   if (row) use(st.columnText(0));
#pragma once

#include "protocol/Result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace pidvisor::manager {

class Statement {
public:
    // Takes ownership of `stmt`, which belongs to connection `db`.
    Statement(sqlite3* db, sqlite3_stmt* stmt, std::string doing);

    Statement& bindInt64(int index, std::int64_t value);
    Statement& bindDouble(int index, double value);
    Statement& bindText(int index, std::string_view value);
    Statement& bindNull(int index);
    Statement& bindOptionalInt64(int index, const std::optional<std::int64_t>& value);
    // Empty text binds NULL: for optional references such as vms.image_id.
    Statement& bindTextOrNull(int index, std::string_view value);

    // The same by parameter name, including its prefix (":name").
    Statement& bindInt64(const char* name, std::int64_t value);
    Statement& bindDouble(const char* name, double value);
    Statement& bindText(const char* name, std::string_view value);
    Statement& bindNull(const char* name);
    Statement& bindOptionalInt64(const char* name, const std::optional<std::int64_t>& value);
    Statement& bindTextOrNull(const char* name, std::string_view value);

    // Advances: true with a row to read, false when done.
    [[nodiscard]] Result<bool> step();
    // Steps to completion, ignoring rows: for INSERT/UPDATE/DELETE.
    [[nodiscard]] Status run();
    // Rewinds for another run with new bindings (old bindings are cleared).
    void reset();

    // Every remaining row, each turned into a value by read(*this).
    template <class Read>
    [[nodiscard]] auto collect(Read&& read) -> Result<std::vector<std::invoke_result_t<Read&, const Statement&>>>
    {
        std::vector<std::invoke_result_t<Read&, const Statement&>> rows;
        for (;;) {
            PV_TRY(bool row, step());
            if (!row)
                return rows;
            rows.push_back(read(*this));
        }
    }

    // The next row turned into a value by read(*this), or nullopt if none.
    template <class Read>
    [[nodiscard]] auto first(Read&& read) -> Result<std::optional<std::invoke_result_t<Read&, const Statement&>>>
    {
        using Row = std::invoke_result_t<Read&, const Statement&>;
        PV_TRY(bool row, step());
        if (!row)
            return std::optional<Row>();
        return std::optional<Row>(read(*this));
    }

    [[nodiscard]] int columnCount() const;
    [[nodiscard]] bool columnIsNull(int column) const;
    [[nodiscard]] std::int64_t columnInt64(int column) const;
    [[nodiscard]] double columnDouble(int column) const;
    [[nodiscard]] std::string columnText(int column) const; // NULL reads as ""
    [[nodiscard]] std::optional<std::int64_t> columnOptionalInt64(int column) const;

    [[nodiscard]] const std::string& doing() const { return m_doing; }

private:
    struct Finalizer {
        void operator()(sqlite3_stmt* stmt) const;
    };

    int indexOf(const char* name);
    void checkBind(int rc);

    sqlite3* m_db = nullptr;
    std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
    std::string m_doing;
    std::optional<Error> m_bindError;
};

} // namespace pidvisor::manager
