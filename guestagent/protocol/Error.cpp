#include "Error.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace pidvisor {

namespace {
constexpr std::array<std::pair<ErrorCode, std::string_view>, 12> kNames{{
    {ErrorCode::InvalidArgument, "invalid_argument"},
    {ErrorCode::NotFound, "not_found"},
    {ErrorCode::AlreadyExists, "already_exists"},
    {ErrorCode::FailedPrecondition, "failed_precondition"},
    {ErrorCode::Unsupported, "unsupported"},
    {ErrorCode::PermissionDenied, "permission_denied"},
    {ErrorCode::ResourceExhausted, "resource_exhausted"},
    {ErrorCode::Unavailable, "unavailable"},
    {ErrorCode::Timeout, "timeout"},
    {ErrorCode::Cancelled, "cancelled"},
    {ErrorCode::ProtocolError, "protocol_error"},
    {ErrorCode::Internal, "internal"},
}};
} // namespace

Error Error::withContext(std::string_view context) const
{
    return Error{code, std::string(context) + ": " + message};
}

std::string Error::describe() const
{
    return std::string(errorCodeName(code)) + ": " + message;
}

std::string_view errorCodeName(ErrorCode code)
{
    for (const auto& [c, name] : kNames)
        if (c == code)
            return name;
    return "internal";
}

std::optional<ErrorCode> errorCodeFromName(std::string_view name)
{
    for (const auto& [c, n] : kNames)
        if (n == name)
            return c;
    return std::nullopt;
}

Error errnoError(std::string_view what, int err)
{
    ErrorCode code = ErrorCode::Internal;
    switch (err) {
    case ENOENT:
    case ESRCH:
        code = ErrorCode::NotFound;
        break;
    case EEXIST:
        code = ErrorCode::AlreadyExists;
        break;
    case EPERM:
    case EACCES:
        code = ErrorCode::PermissionDenied;
        break;
    case EINVAL:
    case ENAMETOOLONG:
    case E2BIG:
        code = ErrorCode::InvalidArgument;
        break;
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case EAGAIN:
        code = ErrorCode::ResourceExhausted;
        break;
    case EBUSY:
        code = ErrorCode::FailedPrecondition;
        break;
    case ETIMEDOUT:
        code = ErrorCode::Timeout;
        break;
    case ECONNREFUSED:
    case ECONNRESET:
    case EPIPE:
        code = ErrorCode::Unavailable;
        break;
    case ENOSYS:
    case EOPNOTSUPP:
        code = ErrorCode::Unsupported;
        break;
    default:
        break;
    }
    return Error{code, std::string(what) + ": " + std::strerror(err)};
}

} // namespace pidvisor
