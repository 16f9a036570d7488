#include "KernelBuilder.h"

#include "GuestImage.h"

#include "core/ChildProcess.h"

#include <filesystem>
#include <fstream>

namespace pidvisor::manager {

Result<ContainerKernel> buildContainerKernel(const Paths& paths, int jobs, const ProgressFn& progress)
{
    std::string script = paths.sourceDir + "/kernelpatch/build-kernel.sh";
    if (!std::filesystem::exists(script))
        return fail(ErrorCode::NotFound, "kernel recipe " + script + " is missing");
    std::vector<std::string> argv{script};
    if (jobs > 0)
        argv.insert(argv.end(), {"--jobs", std::to_string(jobs)});
    PV_TRY(ChildProcess child, ChildProcess::spawn(argv, {"PIDVISOR_CACHE=" + paths.cache}));
    int code = child.wait([&](const std::string& line) {
        if (auto p = parseProgressLine(line))
            report(progress, "building the container kernel", p->percent, p->stage);
    });
    if (code != 0)
        return fail(ErrorCode::Internal, "building the container kernel failed: " + child.stderrTail());
    std::string dir = child.output();
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == ' ' || dir.back() == '/'))
        dir.pop_back();
    std::ifstream in(dir + "/manifest.json");
    auto manifest = nlohmann::json::parse(in, nullptr, false);
    if (manifest.is_discarded())
        return fail(ErrorCode::Internal, "the container kernel in " + dir + " has no readable manifest.json");
    return ContainerKernel{dir, manifest};
}

} // namespace pidvisor::manager
