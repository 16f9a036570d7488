// SqliteError: turns an SQLite result code into a Pidvisor Error, so every
// failure of the inventory says what was being done and why, with a code the
// caller can act on (a taken name, a busy file to retry, a bug).
//
//   sqliteError(db, rc, "inserting vm 'demo'") gives
//   AlreadyExists "inventory: inserting vm 'demo': UNIQUE constraint failed: vms.host_id, vms.name"
#pragma once

#include "protocol/Error.h"

#include <string_view>

struct sqlite3;

namespace pidvisor::manager {

// The code for an (extended) SQLite result code. `systemErrno` refines
// SQLITE_CANTOPEN and I/O errors (EACCES gives PermissionDenied).
[[nodiscard]] ErrorCode errorCodeForSqlite(int rc, int systemErrno = 0);

// An Error for a failed call on `db`; the message comes from
// sqlite3_errmsg(db) when db is set, else from sqlite3_errstr(rc).
[[nodiscard]] Error sqliteError(sqlite3* db, int rc, std::string_view doing);

} // namespace pidvisor::manager
