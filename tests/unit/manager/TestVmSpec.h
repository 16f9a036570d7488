// The VM spec the manager unit tests define on libvirt's test:///default
// driver (nothing boots; only the name and inventory id differ).
#pragma once

#include "vm/DomainXml.h"

#include <cstdint>
#include <string>

namespace pidvisor::manager::test {

inline VmSpec testVmSpec(const std::string& name, std::int64_t inventoryId)
{
    VmSpec s;
    s.name = name;
    s.domainType = "test";
    s.accel = "tcg";
    s.memoryMiB = 256;
    s.vcpus = 1;
    s.kernelPath = "/boot/k";
    s.initrdPath = "/boot/i";
    s.cmdline = "console=ttyS0";
    s.consoleLogPath = "/tmp/" + name + "-console.log";
    s.inventoryId = inventoryId;
    s.imageId = "img";
    s.kernel = "stock";
    s.created = "2026-01-01T00:00:00Z";
    return s;
}

} // namespace pidvisor::manager::test
