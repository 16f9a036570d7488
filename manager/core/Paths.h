// Paths: where Pidvisor keeps things on this machine.
//
//   inventory    $XDG_DATA_HOME/pidvisor/inventory.db (or --db)
//   cache        $PIDVISOR_CACHE, else /var/cache/pidvisor as root, else
//                $XDG_CACHE_HOME/pidvisor: images, kernels, downloads
//   checkpoints  /var/lib/pidvisor/checkpoints as root, else
//                $XDG_DATA_HOME/pidvisor/checkpoints
//   images       container images (erofs volumes): $PIDVISOR_IMAGES_DIR,
//                else /var/lib/pidvisor/images as root, else
//                $XDG_DATA_HOME/pidvisor/images
//   sourceDir    the recipes (packaging/guest, kernelpatch/):
//                $PIDVISOR_SOURCE_DIR, else the installed data directory
//                (/usr/share/pidvisor for /usr/bin/pidvisor) when this
//                binary is an installed one, else the checkout it was built
//                from
//   binDir       where pidvisor-agent and pidvisor-init are: the installed
//                helper directory (/usr/libexec/pidvisor) for an installed
//                binary, else next to this binary (build/bin)
//
// "Installed" means the data directory next to the binary's prefix holds
// the image recipe: the layout `cmake --install` makes (cmake/InstallLayout.h.in).
#pragma once

#include <optional>
#include <string>

namespace pidvisor::manager {

struct Paths {
    std::string inventory;
    std::string cache;
    std::string checkpoints;
    std::string images;
    std::string sourceDir;
    std::string binDir;

    [[nodiscard]] static Paths defaults(const std::optional<std::string>& inventoryOverride = std::nullopt);
};

// Where the recipes and helper programs are for a binary in `exeDir`:
// the install layout if it is present there, else `buildSourceDir` and
// `exeDir` (a build tree). Pure apart from looking at the file system.
struct ProgramDirs {
    std::string sourceDir;
    std::string binDir;
    bool installed = false;
};
[[nodiscard]] ProgramDirs locateProgramDirs(const std::string& exeDir, const std::string& buildSourceDir);

// The directory of the running program (/proc/self/exe).
[[nodiscard]] std::string programDir();

[[nodiscard]] std::string xdgDataHome();

} // namespace pidvisor::manager
