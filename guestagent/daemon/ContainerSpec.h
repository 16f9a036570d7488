// ContainerSpec: what a container is asked to be. The record itself (its
// fields, JSON and validation) is protocol::ContainerSpec, declared once
// with the protocol; the agent adds its defaults here before it trusts one.
#pragma once

#include "protocol/Types.h"

#include <string>
#include <string_view>
#include <vector>

namespace pidvisor::agent {

using protocol::ContainerSpec;

inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The spec as the agent keeps it: default environment merged in, the
// hostname set (the name unless given).
[[nodiscard]] ContainerSpec withDefaults(ContainerSpec spec);
// Adds PATH, HOME, TERM and container=pidvisor unless the list sets them.
[[nodiscard]] std::vector<std::string> withDefaultEnv(std::vector<std::string> env);
// The value of KEY in a KEY=VALUE list, or "".
[[nodiscard]] std::string envValue(const std::vector<std::string>& env, std::string_view key);

} // namespace pidvisor::agent
