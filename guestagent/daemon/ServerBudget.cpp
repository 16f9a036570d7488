#include "ServerBudget.h"

#include <sys/socket.h>

#include <algorithm>

namespace pidvisor::agent {

namespace {

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

void ServerBudget::Connection::touch()
{
    lastActiveMs = nowMs();
}

ServerBudget::Connection::~Connection()
{
    if (m_budget)
        m_budget->release(this);
}

void ServerBudget::release(Connection* conn)
{
    {
        std::lock_guard lock(m_mutex);
        m_connections.remove(conn);
    }
    m_freed.notify_all();
}

int ServerBudget::connections() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<int>(m_connections.size());
}

bool ServerBudget::evictIdle()
{
    // Caller holds m_mutex. The victim's fd stays open until its
    // Connection is released (Session::Shared destroys it first), so the
    // shutdown cannot reach a descriptor number that was reused.
    Connection* victim = nullptr;
    for (Connection* c : m_connections) {
        if (c->m_evicted || c->midFrame || c->inFlight > 0)
            continue;
        if (!victim || c->lastActiveMs < victim->lastActiveMs)
            victim = c;
    }
    if (!victim)
        return false;
    victim->m_evicted = true;
    ::shutdown(victim->m_fd, SHUT_RDWR);
    return true;
}

std::shared_ptr<ServerBudget::Connection> ServerBudget::admit(int fd)
{
    std::unique_lock lock(m_mutex);
    auto full = [&] { return m_connections.size() >= static_cast<std::size_t>(kMaxConnections); };
    if (full()) {
        if (!evictIdle())
            return nullptr;
        // The evicted session's thread sees the shutdown at once and ends.
        if (!m_freed.wait_for(lock, std::chrono::milliseconds(500), [&] { return !full(); }))
            return nullptr;
    }
    auto conn = std::make_shared<Connection>(this, fd);
    conn->touch();
    m_connections.push_back(conn.get());
    return conn;
}

std::shared_ptr<ServerBudget::Connection> ServerBudget::unlisted()
{
    auto conn = std::make_shared<Connection>(nullptr, -1);
    conn->touch();
    return conn;
}

bool ServerBudget::startRequest(Connection& conn, std::string* why)
{
    if (conn.inFlight.fetch_add(1) >= kMaxInFlightPerConnection) {
        conn.inFlight.fetch_sub(1);
        *why = "more than " + std::to_string(kMaxInFlightPerConnection) + " requests in flight on this connection";
        return false;
    }
    if (m_inFlight.fetch_add(1) >= kMaxInFlightTotal) {
        m_inFlight.fetch_sub(1);
        conn.inFlight.fetch_sub(1);
        *why = "more than " + std::to_string(kMaxInFlightTotal) + " requests in flight in the agent";
        return false;
    }
    return true;
}

void ServerBudget::endRequest(Connection& conn)
{
    m_inFlight.fetch_sub(1);
    conn.inFlight.fetch_sub(1);
    conn.touch();
}

bool ServerBudget::reserveBytes(std::size_t n)
{
    std::size_t held = m_bytes.fetch_add(n);
    if (held + n > kMaxBufferedTotal) {
        m_bytes.fetch_sub(n);
        return false;
    }
    return true;
}

void ServerBudget::releaseBytes(std::size_t n)
{
    m_bytes.fetch_sub(n);
}

} // namespace pidvisor::agent
