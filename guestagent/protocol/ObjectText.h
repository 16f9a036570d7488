// ObjectText: the human text of the protocol's records (containers,
// processes, hello), shared by the in-guest CLI and the host's `pidvisor`
// CLI so both print them alike.
#pragma once

#include "Types.h"

#include <string>
#include <vector>

namespace pidvisor::protocol {

// "running", "exited 0", "killed by signal 9", "stopped (exit unknown)".
[[nodiscard]] std::string describeContainerState(const ContainerInfo& container);
[[nodiscard]] std::string containerTable(const std::vector<ContainerInfo>& containers);
[[nodiscard]] std::string containerDetails(const ContainerInfo& container);
// VPID PID VPPID STATE COMMAND: virtual and global pids side by side.
[[nodiscard]] std::string processTable(const std::vector<Process>& processes);
[[nodiscard]] std::string helloText(const HelloResult& hello);
// NAME DIGEST (12 hex) SIZE SOURCE, and one image in full.
[[nodiscard]] std::string imageTable(const std::vector<ImageInfo>& images);
[[nodiscard]] std::string imageDetails(const ImageInfo& image);
// "12.3 MiB"
[[nodiscard]] std::string formatBytes(std::int64_t bytes);
[[nodiscard]] std::string joinArgv(const std::vector<std::string>& argv);
[[nodiscard]] std::string formatLocalTime(std::int64_t unixMillis);

} // namespace pidvisor::protocol
