// Accel: choosing between KVM and TCG. `auto` picks KVM only when /dev/kvm
// is usable AND the CPU reports vmx or svm; a /dev/kvm without them (PVM,
// nested setups) hangs ordinary guests, so it means TCG. Users may force
// either.
#pragma once

#include "protocol/Result.h"

#include <string>

namespace pidvisor::manager {

struct AccelChoice {
    std::string accel;      // "kvm" or "tcg"
    std::string domainType; // libvirt's: "kvm" or "qemu"
    std::string reason;     // why, for people
};

struct AccelProbe {
    bool kvmDeviceUsable = false;
    bool cpuHasVirtualization = false;
};

[[nodiscard]] AccelProbe probeAccel(const std::string& cpuinfo = "/proc/cpuinfo",
                                    const std::string& kvmDevice = "/dev/kvm");
// `requested`: auto, kvm or tcg.
[[nodiscard]] Result<AccelChoice> chooseAccel(const std::string& requested, const AccelProbe& probe);

} // namespace pidvisor::manager
