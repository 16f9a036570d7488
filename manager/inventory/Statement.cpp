#include "Statement.h"

#include "SqliteError.h"

#include <sqlite3.h>

namespace pidvisor::manager {

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const
{
    sqlite3_finalize(stmt);
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string doing)
    : m_db(db), m_stmt(stmt), m_doing(std::move(doing))
{
}

void Statement::checkBind(int rc)
{
    if (rc != SQLITE_OK && !m_bindError)
        m_bindError = sqliteError(m_db, rc, m_doing);
}

int Statement::indexOf(const char* name)
{
    int index = sqlite3_bind_parameter_index(m_stmt.get(), name);
    if (index == 0 && !m_bindError)
        m_bindError = Error{ErrorCode::Internal, "inventory: " + m_doing + ": no SQL parameter " +
                                                     std::string(name)};
    return index;
}

Statement& Statement::bindInt64(int index, std::int64_t value)
{
    checkBind(sqlite3_bind_int64(m_stmt.get(), index, value));
    return *this;
}

Statement& Statement::bindDouble(int index, double value)
{
    checkBind(sqlite3_bind_double(m_stmt.get(), index, value));
    return *this;
}

Statement& Statement::bindText(int index, std::string_view value)
{
    // SQLITE_TRANSIENT: SQLite copies, so temporaries are safe to pass.
    checkBind(sqlite3_bind_text64(m_stmt.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                                  SQLITE_UTF8));
    return *this;
}

Statement& Statement::bindNull(int index)
{
    checkBind(sqlite3_bind_null(m_stmt.get(), index));
    return *this;
}

Statement& Statement::bindOptionalInt64(int index, const std::optional<std::int64_t>& value)
{
    return value ? bindInt64(index, *value) : bindNull(index);
}

Statement& Statement::bindTextOrNull(int index, std::string_view value)
{
    return value.empty() ? bindNull(index) : bindText(index, value);
}

Statement& Statement::bindInt64(const char* name, std::int64_t value)
{
    return bindInt64(indexOf(name), value);
}

Statement& Statement::bindDouble(const char* name, double value)
{
    return bindDouble(indexOf(name), value);
}

Statement& Statement::bindText(const char* name, std::string_view value)
{
    return bindText(indexOf(name), value);
}

Statement& Statement::bindNull(const char* name)
{
    return bindNull(indexOf(name));
}

Statement& Statement::bindOptionalInt64(const char* name, const std::optional<std::int64_t>& value)
{
    return bindOptionalInt64(indexOf(name), value);
}

Statement& Statement::bindTextOrNull(const char* name, std::string_view value)
{
    return bindTextOrNull(indexOf(name), value);
}

Result<bool> Statement::step()
{
    if (m_bindError)
        return fail(*m_bindError);
    int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    Error error = sqliteError(m_db, rc, m_doing);
    // A failed step leaves the statement needing a reset before reuse, and
    // an open read would otherwise pin the WAL snapshot.
    sqlite3_reset(m_stmt.get());
    return fail(std::move(error));
}

Status Statement::run()
{
    for (;;) {
        PV_TRY(bool row, step());
        if (!row)
            return {};
    }
}

void Statement::reset()
{
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
    m_bindError.reset();
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt.get());
}

bool Statement::columnIsNull(int column) const
{
    return sqlite3_column_type(m_stmt.get(), column) == SQLITE_NULL;
}

std::int64_t Statement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_stmt.get(), column);
}

double Statement::columnDouble(int column) const
{
    return sqlite3_column_double(m_stmt.get(), column);
}

std::string Statement::columnText(int column) const
{
    const unsigned char* text = sqlite3_column_text(m_stmt.get(), column);
    if (text == nullptr)
        return {};
    // Length after the text call: it may convert the value to text first.
    int size = sqlite3_column_bytes(m_stmt.get(), column);
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::optional<std::int64_t> Statement::columnOptionalInt64(int column) const
{
    if (columnIsNull(column))
        return std::nullopt;
    return columnInt64(column);
}

} // namespace pidvisor::manager
