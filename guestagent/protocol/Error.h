// Error: the one error type of Pidvisor, on the wire and in code.
//
// An error is a code plus a one-phrase message naming the thing and the
// reason ("container 'web' already exists"), no trailing punctuation.
// Codes are few and chosen by what the caller should do next; see
// PROTOCOL.md for the table. Callers add context with withContext().
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pidvisor {

enum class ErrorCode {
    InvalidArgument,    // fix the request: bad name, wrong type, too large
    NotFound,           // the named thing does not exist
    AlreadyExists,      // the name is taken
    FailedPrecondition, // fix the state first (not running, still running, no cgroup v2)
    Unsupported,        // unknown command or a missing capability
    PermissionDenied,   // the caller may not do this
    ResourceExhausted,  // a limit was reached: retry after freeing something
    Unavailable,        // transient: retry (peer not connected, shutting down)
    Timeout,            // the deadline passed; the operation may still complete
    Cancelled,          // the caller cancelled
    ProtocolError,      // the bytes were not a valid frame or message
    Internal,           // a bug or an unexpected system failure
};

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;

    // Prefixes context: Error{NotFound, "no such file"}.withContext("reading spec")
    // gives "reading spec: no such file".
    [[nodiscard]] Error withContext(std::string_view context) const;
    [[nodiscard]] std::string describe() const; // "code: message"
};

[[nodiscard]] std::string_view errorCodeName(ErrorCode code);
[[nodiscard]] std::optional<ErrorCode> errorCodeFromName(std::string_view name);

// An Error from errno: maps ENOENT to NotFound, EEXIST to AlreadyExists,
// EPERM/EACCES to PermissionDenied, etc. The message is "what: strerror".
[[nodiscard]] Error errnoError(std::string_view what, int err);

} // namespace pidvisor
