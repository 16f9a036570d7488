#include "Accel.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace pidvisor::manager {

AccelProbe probeAccel(const std::string& cpuinfo, const std::string& kvmDevice)
{
    AccelProbe p;
    int fd = ::open(kvmDevice.c_str(), O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        p.kvmDeviceUsable = true;
        ::close(fd);
    }
    std::ifstream in(cpuinfo);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("flags", 0) != 0)
            continue;
        std::istringstream words(line);
        std::string w;
        while (words >> w)
            if (w == "vmx" || w == "svm")
                p.cpuHasVirtualization = true;
        break;
    }
    return p;
}

Result<AccelChoice> chooseAccel(const std::string& requested, const AccelProbe& probe)
{
    if (requested == "tcg")
        return AccelChoice{"tcg", "qemu", "TCG (software emulation) as requested"};
    if (requested == "kvm")
        return AccelChoice{"kvm", "kvm", "KVM as requested"};
    if (requested != "auto")
        return fail(ErrorCode::InvalidArgument, "accel '" + requested + "' is not one of auto, kvm, tcg");
    if (probe.kvmDeviceUsable && probe.cpuHasVirtualization)
        return AccelChoice{"kvm", "kvm", "KVM: /dev/kvm is usable and the CPU has vmx/svm"};
    if (probe.kvmDeviceUsable)
        return AccelChoice{"tcg", "qemu", "TCG: /dev/kvm exists but the CPU reports no vmx/svm"};
    return AccelChoice{"tcg", "qemu", "TCG: /dev/kvm is not usable"};
}

} // namespace pidvisor::manager
