// ObjectText: the human text of the protocol's objects (containers,
// processes, command results), shared by the in-guest CLI and the host's
// `pidvisor` CLI so both print them alike.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace pidvisor::protocol {

// "running", "exited 0", "killed by signal 9", "stopped (exit unknown)".
[[nodiscard]] std::string describeContainerState(const nlohmann::json& container);
[[nodiscard]] std::string containerTable(const nlohmann::json& containers);
[[nodiscard]] std::string containerDetails(const nlohmann::json& container);
// VPID PID VPPID STATE COMMAND: virtual and global pids side by side.
[[nodiscard]] std::string processTable(const nlohmann::json& processes);
[[nodiscard]] std::string helloText(const nlohmann::json& hello);
[[nodiscard]] std::string joinArgv(const nlohmann::json& argv);
[[nodiscard]] std::string formatLocalTime(std::int64_t unixMillis);

} // namespace pidvisor::protocol
