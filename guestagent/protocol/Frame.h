// Frames: the unit of the agent protocol on any byte stream.
//
// A frame is a 12-byte prefix ("PVF1", header length and payload length,
// both big-endian u32), a JSON object header and an optional binary payload:
//
//   encodeFrame(Frame{{{"kind", "request"}, {"id", 1}, {"cmd", "hello"}}, ""});
//
// FrameReader turns a byte stream back into frames. It is incremental (bytes
// may arrive split or merged in any way), enforces the size limits, and after
// garbage, an oversized prefix or a reset it resynchronises on the next magic.
#pragma once

#include "Result.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pidvisor::protocol {

inline constexpr std::string_view kFrameMagic = "PVF1";
inline constexpr std::size_t kFramePrefixSize = 12;
inline constexpr std::uint32_t kMaxHeaderSize = 1U << 20;  // 1 MiB of JSON
inline constexpr std::uint32_t kMaxPayloadSize = 4U << 20; // 4 MiB of bytes
// A header is refused before it is parsed when it nests deeper or holds
// more values than this: a parsed JSON value costs ~20x its text, and
// printing a deeply nested one recurses once per level.
inline constexpr std::size_t kMaxJsonDepth = 64;
inline constexpr std::size_t kMaxJsonElements = 1U << 18;

struct Frame {
    nlohmann::json header = nlohmann::json::object();
    std::string payload;
};

// The bytes of a frame; fails when the header or payload exceeds its limit.
[[nodiscard]] Result<std::string> encodeFrame(const Frame& frame);
// Everything of a frame but its payload, for writing a large payload
// without copying it into the frame first.
[[nodiscard]] Result<std::string> encodeFramePrefix(const nlohmann::json& header, std::size_t payloadSize);

// A cheap scan of JSON text (strings skipped) for the limits above.
[[nodiscard]] Status checkJsonShape(std::string_view text);

class FrameReader {
public:
    void feed(std::string_view bytes);

    // The next complete frame, a ProtocolError for bytes that cannot start or
    // form a frame (the reader then skips to the next magic), or nothing when
    // more bytes are needed. One error is reported per run of garbage.
    [[nodiscard]] std::optional<Result<Frame>> next();

    // True while bytes are buffered that do not form a whole frame yet.
    [[nodiscard]] bool midFrame() const { return m_buffer.size() > m_pos && !m_resyncing; }
    [[nodiscard]] std::size_t buffered() const { return m_buffer.size() - m_pos; }
    // The memory the buffer holds.
    [[nodiscard]] std::size_t capacity() const { return m_buffer.capacity(); }

    // Drops everything buffered (the peer went away mid-frame) and gives
    // the buffer's memory back.
    void reset();

private:
    std::optional<Result<Frame>> garbage(std::string message);
    void compact();

    std::string m_buffer;
    std::size_t m_pos = 0;
    bool m_resyncing = false;
};

} // namespace pidvisor::protocol
