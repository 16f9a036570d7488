#include "Seccomp.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "protocol/UniqueFd.h"

#include <cerrno>
#include <memory>
#include <mutex>

namespace pidvisor::agent {

namespace {

// After Docker's default profile (moby profiles/seccomp/default.json): the
// calls it allows only with CAP_SYS_ADMIN, SYS_MODULE, SYS_BOOT, SYS_TIME,
// SYS_PTRACE, SYS_PACCT, SYS_RAWIO or never, none of which a confined
// container holds; the io_uring calls as in moby 25.
constexpr const char* kDenied[] = {
    "acct", "add_key", "adjtimex", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
    "fanotify_init", "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms",
    "init_module", "io_uring_enter", "io_uring_register", "io_uring_setup", "ioperm", "iopl", "kcmp",
    "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount", "mount_setattr", "move_mount",
    "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open", "pidfd_getfd",
    "pivot_root", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace", "query_module",
    "quotactl", "quotactl_fd", "reboot", "request_key", "setns", "settimeofday", "stime", "swapoff", "swapon",
    "_sysctl", "sysfs", "syslog", "umount", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86",
    "vm86old"};

// clone may make threads and processes, never namespaces.
constexpr scmp_datum_t kNamespaceFlags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
                                         CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

struct FilterDeleter {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Filter = std::unique_ptr<void, FilterDeleter>;

// Device nodes: no block device at all and no character device but the
// 0:0 of overlay whiteouts. This stands in for the device cgroup runtimes
// use (CAP_MKNOD stays, as in Docker's set, for whiteouts and FIFOs); the
// container's /dev already holds the usual nodes.
Status addDeviceRules(scmp_filter_ctx ctx)
{
    struct Call {
        int nr;
        unsigned modeArg, devArg;
    };
    for (Call call : {Call{SCMP_SYS(mknod), 1, 2}, Call{SCMP_SYS(mknodat), 2, 3}}) {
        if (call.nr < 0)
            continue;
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), call.nr, 1,
                                  SCMP_CMP(call.modeArg, SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK));
        if (rc == 0)
            rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), call.nr, 2,
                                  SCMP_CMP(call.modeArg, SCMP_CMP_MASKED_EQ, S_IFMT, S_IFCHR),
                                  SCMP_CMP(call.devArg, SCMP_CMP_NE, 0));
        if (rc < 0)
            return failErrno("adding the seccomp rules for mknod", -rc);
    }
    return {};
}

Status addRules(scmp_filter_ctx ctx)
{
    for (const char* name : kDenied) {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
            continue; // not a call of this architecture
        if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0); rc < 0 && rc != -EDOM)
            return failErrno(std::string("adding the seccomp rule for ") + name, -rc);
    }
    // Any namespace bit is enough: one rule per bit (a masked compare
    // against all of them would match only all of them at once).
    for (scmp_datum_t bit = 1; bit != 0; bit <<= 1) {
        if (!(kNamespaceFlags & bit))
            continue;
        if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                      SCMP_A0(SCMP_CMP_MASKED_EQ, bit, bit));
            rc < 0 && rc != -EEXIST)
            return failErrno("adding the seccomp rule for clone", -rc);
    }
    PV_TRY_STATUS(addDeviceRules(ctx));
    if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0); rc < 0)
        return failErrno("adding the seccomp rule for clone3", -rc);
    return {};
}

Result<SeccompProgram> buildProgram()
{
    Filter ctx(seccomp_init(SCMP_ACT_ALLOW));
    if (!ctx)
        return fail(ErrorCode::Internal, "libseccomp cannot make a filter");
    // A binary tree of syscall numbers instead of one long list: the kernel
    // runs the filter over every syscall of every architecture once when it
    // is installed (its action cache), so its length is paid on every exec.
    if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2); rc < 0)
        return failErrno("asking libseccomp for a binary-tree filter", -rc);
    // 32-bit and x32 calls get the same rules, not a way around them.
    for (std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32})
        if (seccomp_arch_native() == SCMP_ARCH_X86_64)
            if (int rc = seccomp_arch_add(ctx.get(), arch); rc < 0 && rc != -EEXIST)
                return failErrno("adding an architecture to the seccomp filter", -rc);
    PV_TRY_STATUS(addRules(ctx.get()));
    UniqueFd mem(::memfd_create("pidvisor-seccomp", MFD_CLOEXEC));
    if (!mem)
        return failErrno("creating a memory file", errno);
    if (int rc = seccomp_export_bpf(ctx.get(), mem.get()); rc < 0)
        return failErrno("exporting the seccomp filter", -rc);
    off_t size = ::lseek(mem.get(), 0, SEEK_END);
    if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
        return fail(ErrorCode::Internal, "the exported seccomp filter has a bad size");
    SeccompProgram p;
    p.code.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (::pread(mem.get(), p.code.data(), static_cast<std::size_t>(size), 0) != size)
        return failErrno("reading the exported seccomp filter", errno);
    return p;
}

} // namespace

Result<const SeccompProgram*> containerSeccompProgram()
{
    static std::mutex mutex;
    static std::unique_ptr<SeccompProgram> built;
    std::lock_guard lock(mutex);
    if (!built) {
        PV_TRY(SeccompProgram p, buildProgram());
        built = std::make_unique<SeccompProgram>(std::move(p));
        built->prog.len = static_cast<unsigned short>(built->code.size());
        built->prog.filter = built->code.data();
    }
    return built.get();
}

std::span<const char* const> deniedSyscalls()
{
    return kDenied;
}

int installSeccomp(const SeccompProgram& program) noexcept
{
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program.prog) < 0)
        return errno;
    return 0;
}

} // namespace pidvisor::agent
