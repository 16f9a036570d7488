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

int printContainerList(const json& containers, bool asJson)
{
    return printJsonOr(containers, asJson, protocol::containerTable(containers));
}

int printContainerInfo(const json& info, bool asJson)
{
    return printJsonOr(info, asJson, protocol::containerDetails(info));
}

int printProcesses(const json& processes, bool asJson)
{
    return printJsonOr(processes, asJson, protocol::processTable(processes));
}

int printCommandResult(const json& result, bool asJson)
{
    int code = result.value("exit_code", 0);
    if (asJson) {
        printJsonOr(result, true, "");
        return code;
    }
    std::cout << result.value("stdout", "") << std::flush;
    std::cerr << result.value("stderr", "");
    if (result.value("timed_out", false))
        std::cerr << "pidvisor-agent: the command timed out and was killed\n";
    return code;
}

} // namespace pidvisor::agent
