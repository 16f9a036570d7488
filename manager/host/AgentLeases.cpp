#include "AgentLeases.h"

#include "agent/AgentClient.h"

namespace pidvisor::manager {

AgentLeases::Lease::Lease(AgentLeases* owner, std::string vm, bool exclusive)
    : m_owner(owner), m_vm(std::move(vm)), m_exclusive(exclusive)
{
}

AgentLeases::Lease::Lease(Lease&& other) noexcept
    : m_owner(other.m_owner), m_vm(std::move(other.m_vm)), m_exclusive(other.m_exclusive),
      m_client(std::move(other.m_client))
{
    other.m_owner = nullptr;
}

AgentLeases::Lease& AgentLeases::Lease::operator=(Lease&& other) noexcept
{
    if (this != &other) {
        release();
        m_owner = other.m_owner;
        m_vm = std::move(other.m_vm);
        m_exclusive = other.m_exclusive;
        m_client = std::move(other.m_client);
        other.m_owner = nullptr;
    }
    return *this;
}

AgentLeases::Lease::~Lease()
{
    release();
}

void AgentLeases::Lease::release()
{
    if (m_owner)
        m_owner->release(m_vm, m_exclusive, m_client);
    m_owner = nullptr;
    m_client.reset();
}

AgentLeases::Lease AgentLeases::acquire(const std::string& vm, bool exclusive)
{
    std::lock_guard lock(m_mutex);
    Use& use = m_uses[vm];
    ++(exclusive ? use.exclusive : use.shared);
    return Lease(this, vm, exclusive);
}

bool AgentLeases::exclusivelyHeld(const std::string& vm) const
{
    std::lock_guard lock(m_mutex);
    auto it = m_uses.find(vm);
    return it != m_uses.end() && it->second.exclusive > 0;
}

std::set<std::string> AgentLeases::busy() const
{
    std::lock_guard lock(m_mutex);
    std::set<std::string> out;
    for (const auto& [vm, use] : m_uses)
        if (use.exclusive > 0)
            out.insert(vm);
    return out;
}

void AgentLeases::release(const std::string& vm, bool exclusive, const std::shared_ptr<AgentClient>& client)
{
    // Held while disconnecting: whoever acquires next waits, then reconnects.
    std::lock_guard lock(m_mutex);
    auto it = m_uses.find(vm);
    if (it == m_uses.end())
        return;
    --(exclusive ? it->second.exclusive : it->second.shared);
    if (it->second.shared > 0 || it->second.exclusive > 0)
        return;
    m_uses.erase(it);
    if (client)
        client->disconnect();
}

} // namespace pidvisor::manager
