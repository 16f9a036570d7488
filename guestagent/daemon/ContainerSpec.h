// ContainerSpec: what a container is asked to be, validated once when it
// arrives (from a request or from the state directory) and then trusted.
#pragma once

#include "protocol/Result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pidvisor::agent {

inline constexpr std::size_t kMaxArgs = 4096;
inline constexpr std::size_t kMaxArgBytes = 256 * 1024;
inline constexpr std::size_t kMaxEnv = 1024;
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct ContainerSpec {
    std::string name;
    std::vector<std::string> argv;
    std::vector<std::string> env; // KEY=VALUE, defaults merged in
    std::string cwd = "/";
    std::string hostname;
    std::optional<std::int64_t> memoryMiB;
    std::optional<std::int64_t> pidsMax;
    bool init = false;

    [[nodiscard]] nlohmann::json toJson() const;
    // Validates every field; unknown fields are refused.
    [[nodiscard]] static Result<ContainerSpec> fromJson(const nlohmann::json& args);
};

// Environment checks shared with exec: KEY=VALUE, no NUL, bounded.
[[nodiscard]] Result<std::vector<std::string>> validateEnv(std::vector<std::string> env);
// An absolute path without NUL bytes, at most PATH_MAX.
[[nodiscard]] Status validateAbsolutePath(std::string_view what, std::string_view path);
// Adds PATH, HOME, TERM and container=pidvisor unless the list sets them.
[[nodiscard]] std::vector<std::string> withDefaultEnv(std::vector<std::string> env);
// The value of KEY in a KEY=VALUE list, or "".
[[nodiscard]] std::string envValue(const std::vector<std::string>& env, std::string_view key);

} // namespace pidvisor::agent
