#include "CliOutput.h"

#include "protocol/ObjectText.h"

#include <iostream>

namespace pidvisor::agent {

using nlohmann::json;

int reportError(const Error& error)
{
    std::cerr << "pidvisor-agent: " << error.describe() << "\n";
    return error.code == ErrorCode::InvalidArgument ? 2 : 1;
}

int printJsonOr(const json& result, bool asJson, const std::string& text)
{
    if (asJson)
        std::cout << result.dump(2) << "\n";
    else if (!text.empty())
        std::cout << text << (text.back() == '\n' ? "" : "\n");
    return 0;
}

int printContainerList(const std::vector<protocol::ContainerInfo>& containers, bool asJson)
{
    return printJsonOr(protocol::Codec<std::vector<protocol::ContainerInfo>>::encode(containers), asJson,
                       protocol::containerTable(containers));
}

int printContainerInfo(const protocol::ContainerInfo& info, bool asJson)
{
    return printJsonOr(protocol::encode(info), asJson, protocol::containerDetails(info));
}

int printImageList(const std::vector<protocol::ImageInfo>& images, bool asJson)
{
    return printJsonOr(protocol::Codec<std::vector<protocol::ImageInfo>>::encode(images), asJson,
                       protocol::imageTable(images));
}

int printProcesses(const std::vector<protocol::Process>& processes, bool asJson)
{
    return printJsonOr(protocol::Codec<std::vector<protocol::Process>>::encode(processes), asJson,
                       protocol::processTable(processes));
}

int printCommandResult(const protocol::CommandResult& result, bool asJson)
{
    if (asJson) {
        printJsonOr(protocol::encode(result), true, "");
        return result.exitCode;
    }
    std::cout << result.stdoutText << std::flush;
    std::cerr << result.stderrText;
    if (result.timedOut)
        std::cerr << "pidvisor-agent: the command timed out and was killed\n";
    return result.exitCode;
}

} // namespace pidvisor::agent
