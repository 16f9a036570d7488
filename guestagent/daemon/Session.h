// Session: one peer on one byte stream (a client of the unix socket, or the
// host on the virtio-serial port). Reads frames, runs each request on its
// own worker thread so several can be in flight, and answers with the
// request's id. Unreadable input is answered with a ProtocolError on id 0
// and the reader resynchronises on the next frame. What a peer can make it
// hold is bounded by the ServerBudget (Limits.h): requests in flight,
// buffered bytes, and the time a frame may take to arrive.
#pragma once

#include "Dispatcher.h"
#include "ServerBudget.h"

#include "protocol/Frame.h"
#include "protocol/UniqueFd.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

namespace pidvisor::agent {

class Session {
public:
    enum class Kind {
        Socket,     // a client of the unix socket: ends at EOF
        HostSocket, // the host's end of a socket port: ends at EOF, then reconnect
        HostDevice, // a virtio-serial port or pty: EOF or hangup means the
                    // host went away for now; the session goes on
    };

    // `conn` is the client's slot from budget.admit(), or null for the
    // host's port (outside the connection count and the byte total).
    Session(UniqueFd fd, const Dispatcher& dispatcher, Kind kind, ServerBudget& budget,
            std::shared_ptr<ServerBudget::Connection> conn);
    ~Session();

    // Serves until the peer closes (Socket) or the fd fails (Port).
    void run();

    // Data frames the peer sends for one request in flight.
    struct Inbox {
        std::mutex mutex;
        std::condition_variable arrived;
        std::deque<protocol::Frame> frames;
        std::size_t bytes = 0;
    };

    // What the session's worker threads share; outlives the reader.
    struct Shared {
        UniqueFd fd;
        ServerBudget* budget = nullptr;
        bool countsBytes = false; // a socket client: its bytes count towards the total
        // Declared after fd so that it is released first (ServerBudget may
        // shut down a listed connection's fd until then).
        std::shared_ptr<ServerBudget::Connection> conn;
        std::mutex writeMutex;
        std::mutex inboxMutex;
        std::map<std::uint64_t, std::shared_ptr<Inbox>> inboxes;
        std::atomic<std::size_t> queuedBytes{0}; // in all inboxes
    };

    static void send(Shared& shared, const protocol::Frame& frame);

private:
    void onFrame(protocol::Frame frame);
    void onData(protocol::Frame frame);
    [[nodiscard]] bool waitReadable();
    // Takes budget for `n` more bytes in the reader; false when refused
    // (the partial frame is dropped and the peer told).
    [[nodiscard]] bool chargeRead(std::size_t n);
    void settleCharge();
    void dropFrame(const std::string& why);
    void noteFrameStart();

    std::shared_ptr<Shared> m_shared;
    const Dispatcher& m_dispatcher;
    Kind m_kind;
    protocol::FrameReader m_reader;
    std::size_t m_charged = 0; // bytes of m_reader reserved in the budget
    std::optional<std::chrono::steady_clock::time_point> m_frameStarted;
};

} // namespace pidvisor::agent
