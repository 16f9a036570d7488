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
    if (size == 0)
        return 0;
    auto j = pidvisor::fuzz::parseJson(data + 1, size - 1);
    if (!j)
        return 0;
    pidvisor::fuzz::withCommand(data[0], [&](const auto& command) {
        using Args = typename std::decay_t<decltype(command)>::Args;
        pidvisor::fuzz::decodeRoundTrip<Args>(*j, pidvisor::protocol::Unknown::Refuse);
    });
    return 0;
}
