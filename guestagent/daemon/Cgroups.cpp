#include "Cgroups.h"

#include "ControlFiles.h"
#include "DeviceFilter.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace pidvisor::agent {

namespace {

bool isCgroup2(const std::string& path)
{
    struct statfs fs {};
    return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

std::vector<std::string> readWords(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::string> words;
    std::string w;
    while (in >> w)
        words.push_back(w);
    return words;
}


bool has(const std::vector<std::string>& list, const std::string& item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

Cgroups Cgroups::detect(const std::string& root)
{
    Cgroups c;
    c.m_root = root;
    if (isCgroup2(root)) {
        c.m_mode = "v2";
    } else if (isCgroup2(root + "/unified")) {
        c.m_mode = "hybrid";
        return c;
    } else {
        struct statfs fs {};
        c.m_mode = ::statfs(root.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC ? "v1" : "none";
        return c;
    }
    std::string base = root + "/pidvisor";
    if (::mkdir(base.c_str(), 0755) < 0 && errno != EEXIST)
        return c;
    // Delegate the controllers we use to pidvisor/ and its children.
    auto available = readWords(root + "/cgroup.controllers");
    for (const std::string ctl : {"memory", "pids"}) {
        if (!has(available, ctl))
            continue;
        (void)writeControlFile(root + "/cgroup.subtree_control", "+" + ctl);
        (void)writeControlFile(base + "/cgroup.subtree_control", "+" + ctl);
    }
    c.m_controllers = readWords(base + "/cgroup.subtree_control");
    c.m_usable = true;
    return c;
}

nlohmann::json Cgroups::describe() const
{
    return {{"mode", m_mode}, {"usable", m_usable}, {"controllers", m_controllers}};
}

Status Cgroups::checkLimits(const CgroupLimits& limits) const
{
    auto need = [&](const char* what, const std::string& ctl) -> Status {
        if (m_mode == "hybrid" || m_mode == "v1")
            return fail(ErrorCode::FailedPrecondition,
                        std::string(what) + " needs cgroup v2, but this system has only cgroup v1 controllers (" +
                            m_mode + " hierarchy)");
        if (!m_usable)
            return fail(ErrorCode::FailedPrecondition,
                        std::string(what) + " needs cgroup v2, which is not mounted at " + m_root);
        if (!has(m_controllers, ctl))
            return fail(ErrorCode::FailedPrecondition,
                        std::string(what) + " needs the cgroup v2 '" + ctl + "' controller, which is not enabled");
        return {};
    };
    if (limits.memoryMiB)
        PV_TRY_STATUS(need("a memory limit", "memory"));
    if (limits.pidsMax)
        PV_TRY_STATUS(need("a pids limit", "pids"));
    return {};
}

std::string Cgroups::path(const std::string& name) const
{
    return m_root + "/pidvisor/" + name;
}

Result<UniqueFd> Cgroups::create(const std::string& name, const CgroupLimits& limits) const
{
    PV_TRY_STATUS(checkLimits(limits));
    if (!m_usable)
        return UniqueFd{};
    std::string dir = path(name);
    if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST)
        return failErrno("creating cgroup " + dir, errno);
    if (limits.memoryMiB)
        PV_TRY_STATUS(writeControlFile(dir + "/memory.max", std::to_string(*limits.memoryMiB * 1024 * 1024)));
    if (limits.pidsMax)
        PV_TRY_STATUS(writeControlFile(dir + "/pids.max", std::to_string(*limits.pidsMax)));
    PV_TRY(UniqueFd fd, open(name));
    if (limits.deviceFilter)
        PV_TRY_STATUS(attachDeviceFilter(fd.get(), defaultDeviceRules()));
    return fd;
}

Result<UniqueFd> Cgroups::open(const std::string& name) const
{
    if (!m_usable)
        return UniqueFd{};
    std::string dir = path(name);
    UniqueFd fd(::open(dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!fd)
        return failErrno("opening cgroup " + dir, errno);
    return fd;
}

void Cgroups::remove(const std::string& name) const
{
    if (!m_usable)
        return;
    std::string dir = path(name);
    if (::access(dir.c_str(), F_OK) != 0)
        return;
    (void)writeControlFile(dir + "/cgroup.kill", "1");
    // rmdir fails with EBUSY until the killed tasks are gone.
    for (int i = 0; i < 100 && ::rmdir(dir.c_str()) < 0 && errno == EBUSY; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

} // namespace pidvisor::agent
