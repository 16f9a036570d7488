#include "Confinement.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace pidvisor::agent {

namespace {

struct NamedCap {
    int cap;
    const char* name;
};

// Docker's and the OCI runtime spec's default set.
constexpr NamedCap kDefaultCaps[] = {
    {CAP_CHOWN, "CAP_CHOWN"},
    {CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE"},
    {CAP_FSETID, "CAP_FSETID"},
    {CAP_FOWNER, "CAP_FOWNER"},
    {CAP_MKNOD, "CAP_MKNOD"},
    {CAP_NET_RAW, "CAP_NET_RAW"},
    {CAP_SETGID, "CAP_SETGID"},
    {CAP_SETUID, "CAP_SETUID"},
    {CAP_SETFCAP, "CAP_SETFCAP"},
    {CAP_SETPCAP, "CAP_SETPCAP"},
    {CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE"},
    {CAP_SYS_CHROOT, "CAP_SYS_CHROOT"},
    {CAP_KILL, "CAP_KILL"},
    {CAP_AUDIT_WRITE, "CAP_AUDIT_WRITE"},
};

// runc's and crun's defaults. Files are covered by /dev/null, directories
// by an empty read-only tmpfs.
constexpr const char* kMaskedPaths[] = {"/proc/acpi",        "/proc/kcore",       "/proc/keys",
                                        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                        "/proc/sched_debug", "/proc/scsi",        "/sys/firmware"};
constexpr const char* kReadOnlyPaths[] = {"/proc/bus", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

constexpr unsigned long kSafeFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

int mask(const char* path) noexcept
{
    struct stat st {};
    if (::stat(path, &st) < 0)
        return errno == ENOENT || errno == ENOTDIR ? 0 : errno;
    if (S_ISDIR(st.st_mode)) {
        if (::mount("tmpfs", path, "tmpfs", MS_RDONLY | kSafeFlags, "size=4k,mode=555") < 0)
            return errno;
    } else if (::mount("/dev/null", path, nullptr, MS_BIND, nullptr) < 0) {
        return errno;
    }
    return 0;
}

int makeReadOnly(const char* path) noexcept
{
    if (::mount(path, path, nullptr, MS_BIND | MS_REC, nullptr) < 0)
        return errno == ENOENT ? 0 : errno;
    if (::mount(nullptr, path, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | kSafeFlags, nullptr) < 0)
        return errno;
    return 0;
}

int dropCapabilities() noexcept
{
    std::uint64_t keep = confinedCapabilities();
    for (int cap = 0; cap < 64; ++cap) {
        if (keep & (1ULL << cap))
            continue;
        if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL)
                break; // past the kernel's last capability
            return errno;
        }
    }
    // Inheritable and ambient stay empty (runc's fix for CVE-2022-29162):
    // root gets the set back at exec through the bounding set; an unprivileged
    // user gets nothing it did not have.
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    for (int i = 0; i < 2; ++i) {
        auto word = static_cast<std::uint32_t>(keep >> (32 * i));
        data[i].effective = word;
        data[i].permitted = word;
        data[i].inheritable = 0;
    }
    if (::syscall(SYS_capset, &header, data) < 0)
        return errno;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return errno;
    return 0;
}

} // namespace

Result<ConfinementPlan> planConfinement(bool privileged)
{
    ConfinementPlan plan;
    plan.privileged = privileged;
    if (!privileged) {
        PV_TRY(plan.seccomp, containerSeccompProgram());
    }
    return plan;
}

std::uint64_t confinedCapabilities()
{
    std::uint64_t mask = 0;
    for (const auto& c : kDefaultCaps)
        mask |= 1ULL << c.cap;
    return mask;
}

int mountSysfs(const ConfinementPlan& plan, const char* path) noexcept
{
    unsigned long sysFlags = kSafeFlags | (plan.privileged ? 0 : MS_RDONLY);
    if (::mount("sysfs", path, "sysfs", sysFlags, nullptr) < 0 && errno != ENOENT)
        return errno;
    return 0;
}

int confineMounts(const ConfinementPlan& plan) noexcept
{
    if (plan.privileged)
        return 0;
    for (const char* path : kMaskedPaths)
        if (int err = mask(path))
            return err;
    for (const char* path : kReadOnlyPaths)
        if (int err = makeReadOnly(path))
            return err;
    return 0;
}

int confineProcess(const ConfinementPlan& plan) noexcept
{
    if (plan.privileged)
        return 0;
    if (int err = dropCapabilities())
        return err;
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return errno;
    return plan.seccomp ? installSeccomp(*plan.seccomp) : EINVAL;
}

protocol::Confinement describeConfinement(bool privileged)
{
    protocol::Confinement c;
    c.privileged = privileged;
    if (privileged) {
        c.capabilities = {"ALL"};
        c.seccomp = "none";
        return c;
    }
    for (const auto& cap : kDefaultCaps)
        c.capabilities.emplace_back(cap.name);
    c.seccomp = "default";
    c.noNewPrivs = true;
    c.maskedPaths.assign(std::begin(kMaskedPaths), std::end(kMaskedPaths));
    c.readOnlyPaths.assign(std::begin(kReadOnlyPaths), std::end(kReadOnlyPaths));
    c.readOnlyPaths.emplace_back("/sys");
    return c;
}

} // namespace pidvisor::agent
