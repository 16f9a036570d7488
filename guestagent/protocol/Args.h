// Args: typed, validated access to a request's "args" object.
//
// Every accessor answers InvalidArgument naming the argument and what was
// wrong, so handlers can PV_TRY their way through a request:
//
//   Args args(request.args);
//   PV_TRY_STATUS(args.onlyKnown({"name", "argv"}));
//   PV_TRY(std::string name, args.requiredString("name"));
#pragma once

#include "Result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pidvisor::protocol {

struct ListLimits {
    std::size_t maxItems = 4096;
    std::size_t maxTotalBytes = 256 * 1024;
    bool allowEmpty = true;
};

class Args {
public:
    explicit Args(const nlohmann::json& args) : m_args(args) {}

    [[nodiscard]] Status onlyKnown(std::initializer_list<std::string_view> known) const;
    [[nodiscard]] Result<std::string> requiredString(std::string_view key) const;
    [[nodiscard]] Result<std::optional<std::string>> optionalString(std::string_view key) const;
    [[nodiscard]] Result<std::vector<std::string>> stringList(std::string_view key,
                                                              const ListLimits& limits) const;
    [[nodiscard]] Result<std::optional<std::int64_t>> optionalInteger(std::string_view key,
                                                                      std::int64_t min,
                                                                      std::int64_t max) const;
    [[nodiscard]] Result<bool> optionalBool(std::string_view key, bool fallback) const;

private:
    [[nodiscard]] const nlohmann::json* find(std::string_view key) const;
    const nlohmann::json& m_args;
};

} // namespace pidvisor::protocol
