// ProcessIdentity: names a process in a way that survives pid reuse and
// reboots (pid + boot id + start time), so the inventory can tell an
// operation whose process is still running (the GUI's) from one whose
// process died (a CLI killed mid-way) without asking anyone.
//
// Linux only: reads /proc. The token means nothing on another machine, so
// the inventory file is per host, as its default path is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pidvisor::manager {

class ProcessIdentity {
public:
    // This process.
    [[nodiscard]] static ProcessIdentity current();

    // Whether the process recorded as (pid, token) still runs. An empty
    // token (an unknown owner) counts as not running.
    [[nodiscard]] static bool isRunning(std::int64_t pid, std::string_view token);

    [[nodiscard]] std::int64_t pid() const { return m_pid; }
    // "<boot id>:<start time in clock ticks>"; empty if /proc is unreadable.
    [[nodiscard]] const std::string& token() const { return m_token; }

private:
    ProcessIdentity(std::int64_t pid, std::string token);
    [[nodiscard]] static std::string tokenFor(std::int64_t pid);

    std::int64_t m_pid = 0;
    std::string m_token;
};

} // namespace pidvisor::manager
