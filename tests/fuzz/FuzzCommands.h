// What the request and result harnesses share: the input's first byte
// picks a command of the table, the rest is that command's JSON.
#pragma once

#include "FuzzSeeds.h"

#include "protocol/Commands.h"
#include "protocol/Schema.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <tuple>

namespace pidvisor::fuzz {

inline constexpr std::size_t kCommandCount = std::tuple_size_v<decltype(protocol::kCommands)>;

// The JSON of an input after its selector byte, as the agent parses a
// frame header (no exceptions; a parse error is simply not a request).
inline std::optional<nlohmann::json> parseJson(const std::uint8_t* data, std::size_t size)
{
    auto j = nlohmann::json::parse(data, data + size, nullptr, false);
    if (j.is_discarded())
        return std::nullopt;
    return j;
}

// Decodes `j` as T; whatever decodes must encode to JSON that decodes to
// the same value again (one conversion, no asymmetric checks).
template <class T>
void decodeRoundTrip(const nlohmann::json& j, protocol::Unknown unknown)
{
    auto first = protocol::Codec<T>::decode(j, unknown, "argument", "");
    if (!first) {
        if (first.error().message.empty())
            std::abort(); // every refusal says what and why
        return;
    }
    const nlohmann::json encoded = protocol::Codec<T>::encode(*first);
    auto second = protocol::Codec<T>::decode(encoded, protocol::Unknown::Refuse, "argument", "");
    if (!second || !(*second == *first))
        std::abort();
    (void)encoded.dump();
}

// One input: its selector byte picks the command, the rest is JSON; calls
// f(command, json) when the rest parses.
template <class F>
int withCommandInput(const std::uint8_t* data, std::size_t size, F&& f)
{
    if (size == 0)
        return 0;
    auto j = parseJson(data + 1, size - 1);
    if (!j)
        return 0;
    std::size_t index = 0;
    const std::size_t want = data[0] % kCommandCount;
    protocol::forEachCommand([&](const auto& command) {
        if (index++ == want)
            f(command, *j);
    });
    return 0;
}

// Seeds: the selector byte and the `part` ("args" or "result") of each
// command's golden example.
inline void writeCommandSeeds(const char* part)
{
    writeSeedsIfAsked([&](const SeedWriter& write) {
        auto golden = goldenExamples();
        std::uint8_t index = 0;
        protocol::forEachCommand([&](const auto& command) {
            auto it = golden.find(std::string(command.name));
            if (it != golden.end() && it->second.contains(part))
                write(std::string(1, static_cast<char>(index)) + it->second[part].dump());
            ++index;
        });
    });
}

} // namespace pidvisor::fuzz
