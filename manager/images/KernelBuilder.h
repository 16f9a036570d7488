// KernelBuilder: the container kernel (Linux 6.12 with the /proc/container
// series), built by kernelpatch/build-kernel.sh and cached outside the
// checkout by the hash of its inputs. A second build with nothing changed
// returns the cached kernel in about a second.
#pragma once

#include "core/Paths.h"
#include "core/Progress.h"

#include "protocol/Result.h"

#include <nlohmann/json.hpp>

namespace pidvisor::manager {

struct ContainerKernel {
    std::string dir;     // vmlinux, bzImage, config, manifest.json, selftests/
    nlohmann::json manifest;
};

[[nodiscard]] Result<ContainerKernel> buildContainerKernel(const Paths& paths, int jobs, const ProgressFn& progress);

} // namespace pidvisor::manager
