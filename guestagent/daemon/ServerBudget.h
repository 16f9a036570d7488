// ServerBudget: enforces the limits of Limits.h across all of the agent's
// sessions: how many clients are served, how many requests run and how
// many received bytes are held, per connection and in all.
//
// A Connection is one admitted client; it gives its slot back when the
// last reference to it goes (its session and every request it started
// ended). Counters are atomics: the session threads ask the budget before
// they take, and give back exactly what they took.
#pragma once

#include "Limits.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>

namespace pidvisor::agent {

class ServerBudget {
public:
    class Connection {
    public:
        explicit Connection(ServerBudget* budget, int fd) : m_budget(budget), m_fd(fd) {}
        ~Connection();
        Connection(const Connection&) = delete;
        Connection& operator=(const Connection&) = delete;

        // Busy while a frame is half received or a request is in flight:
        // only an idle connection may be evicted for a new client.
        std::atomic<bool> midFrame{false};
        std::atomic<int> inFlight{0};
        std::atomic<std::int64_t> lastActiveMs{0};
        void touch();

    private:
        friend class ServerBudget;
        ServerBudget* m_budget; // null: not counted (the host port)
        int m_fd;
        bool m_evicted = false;
    };

    ServerBudget() = default;
    ServerBudget(const ServerBudget&) = delete;
    ServerBudget& operator=(const ServerBudget&) = delete;

    // A slot for a client on `fd`; at the cap the longest idle client is
    // disconnected to make room; null when every slot is busy.
    [[nodiscard]] std::shared_ptr<Connection> admit(int fd);
    // A connection outside the count (the host's port: never refused).
    [[nodiscard]] std::shared_ptr<Connection> unlisted();

    // One request on `conn`; false (nothing taken) at either cap.
    [[nodiscard]] bool startRequest(Connection& conn, std::string* why);
    void endRequest(Connection& conn);

    // Held bytes, in all; false (nothing taken) beyond the total.
    [[nodiscard]] bool reserveBytes(std::size_t n);
    void releaseBytes(std::size_t n);

    [[nodiscard]] int connections() const;
    [[nodiscard]] std::size_t bufferedBytes() const { return m_bytes.load(); }

private:
    void release(Connection* conn);
    [[nodiscard]] bool evictIdle();

    mutable std::mutex m_mutex;
    std::condition_variable m_freed;
    std::list<Connection*> m_connections;
    std::atomic<int> m_inFlight{0};
    std::atomic<std::size_t> m_bytes{0};
};

} // namespace pidvisor::agent
