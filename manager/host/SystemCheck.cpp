#include "SystemCheck.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace pidvisor::manager {

namespace fs = std::filesystem;

namespace {

using Level = CheckLine::Level;

// The directory itself when it exists, else the closest parent that does:
// where it would be created.
fs::path nearestExisting(fs::path dir)
{
    std::error_code ec;
    dir = fs::absolute(dir, ec);
    while (!dir.empty() && !fs::exists(dir, ec) && dir != dir.root_path())
        dir = dir.parent_path();
    return dir;
}

} // namespace

std::string formatGiB(std::uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
    return text;
}

CheckLine checkAccel(const AccelProbe& probe)
{
    auto choice = chooseAccel("auto", probe);
    if (choice && choice->accel == "kvm")
        return {Level::Ok, choice->reason};
    return {Level::Warning, (choice ? choice->reason : std::string("TCG")) +
                                "; VMs run under emulation, several times slower"};
}

CheckLine checkFreeSpace(const std::vector<std::string>& dirs, std::uint64_t minFree)
{
    std::uint64_t least = UINT64_MAX;
    std::string where;
    for (const auto& d : dirs) {
        fs::path at = nearestExisting(d);
        std::error_code ec;
        fs::space_info s = fs::space(at, ec);
        if (ec)
            return {Level::Warning, "free space in " + d + " unknown: " + ec.message()};
        if (s.available < least) {
            least = s.available;
            where = d;
        }
    }
    if (where.empty())
        return {Level::Warning, "no directory to check"};
    std::string text = formatGiB(least) + " free in " + where;
    if (least < minFree)
        return {Level::Warning, text + ", less than " + formatGiB(minFree) + ": images and checkpoints may not fit"};
    return {Level::Ok, text};
}

CheckLine checkImageBuild(const Paths& paths)
{
    for (const char* recipe : {"/packaging/guest/build-image.sh", "/kernelpatch/build-kernel.sh"})
        if (!fs::exists(paths.sourceDir + recipe))
            return {Level::Problem, "the recipe " + paths.sourceDir + recipe + " is missing"};
    for (const char* helper : {"/pidvisor-agent", "/pidvisor-init"})
        if (!fs::exists(paths.binDir + helper))
            return {Level::Problem, paths.binDir + helper + " is missing: build it first"};
    fs::path at = nearestExisting(paths.cache);
    if (::access(at.c_str(), W_OK) != 0) {
        bool root = ::geteuid() == 0;
        return {Level::Problem, "cannot write to " + at.string() + " (for the cache " + paths.cache + ")" +
                                    (root ? "" : ": not root; set PIDVISOR_CACHE to a writable directory")};
    }
    return {Level::Ok, "images are built in " + paths.cache};
}

SystemReport checkSystem(const Paths& paths, std::uint64_t minFree)
{
    return {checkAccel(probeAccel()), checkFreeSpace({paths.cache, paths.checkpoints}, minFree),
            checkImageBuild(paths)};
}

} // namespace pidvisor::manager
