// ControlFiles: writing the kernel's control files (cgroup files,
// /proc/PID/uid_map and gid_map), which take their value in one write(2):
// the whole value is written at once, or the call fails.
#pragma once

#include "protocol/Result.h"

#include <string>

namespace pidvisor::agent {

[[nodiscard]] Status writeControlFile(const std::string& path, const std::string& value);

} // namespace pidvisor::agent
