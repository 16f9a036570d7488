#include "Paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#ifndef PIDVISOR_SOURCE_DIR
#define PIDVISOR_SOURCE_DIR "/usr/share/pidvisor"
#endif

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
} // namespace

std::string xdgDataHome()
{
    std::string d = env("XDG_DATA_HOME");
    return d.empty() ? home() + "/.local/share" : d;
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
    p.sourceDir = env("PIDVISOR_SOURCE_DIR");
    if (p.sourceDir.empty())
        p.sourceDir = fs::exists(std::string(PIDVISOR_SOURCE_DIR) + "/packaging") ? PIDVISOR_SOURCE_DIR
                                                                                   : "/usr/share/pidvisor";
    std::error_code ec;
    p.binDir = fs::read_symlink("/proc/self/exe", ec).parent_path().string();
    return p;
}

} // namespace pidvisor::manager
