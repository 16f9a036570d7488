#include "Paths.h"

#include "pidvisor/InstallLayout.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace pidvisor::manager {

namespace fs = std::filesystem;

namespace {
std::string env(const char* name)
{
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string home()
{
    std::string h = env("HOME");
    return h.empty() ? "/root" : h;
}

// A recipe directory is one that holds the guest image recipe.
bool holdsRecipes(const fs::path& dir)
{
    std::error_code ec;
    return fs::is_regular_file(dir / "packaging/guest/build-image.sh", ec);
}
} // namespace

std::string xdgDataHome()
{
    std::string d = env("XDG_DATA_HOME");
    return d.empty() ? home() + "/.local/share" : d;
}

std::string programDir()
{
    std::error_code ec;
    return fs::read_symlink("/proc/self/exe", ec).parent_path().string();
}

ProgramDirs locateProgramDirs(const std::string& exeDir, const std::string& buildSourceDir)
{
    ProgramDirs d;
    fs::path data = (fs::path(exeDir) / kInstalledDataFromBin).lexically_normal();
    if (!exeDir.empty() && holdsRecipes(data)) {
        d.installed = true;
        d.sourceDir = data.string();
        d.binDir = (fs::path(exeDir) / kInstalledHelpersFromBin).lexically_normal().string();
        return d;
    }
    d.sourceDir = buildSourceDir;
    d.binDir = exeDir;
    return d;
}

Paths Paths::defaults(const std::optional<std::string>& inventoryOverride)
{
    Paths p;
    bool root = ::geteuid() == 0;
    p.inventory = inventoryOverride ? *inventoryOverride : xdgDataHome() + "/pidvisor/inventory.db";
    p.cache = env("PIDVISOR_CACHE");
    if (p.cache.empty()) {
        std::string xdgCache = env("XDG_CACHE_HOME");
        p.cache = root ? "/var/cache/pidvisor" : (xdgCache.empty() ? home() + "/.cache" : xdgCache) + "/pidvisor";
    }
    p.checkpoints = root ? "/var/lib/pidvisor/checkpoints" : xdgDataHome() + "/pidvisor/checkpoints";
    p.images = env("PIDVISOR_IMAGES_DIR");
    if (p.images.empty())
        p.images = root ? "/var/lib/pidvisor/images" : xdgDataHome() + "/pidvisor/images";
    ProgramDirs dirs = locateProgramDirs(programDir(), kBuildSourceDir);
    p.sourceDir = env("PIDVISOR_SOURCE_DIR");
    if (p.sourceDir.empty())
        p.sourceDir = dirs.sourceDir;
    p.binDir = dirs.binDir;
    return p;
}

} // namespace pidvisor::manager
