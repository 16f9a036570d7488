// SystemCheck: what a first run needs from this machine, looked at before
// anything is built or booted: hardware virtualization or TCG, free space
// where guest images and checkpoints go, and whether the image recipes can
// run here (recipes present, helpers built, the cache writable). Each
// check is one line for people with a level; nothing here changes the
// system. The GUI's first-run page shows them; libvirt's reachability is
// the connection's own business (Host::open) and is not repeated here.
#pragma once

#include "core/Paths.h"
#include "vm/Accel.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pidvisor::manager {

struct CheckLine {
    enum class Level { Ok, Warning, Problem };
    Level level = Level::Ok;
    std::string text; // "TCG: /dev/kvm is not usable; VMs run slowly"
};

struct SystemReport {
    CheckLine accel;
    CheckLine disk;
    CheckLine build; // Problem: images cannot be built here
};

inline constexpr std::uint64_t kMinFreeBytes = 5ull << 30;

[[nodiscard]] CheckLine checkAccel(const AccelProbe& probe);
// The smallest free space among `dirs` (each looked up at its nearest
// existing ancestor, as it may not exist yet).
[[nodiscard]] CheckLine checkFreeSpace(const std::vector<std::string>& dirs, std::uint64_t minFree);
[[nodiscard]] CheckLine checkImageBuild(const Paths& paths);
[[nodiscard]] SystemReport checkSystem(const Paths& paths, std::uint64_t minFree = kMinFreeBytes);

// "12.3 GiB"
[[nodiscard]] std::string formatGiB(std::uint64_t bytes);

} // namespace pidvisor::manager
