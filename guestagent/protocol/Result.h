// Result<T>: a value or an Error (tl::expected), the return type of every
// operation that can fail. Status is Result<void>.
#pragma once

#include "Error.h"

#include <tl/expected.hpp>

namespace pidvisor {

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

[[nodiscard]] inline tl::unexpected<Error> fail(ErrorCode code, std::string message)
{
    return tl::unexpected<Error>(Error{code, std::move(message)});
}

[[nodiscard]] inline tl::unexpected<Error> fail(Error error)
{
    return tl::unexpected<Error>(std::move(error));
}

[[nodiscard]] inline tl::unexpected<Error> failErrno(std::string_view what, int err)
{
    return tl::unexpected<Error>(errnoError(what, err));
}

} // namespace pidvisor

// Propagates an error: PV_TRY(auto x, f()); or PV_TRY_STATUS(g());
#define PV_CONCAT_INNER(a, b) a##b
#define PV_CONCAT(a, b) PV_CONCAT_INNER(a, b)
#define PV_TRY_STATUS(expr)                                                                   \
    do {                                                                                      \
        auto&& pv_status_ = (expr);                                                           \
        if (!pv_status_)                                                                      \
            return ::tl::unexpected<::pidvisor::Error>(std::move(pv_status_).error());        \
    } while (0)
#define PV_TRY_IMPL(tmp, decl, expr)                                                          \
    auto&& tmp = (expr);                                                                      \
    if (!tmp)                                                                                 \
        return ::tl::unexpected<::pidvisor::Error>(std::move(tmp).error());                   \
    decl = std::move(*tmp)
#define PV_TRY(decl, expr) PV_TRY_IMPL(PV_CONCAT(pv_try_, __LINE__), decl, expr)
