// PidSpace: the one seam for how a container's private pid space is made.
//
// Today the agent asks clone3 for CLONE_NEWPID. On the container kernel,
// `echo NAME > /proc/container` makes a named pid namespace the calling
// thread's namespace for children, so the next clone lands in it as pid 1.
// Either way the spawner calls prepare() right before clone3 and finish()
// right after it, on the same thread; the user-visible result is the same.
#pragma once

#include "protocol/Result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace pidvisor::agent {

class PidSpace {
public:
    virtual ~PidSpace() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    // The clone flags that give the child a new pid space.
    [[nodiscard]] virtual Result<std::uint64_t> prepare(const std::string& containerName) = 0;
    virtual void finish() = 0;
};

inline constexpr const char* kProcContainerPath = "/proc/container";

[[nodiscard]] bool procContainerAvailable(const std::string& path = kProcContainerPath);

// mode: "auto" (proc-container when the kernel has it), "clone3" or
// "proc-container".
[[nodiscard]] Result<std::unique_ptr<PidSpace>> choosePidSpace(std::string_view mode);

} // namespace pidvisor::agent
