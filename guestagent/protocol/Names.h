// Names: the rules for names that come from requests (containers,
// checkpoints, VMs) and a safe way to show untrusted text in a message.
#pragma once

#include "Result.h"

#include <string>
#include <string_view>

namespace pidvisor::protocol {

inline constexpr std::size_t kMaxNameLength = 63;

// A name is 1-63 characters of [A-Za-z0-9_.-] and does not start with '.'.
// `what` names the kind of thing ("container name").
[[nodiscard]] Status validateName(std::string_view what, std::string_view name);

// 'text' in single quotes with control bytes escaped and long text cut, for
// putting untrusted input into a one-phrase error message.
[[nodiscard]] std::string quoteForMessage(std::string_view text);

} // namespace pidvisor::protocol
