#include "PidSpace.h"

#include "protocol/UniqueFd.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>

namespace pidvisor::agent {

namespace {

class ClonePidSpace final : public PidSpace {
public:
    std::string_view name() const override { return "clone3"; }
    Result<std::uint64_t> prepare(const std::string&) override { return CLONE_NEWPID; }
    void finish() override {}
};

class ProcContainerPidSpace final : public PidSpace {
public:
    std::string_view name() const override { return "proc-container"; }

    Result<std::uint64_t> prepare(const std::string& containerName) override
    {
        UniqueFd fd(::open(kProcContainerPath, O_WRONLY | O_CLOEXEC));
        if (!fd)
            return failErrno(std::string("opening ") + kProcContainerPath, errno);
        std::string line = containerName + "\n";
        if (::write(fd.get(), line.data(), line.size()) < 0) {
            int err = errno;
            if (err == EEXIST)
                return fail(ErrorCode::AlreadyExists,
                            "container name '" + containerName + "' is still held in /proc/container");
            return failErrno("registering '" + containerName + "' in /proc/container", err);
        }
        m_pending = true;
        return std::uint64_t{0}; // the namespace for children is already new
    }

    void finish() override
    {
        if (!m_pending)
            return;
        m_pending = false;
        // Point this thread's namespace for children back at its own, so
        // the next container does not nest inside this one.
        UniqueFd self(::open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC));
        if (self)
            (void)::setns(self.get(), CLONE_NEWPID);
    }

private:
    // Per thread: each spawn runs prepare/clone/finish on one thread.
    static thread_local bool m_pending;
};

thread_local bool ProcContainerPidSpace::m_pending = false;

} // namespace

bool procContainerAvailable(const std::string& path)
{
    return ::access(path.c_str(), W_OK) == 0;
}

Result<std::unique_ptr<PidSpace>> choosePidSpace(std::string_view mode)
{
    if (mode == "clone3")
        return std::unique_ptr<PidSpace>(std::make_unique<ClonePidSpace>());
    if (mode == "proc-container") {
        if (!procContainerAvailable())
            return fail(ErrorCode::Unsupported,
                        "this kernel has no /proc/container (it is not the Pidvisor container kernel)");
        return std::unique_ptr<PidSpace>(std::make_unique<ProcContainerPidSpace>());
    }
    if (mode == "auto") {
        if (procContainerAvailable())
            return std::unique_ptr<PidSpace>(std::make_unique<ProcContainerPidSpace>());
        return std::unique_ptr<PidSpace>(std::make_unique<ClonePidSpace>());
    }
    return fail(ErrorCode::InvalidArgument,
                "pid space mode '" + std::string(mode) + "' is not one of auto, clone3, proc-container");
}

} // namespace pidvisor::agent
