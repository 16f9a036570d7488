// FrameChannel: frames over one file descriptor with blocking I/O.
//
// send() may be called from any thread; receive() from one reader thread.
// Used by the in-guest CLI, the tests, and as the transport under the
// manager's agent client.
#pragma once

#include "Frame.h"
#include "UniqueFd.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace pidvisor::protocol {

class FrameChannel {
public:
    explicit FrameChannel(UniqueFd fd) : m_fd(std::move(fd)) {}

    [[nodiscard]] int fd() const { return m_fd.get(); }
    [[nodiscard]] Status send(const Frame& frame);
    [[nodiscard]] Status sendRaw(std::string_view bytes);

    // The next frame; Timeout when none arrived in time, Unavailable when
    // the peer closed the stream, ProtocolError for unreadable bytes.
    [[nodiscard]] Result<Frame> receive(std::optional<std::chrono::milliseconds> timeout);

    // Drops partial input (after a reconnect on a stream port).
    void resetReader() { m_reader.reset(); }

private:
    UniqueFd m_fd;
    std::mutex m_writeMutex;
    FrameReader m_reader;
};

// Writes every byte, retrying short writes and EINTR.
[[nodiscard]] Status writeAll(int fd, std::string_view bytes);

// A connected AF_UNIX stream socket (CLOEXEC). A listener that does not
// accept (its backlog full: a QEMU channel already has a client) is a
// Timeout after `timeout` rather than a hang.
[[nodiscard]] Result<UniqueFd> connectUnixSocket(const std::string& path,
                                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

} // namespace pidvisor::protocol
