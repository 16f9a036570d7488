// DeviceFilter: cgroup v2's device controller for a container, the eBPF
// program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to its cgroup that says
// which device nodes its processes may open or create, as runc and crun
// make it. The rules are the OCI runtimes' default: mknod of any node (the
// seccomp filter narrows that further), and read/write of null, zero,
// full, random, urandom, tty, console, ptmx, the pts and tun only.
// Privileged containers get no filter.
//
//   PV_TRY_STATUS(attachDeviceFilter(cgroupFd, defaultDeviceRules()));
#pragma once

#include "protocol/Result.h"

#include <linux/bpf.h>

#include <cstdint>
#include <vector>

namespace pidvisor::agent {

struct DeviceRule {
    char type = 'a';          // 'c', 'b' or 'a' (both)
    std::int64_t major = -1;  // -1: any
    std::int64_t minor = -1;  // -1: any
    std::uint32_t access = 0; // BPF_DEVCG_ACC_MKNOD | _READ | _WRITE
};

[[nodiscard]] const std::vector<DeviceRule>& defaultDeviceRules();

// The program for `rules`: the first rule that matches allows; nothing
// matching denies. Pure: tests read it instruction by instruction.
[[nodiscard]] std::vector<bpf_insn> compileDeviceRules(const std::vector<DeviceRule>& rules);

// Loads the program and attaches it to the cgroup (the cgroup keeps it
// after the program's descriptor is closed).
[[nodiscard]] Status attachDeviceFilter(int cgroupFd, const std::vector<DeviceRule>& rules);

// Whether a device program is attached to the cgroup now (the kernel's
// word, BPF_PROG_QUERY: true after a restore only if it was made again).
[[nodiscard]] Result<bool> deviceFilterAttached(int cgroupFd);

} // namespace pidvisor::agent
