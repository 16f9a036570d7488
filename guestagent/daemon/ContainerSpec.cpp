#include "ContainerSpec.h"

#include "protocol/Args.h"
#include "protocol/Names.h"

#include <climits>

namespace pidvisor::agent {

using nlohmann::json;
using protocol::Args;
using protocol::ListLimits;

json ContainerSpec::toJson() const
{
    json j{{"name", name}, {"argv", argv}, {"env", env}, {"cwd", cwd},
           {"hostname", hostname}, {"init", init}};
    j["memory_mib"] = memoryMiB ? json(*memoryMiB) : json(nullptr);
    j["pids_max"] = pidsMax ? json(*pidsMax) : json(nullptr);
    return j;
}

Status validateAbsolutePath(std::string_view what, std::string_view path)
{
    if (path.empty() || path.front() != '/')
        return fail(ErrorCode::InvalidArgument, std::string(what) + " " + protocol::quoteForMessage(path) +
                                                    " is not an absolute path");
    if (path.find('\0') != std::string_view::npos)
        return fail(ErrorCode::InvalidArgument, std::string(what) + " contains a NUL byte");
    if (path.size() >= PATH_MAX)
        return fail(ErrorCode::InvalidArgument, std::string(what) + " is longer than " +
                                                    std::to_string(PATH_MAX - 1) + " bytes");
    return {};
}

Result<std::vector<std::string>> validateEnv(std::vector<std::string> env)
{
    for (const auto& e : env) {
        auto eq = e.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail(ErrorCode::InvalidArgument, "environment entry " + protocol::quoteForMessage(e) +
                                                        " is not KEY=VALUE");
    }
    return env;
}

std::string envValue(const std::vector<std::string>& env, std::string_view key)
{
    for (const auto& e : env)
        if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
            return e.substr(key.size() + 1);
    return {};
}

std::vector<std::string> withDefaultEnv(std::vector<std::string> env)
{
    auto has = [&env](std::string_view key) {
        for (const auto& e : env)
            if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
                return true;
        return false;
    };
    std::vector<std::string> defaults{std::string("PATH=") + kDefaultPath, "HOME=/root", "TERM=xterm",
                                      "container=pidvisor"};
    for (auto& d : defaults)
        if (!has(d.substr(0, d.find('='))))
            env.push_back(d);
    return env;
}

Result<ContainerSpec> ContainerSpec::fromJson(const json& j)
{
    Args args(j);
    PV_TRY_STATUS(args.onlyKnown(
        {"name", "argv", "env", "cwd", "hostname", "memory_mib", "pids_max", "init"}));
    ContainerSpec spec;
    PV_TRY(spec.name, args.requiredString("name"));
    PV_TRY_STATUS(protocol::validateName("container name", spec.name));
    PV_TRY(spec.argv, args.stringList("argv", ListLimits{kMaxArgs, kMaxArgBytes, false}));
    if (spec.argv.front().empty())
        return fail(ErrorCode::InvalidArgument, "the command (argv[0]) is empty");
    PV_TRY(std::vector<std::string> env, args.stringList("env", ListLimits{kMaxEnv, kMaxArgBytes, true}));
    PV_TRY(spec.env, validateEnv(std::move(env)));
    spec.env = withDefaultEnv(std::move(spec.env));
    PV_TRY(auto cwd, args.optionalString("cwd"));
    spec.cwd = cwd.value_or("/");
    PV_TRY_STATUS(validateAbsolutePath("working directory", spec.cwd));
    PV_TRY(auto hostname, args.optionalString("hostname"));
    spec.hostname = hostname.value_or(spec.name);
    if (hostname)
        PV_TRY_STATUS(protocol::validateName("hostname", spec.hostname));
    PV_TRY(spec.memoryMiB, args.optionalInteger("memory_mib", 4, 1 << 24));
    PV_TRY(spec.pidsMax, args.optionalInteger("pids_max", 1, 4194304));
    PV_TRY(spec.init, args.optionalBool("init", false));
    return spec;
}

} // namespace pidvisor::agent
