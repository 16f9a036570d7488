// Fuzzes every command's argument parsing as the agent does it: a request's
// "args" from a container or a hostile host-side process, decoded with
// unknown fields refused and every limit checked.
#include "FuzzCommands.h"

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    pidvisor::fuzz::writeCommandSeeds("args");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return pidvisor::fuzz::withCommandInput(data, size, [](const auto& command, const nlohmann::json& j) {
        using Args = typename std::decay_t<decltype(command)>::Args;
        pidvisor::fuzz::decodeRoundTrip<Args>(j, pidvisor::protocol::Unknown::Refuse);
    });
}
