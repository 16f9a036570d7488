#include "SqliteError.h"

#include <sqlite3.h>

#include <string>

namespace pidvisor::manager {

ErrorCode errorCodeForSqlite(int rc, int systemErrno)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return ErrorCode::AlreadyExists;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        // Only inserts and updates of a child can fail this way (deletes
        // cascade or set null), so the row it points at does not exist.
        return ErrorCode::NotFound;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
        return ErrorCode::InvalidArgument;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ErrorCode::Unavailable;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
        return ErrorCode::PermissionDenied;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
        return ErrorCode::ResourceExhausted;
    case SQLITE_INTERRUPT:
        return ErrorCode::Cancelled;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ErrorCode::FailedPrecondition;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
        if (systemErrno != 0)
            return errnoError("", systemErrno).code;
        return ErrorCode::Internal;
    default:
        return ErrorCode::Internal;
    }
}

Error sqliteError(sqlite3* db, int rc, std::string_view doing)
{
    int systemErrno = db != nullptr ? sqlite3_system_errno(db) : 0;
    const char* reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    std::string message = "inventory: ";
    message += doing;
    message += ": ";
    message += reason != nullptr ? reason : sqlite3_errstr(rc);
    return Error{errorCodeForSqlite(rc, systemErrno), std::move(message)};
}

} // namespace pidvisor::manager
