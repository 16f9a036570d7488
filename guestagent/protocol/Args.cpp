#include "Args.h"

#include "Names.h"

namespace pidvisor::protocol {

using nlohmann::json;

namespace {
std::string argName(std::string_view key)
{
    return "argument '" + std::string(key) + "'";
}
} // namespace

const json* Args::find(std::string_view key) const
{
    if (!m_args.is_object())
        return nullptr;
    auto it = m_args.find(key);
    if (it == m_args.end() || it->is_null())
        return nullptr;
    return &*it;
}

Status Args::onlyKnown(std::initializer_list<std::string_view> known) const
{
    if (!m_args.is_object())
        return fail(ErrorCode::InvalidArgument, "request args must be an object");
    for (const auto& [key, value] : m_args.items()) {
        bool ok = false;
        for (auto k : known)
            ok = ok || k == key;
        if (!ok)
            return fail(ErrorCode::InvalidArgument, "unknown argument " + quoteForMessage(key));
    }
    return {};
}

Result<std::string> Args::requiredString(std::string_view key) const
{
    const json* v = find(key);
    if (!v)
        return fail(ErrorCode::InvalidArgument, argName(key) + " is missing");
    if (!v->is_string())
        return fail(ErrorCode::InvalidArgument, argName(key) + " must be a string");
    return v->get<std::string>();
}

Result<std::optional<std::string>> Args::optionalString(std::string_view key) const
{
    const json* v = find(key);
    if (!v)
        return std::optional<std::string>{};
    if (!v->is_string())
        return fail(ErrorCode::InvalidArgument, argName(key) + " must be a string");
    return std::optional<std::string>{v->get<std::string>()};
}

Result<std::vector<std::string>> Args::stringList(std::string_view key, const ListLimits& limits) const
{
    const json* v = find(key);
    if (!v) {
        if (limits.allowEmpty)
            return std::vector<std::string>{};
        return fail(ErrorCode::InvalidArgument, argName(key) + " is missing");
    }
    if (!v->is_array())
        return fail(ErrorCode::InvalidArgument, argName(key) + " must be an array of strings");
    if (v->size() > limits.maxItems)
        return fail(ErrorCode::InvalidArgument, argName(key) + " has " + std::to_string(v->size()) +
                                                    " elements, more than the limit of " +
                                                    std::to_string(limits.maxItems));
    if (v->empty() && !limits.allowEmpty)
        return fail(ErrorCode::InvalidArgument, argName(key) + " must not be empty");
    std::vector<std::string> out;
    out.reserve(v->size());
    std::size_t total = 0;
    for (const auto& item : *v) {
        if (!item.is_string())
            return fail(ErrorCode::InvalidArgument, argName(key) + " must be an array of strings");
        const auto& s = item.get_ref<const std::string&>();
        if (s.find('\0') != std::string::npos)
            return fail(ErrorCode::InvalidArgument, argName(key) + " contains a NUL byte");
        total += s.size() + 1;
        if (total > limits.maxTotalBytes)
            return fail(ErrorCode::InvalidArgument, argName(key) + " exceeds " +
                                                        std::to_string(limits.maxTotalBytes) + " bytes");
        out.push_back(s);
    }
    return out;
}

Result<std::optional<std::int64_t>> Args::optionalInteger(std::string_view key, std::int64_t min,
                                                          std::int64_t max) const
{
    const json* v = find(key);
    if (!v)
        return std::optional<std::int64_t>{};
    if (!v->is_number_integer())
        return fail(ErrorCode::InvalidArgument, argName(key) + " must be an integer");
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max))
        return fail(ErrorCode::InvalidArgument, argName(key) + " must be at most " + std::to_string(max));
    std::int64_t n = v->get<std::int64_t>();
    if (n < min || n > max)
        return fail(ErrorCode::InvalidArgument, argName(key) + " must be between " + std::to_string(min) +
                                                    " and " + std::to_string(max));
    return std::optional<std::int64_t>{n};
}

Result<bool> Args::optionalBool(std::string_view key, bool fallback) const
{
    const json* v = find(key);
    if (!v)
        return fallback;
    if (!v->is_boolean())
        return fail(ErrorCode::InvalidArgument, argName(key) + " must be true or false");
    return v->get<bool>();
}

} // namespace pidvisor::protocol
