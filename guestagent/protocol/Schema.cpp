#include "Schema.h"

#include "Names.h"

#include <algorithm>

namespace pidvisor::protocol::detail {

Status refuseUnknown(const nlohmann::json& j, std::string_view prefix, std::string_view path,
                     const std::vector<std::string_view>& known)
{
    for (const auto& [key, value] : j.items()) {
        if (std::find(known.begin(), known.end(), key) != known.end())
            continue;
        std::string where = path.empty() ? quoteForMessage(key) : quoteForMessage(join(path, key));
        return fail(ErrorCode::InvalidArgument, "unknown " + std::string(prefix) + " " + where);
    }
    return {};
}

} // namespace pidvisor::protocol::detail
