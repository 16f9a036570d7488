// Session: one peer on one byte stream (a client of the unix socket, or the
// host on the virtio-serial port). Reads frames, runs each request on its
// own worker thread so several can be in flight, and answers with the
// request's id. Unreadable input is answered with a ProtocolError on id 0
// and the reader resynchronises on the next frame.
#pragma once

#include "Dispatcher.h"

#include "protocol/Frame.h"
#include "protocol/UniqueFd.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

namespace pidvisor::agent {

inline constexpr int kMaxInFlight = 64;

class Session {
public:
    enum class Kind {
        Socket,     // a client of the unix socket: ends at EOF
        HostSocket, // the host's end of a socket port: ends at EOF, then reconnect
        HostDevice, // a virtio-serial port or pty: EOF or hangup means the
                    // host went away for now; the session goes on
    };

    Session(UniqueFd fd, const Dispatcher& dispatcher, Kind kind);

    // Serves until the peer closes (Socket) or the fd fails (Port).
    void run();

    // Data frames the peer sends for one request in flight.
    struct Inbox {
        std::mutex mutex;
        std::condition_variable arrived;
        std::deque<protocol::Frame> frames;
    };

    // What the session's worker threads share; outlives the reader.
    struct Shared {
        UniqueFd fd;
        std::mutex writeMutex;
        std::atomic<int> inFlight{0};
        std::mutex inboxMutex;
        std::map<std::uint64_t, std::shared_ptr<Inbox>> inboxes;
    };

    static void send(Shared& shared, const protocol::Frame& frame);

private:
    void onFrame(protocol::Frame frame);
    void onData(protocol::Frame frame);
    [[nodiscard]] bool waitReadable();

    std::shared_ptr<Shared> m_shared;
    const Dispatcher& m_dispatcher;
    Kind m_kind;
    protocol::FrameReader m_reader;
};

} // namespace pidvisor::agent
