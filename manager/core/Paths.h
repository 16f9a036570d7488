// Paths: where Pidvisor keeps things on this machine.
//
//   inventory    $XDG_DATA_HOME/pidvisor/inventory.db (or --db)
//   cache        $PIDVISOR_CACHE, else /var/cache/pidvisor as root, else
//                $XDG_CACHE_HOME/pidvisor: images, kernels, downloads
//   checkpoints  /var/lib/pidvisor/checkpoints as root, else
//                $XDG_DATA_HOME/pidvisor/checkpoints
//   sourceDir    the recipes (packaging/, kernelpatch/): $PIDVISOR_SOURCE_DIR,
//                else the source tree this binary was built from, else
//                /usr/share/pidvisor
//   binDir       where pidvisor-agent and pidvisor-init are: next to this binary
#pragma once

#include <optional>
#include <string>

namespace pidvisor::manager {

struct Paths {
    std::string inventory;
    std::string cache;
    std::string checkpoints;
    std::string sourceDir;
    std::string binDir;

    [[nodiscard]] static Paths defaults(const std::optional<std::string>& inventoryOverride = std::nullopt);
};

[[nodiscard]] std::string xdgDataHome();

} // namespace pidvisor::manager
