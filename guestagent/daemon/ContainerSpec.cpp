#include "ContainerSpec.h"

namespace pidvisor::agent {

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

ContainerSpec withDefaults(ContainerSpec spec)
{
    spec.env = withDefaultEnv(std::move(spec.env));
    if (!spec.hostname)
        spec.hostname = spec.name;
    return spec;
}

} // namespace pidvisor::agent
