#include "SystemInfo.h"

#include "CommandRunner.h"
#include "ContainerSpec.h"

#include "protocol/Commands.h"

#include <sys/utsname.h>

#include <regex>

namespace pidvisor::agent {

nlohmann::json SystemInfo::toJson() const
{
    nlohmann::json criu = criuVersion ? nlohmann::json{{"version", *criuVersion}} : nlohmann::json(nullptr);
    return {{"protocol", protocol::kProtocolVersion},
            {"agent_version", agentVersion},
            {"kernel_release", kernelRelease},
            {"hostname", hostname},
            {"capabilities",
             {{"proc_container", procContainer},
              {"pid_space", pidSpace},
              {"cgroups", cgroups},
              {"criu", criu},
              {"checkpoint", false}}}};
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
