// Fuzzes the frame decoder: bytes from a hostile peer, split at points the
// input chooses, must give frames or protocol errors, never a crash, and
// every frame read must encode back to bytes that decode to the same frame.
#include "FuzzSeeds.h"

#include "protocol/Frame.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace pidvisor::protocol;

namespace {

void drain(FrameReader& reader)
{
    while (auto next = reader.next()) {
        if (!*next)
            continue;
        const Frame& frame = **next;
        auto bytes = encodeFrame(frame);
        if (!bytes)
            std::abort(); // a frame the reader accepted is within the limits
        FrameReader again;
        again.feed(*bytes);
        auto back = again.next();
        if (!back || !*back || (*back)->header != frame.header || (*back)->payload != frame.payload)
            std::abort();
    }
}

} // namespace

// Seeds: each golden request as a frame, whole and in 7-byte pieces, and a
// data frame with a payload.
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    pidvisor::fuzz::writeSeedsIfAsked([](const pidvisor::fuzz::SeedWriter& write) {
        auto emit = [&](const Frame& frame) {
            auto bytes = encodeFrame(frame);
            if (!bytes)
                std::abort();
            write(std::string(1, '\0') + *bytes);
            write(std::string(1, '\7') + *bytes + *bytes);
        };
        for (const auto& [name, example] : pidvisor::fuzz::goldenExamples())
            emit(Frame{{{"kind", "request"}, {"id", 1}, {"cmd", name}, {"args", example.value("args", nlohmann::json::object())}}, ""});
        emit(Frame{{{"kind", "data"}, {"id", 2}, {"stream", "images/pages-1.img"}, {"offset", 0}, {"eof", true}},
                   std::string(300, 'x')});
    });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    // The first byte chooses how the rest arrives: in one piece or in
    // chunks of 1..255 bytes (a peer's writes may split a frame anywhere).
    const std::size_t chunk = data[0] == 0 ? size : data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    FrameReader reader;
    while (!rest.empty()) {
        const auto n = std::min(chunk, rest.size());
        reader.feed(rest.substr(0, n));
        rest.remove_prefix(n);
        drain(reader);
    }
    (void)reader.midFrame();
    reader.reset();
    return 0;
}
