// Log: one-line, timestamped messages on stderr (the VM's console log or
// the terminal of `pidvisor-agent serve`).
#pragma once

#include <string_view>

namespace pidvisor::agent {

void logInfo(std::string_view message);
void logError(std::string_view message);

} // namespace pidvisor::agent
