// Fuzzes what the host reads from a guest: every command's result decoded
// the way the manager and the in-guest CLI decode an agent's answer, then
// rendered as the CLIs print it.
#include "FuzzCommands.h"

#include "protocol/AgentCalls.h"
#include "protocol/ObjectText.h"

#include <type_traits>

using namespace pidvisor::protocol;

namespace {

template <class R>
void render(const R& result)
{
    if constexpr (std::is_same_v<R, HelloResult>)
        (void)helloText(result);
    else if constexpr (std::is_base_of_v<ContainerInfo, R>) {
        (void)containerDetails(result);
        (void)describeContainerState(result);
    } else if constexpr (std::is_same_v<R, ContainerListResult>)
        (void)containerTable(result.containers);
    else if constexpr (std::is_same_v<R, ContainerPsResult>)
        (void)processTable(result.processes);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    pidvisor::fuzz::writeCommandSeeds("result");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return pidvisor::fuzz::withCommandInput(data, size, [](const auto& command, const nlohmann::json& j) {
        using R = typename std::decay_t<decltype(command)>::Result;
        auto decoded = decodeResult<R>(command.name, j, std::string{});
        if (decoded)
            render(*decoded);
        else if (decoded.error().message.empty())
            std::abort();
    });
}
