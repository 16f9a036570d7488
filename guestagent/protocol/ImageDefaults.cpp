#include "ImageDefaults.h"

#include <set>

namespace pidvisor::protocol {

namespace {

std::string envKey(const std::string& entry)
{
    return entry.substr(0, entry.find('='));
}

} // namespace

Status applyImage(ContainerSpec& spec, const ImageInfo& image, const std::vector<std::string>& command,
                  bool cwdGiven)
{
    std::vector<std::string> argv = image.config.entrypoint;
    const auto& rest = command.empty() ? image.config.cmd : command;
    argv.insert(argv.end(), rest.begin(), rest.end());
    if (argv.empty())
        return fail(ErrorCode::InvalidArgument,
                    "image '" + image.name + "' has no default command: give one after the image");
    spec.argv = std::move(argv);

    std::set<std::string> own;
    for (const auto& e : spec.env)
        own.insert(envKey(e));
    std::vector<std::string> env;
    for (const auto& e : image.config.env)
        if (!own.count(envKey(e)))
            env.push_back(e);
    env.insert(env.end(), spec.env.begin(), spec.env.end());
    spec.env = std::move(env);

    if (!cwdGiven)
        spec.cwd = image.config.workingDir.empty() ? "/" : image.config.workingDir;
    if (!spec.uid)
        spec.uid = image.config.uid;
    if (!spec.gid)
        spec.gid = image.config.gid;
    spec.image = image.digest;
    return {};
}

std::string defaultCommandText(const ImageConfig& config)
{
    std::string out;
    for (const auto* part : {&config.entrypoint, &config.cmd})
        for (const auto& word : *part)
            out += (out.empty() ? "" : " ") + word;
    return out;
}

Result<std::optional<UserNamespace>> userNamespaceOption(bool userns, std::int64_t base)
{
    if (!userns && base == 0)
        return std::optional<UserNamespace>{};
    UserNamespace ns;
    if (base != 0) {
        // The record's own check, so the message is the agent's too.
        PV_TRY_STATUS(checkUsernsBase("--userns-base", base));
        ns.base = base;
    }
    return std::optional<UserNamespace>{ns};
}

} // namespace pidvisor::protocol
