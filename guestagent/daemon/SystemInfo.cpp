#include "SystemInfo.h"

#include "CommandRunner.h"
#include "ContainerSpec.h"

#include "protocol/Commands.h"

#include <sys/utsname.h>

#include <regex>
#include <thread>

namespace pidvisor::agent {

protocol::HelloResult SystemInfo::hello() const
{
    protocol::HelloResult h;
    h.protocol = protocol::kProtocolVersion;
    h.instance = instance;
    h.agentVersion = agentVersion;
    h.kernelRelease = kernelRelease;
    h.hostname = hostname;
    h.limits = limits;
    auto& caps = h.capabilities;
    caps.procContainer = procContainer;
    caps.pidSpace = pidSpace;
    if (auto cg = protocol::decode<protocol::CgroupSupport>(cgroups, protocol::Unknown::Ignore, "field"))
        caps.cgroups = *cg;
    if (criuVersion)
        caps.criu = protocol::CriuSupport{*criuVersion};
    std::lock_guard lock(checkpoint->mutex);
    caps.checkpoint.available = checkpoint->available;
    caps.checkpoint.reason = checkpoint->available ? checkpoint->reason : "criu check still running";
    return h;
}

void probeCheckpointSupport(const SystemInfo& info)
{
    auto support = info.checkpoint;
    bool hasCriu = info.criuVersion.has_value();
    std::thread([support, hasCriu] {
        bool ok = false;
        std::string reason = "CRIU is not installed";
        if (hasCriu) {
            CommandPlan plan;
            plan.argv = {"criu", "check"};
            plan.env = withDefaultEnv({});
            plan.timeout = std::chrono::seconds(60);
            auto r = runCommand(plan);
            ok = r && r->exitCode == 0;
            reason = ok ? "criu check: looks good"
                        : "criu check failed: " + (r ? r->err.substr(0, 300) : r.error().message);
        }
        std::lock_guard lock(support->mutex);
        support->available = ok;
        support->reason = reason;
    }).detach();
}

std::string kernelRelease()
{
    utsname u{};
    ::uname(&u);
    return u.release;
}

std::optional<std::string> detectCriuVersion()
{
    CommandPlan plan;
    plan.argv = {"criu", "--version"};
    plan.env = withDefaultEnv({});
    plan.timeout = std::chrono::seconds(5);
    auto result = runCommand(plan);
    if (!result || result->exitCode != 0)
        return std::nullopt;
    std::smatch m;
    static const std::regex version(R"(Version:\s*([0-9][0-9.]*))");
    if (std::regex_search(result->out, m, version))
        return m[1].str();
    return std::nullopt;
}

} // namespace pidvisor::agent
